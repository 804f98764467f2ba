// Creatio (ex-bpm'online) stand-in: a local model of Creatio's OData 4 API and authentication,
// faithful to /work/shared/reference/creatio-odata.md. Tests start it in-process on 127.0.0.1.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthState, type ExpiredSignal, type OAuthClientDef, type UserDef } from './auth.js';
import { AdjustableClock, type Clock } from './clock.js';
import { contactHooks } from './effects/contact.js';
import { communicationHooks } from './effects/communication.js';
import { folderHooks, membershipHooks } from './effects/folders.js';
import type { NameOrder } from './effects/names.js';
import { EntityService } from './entities.js';
import { Faults, type FaultHandle, type FaultSpec } from './faults.js';
import { createHandler } from './http.js';
import { ODataService } from './odata.js';
import { seedReference } from './seed.js';
import { StatsCounter, type StandinStats } from './stats.js';
import { EntityStore } from './store.js';
import { CreatioUi } from './ui.js';
import { seedDemo, type DemoData } from './demo.js';

export { ManualClock, AdjustableClock, type Clock } from './clock.js';
export {
  ADDRESS_TYPE,
  COMMUNICATION_TYPE,
  FOLDER_TYPE,
  SUPERVISOR_CONTACT_ID,
  countryId,
  userContactId,
} from './constants.js';
export { EMPTY_GUID } from './guid.js';
export { RAM_LIMIT_PREFIX } from './errors.js';
export { seedContacts, seedDemo, type BulkOptions, type DemoData } from './demo.js';
export type { CreatioUi, UiCommunication, UiRow } from './ui.js';
export type { FaultHandle, FaultSpec } from './faults.js';
export type { StandinStats } from './stats.js';
export type { NameOrder } from './effects/names.js';
export type { ExpiredSignal, OAuthClientDef, UserDef } from './auth.js';
export type { SetName } from './schema.js';

export interface CreatioStandinOptions {
  /** 0 (default) = a free port; always bound to 127.0.0.1. */
  port?: number;
  /** Controllable time in epoch ms; default: wall time with `advance(ms)`. */
  clock?: Clock;
  /** Added to every request (benchmarks). */
  latencyMs?: number;
  /** Default: Supervisor / Supervisor, as on a fresh Creatio. The first user acts for OAuth clients by default. */
  users?: UserDef[];
  /** UserSessionTimeout in minutes, sliding; Creatio allows 10–720. Default 60 (Creatio's default is unknown). */
  sessionTimeoutMinutes?: number;
  /** How an expired cookie session shows: 401, a 302 to /Login/NuiLogin.aspx, or a 200 HTML login page. */
  sessionExpiredSignal?: ExpiredSignal;
  /** OAuth 2.0 client-credentials applications. */
  oauthClients?: OAuthClientDef[];
  accessTokenTtlSec?: number;
  maxRecordsPerReply?: number;
  /** Queries whose reply would hold more rows than this answer the RAM-limit 500. */
  ramLimitRows?: number;
  /** The N in the RAM-limit message (MaxMemoryUsageToGetDataViaEntityCollection); default 512. */
  ramLimitMb?: number;
  /** Daily OData call limit (each $batch sub-request counts); soft by default, as on Creatio. */
  dailyCallLimit?: number;
  /** 'reject' answers 429 past the limit (our assumption, for testing clients); default 'soft'. */
  dailyCallLimitMode?: 'soft' | 'reject';
  csrfRequired?: boolean;
  /** The ContactFieldConverter system setting; default 'GivenName MiddleName Surname'. */
  nameOrder?: NameOrder;
  /** Text comparisons as SQL Server's default collation (case-insensitive); default true. */
  caseInsensitiveText?: boolean;
  /** Create a demo folder, contacts and an account at start. */
  seedDemo?: boolean;
}

export interface CreatioStandin {
  /** Site root, e.g. http://127.0.0.1:PORT. */
  readonly url: string;
  /** `${url}/0/odata`. */
  readonly odataUrl: string;
  /** `${url}/connect/token`. */
  readonly tokenUrl: string;
  readonly port: number;
  readonly clock: { now(): number; advance(ms: number): void };
  /** A human user in the Creatio UI (Supervisor); `ui.as(name)` acts as another user. */
  readonly ui: CreatioUi;
  readonly faults: { add(spec: FaultSpec): FaultHandle; clear(): void };
  /** Present when started with seedDemo. */
  readonly demo?: DemoData;
  stats(): StandinStats;
  resetStats(): void;
  /** Every cookie session and bearer token counts as expired from now on. */
  expireAllSessions(): void;
  close(): Promise<void>;
}

export const DEFAULT_USERS: readonly UserDef[] = [{ userName: 'Supervisor', password: 'Supervisor' }];

export async function startCreatioStandin(opts: CreatioStandinOptions = {}): Promise<CreatioStandin> {
  const o = validate(opts);
  const adjustable = opts.clock ? undefined : new AdjustableClock();
  const clock: Clock = opts.clock ?? adjustable!;
  const store = new EntityStore(o.caseInsensitiveText);
  const svc = new EntityService(store, {
    Contact: contactHooks(o.nameOrder),
    ContactCommunication: communicationHooks,
    ContactFolder: folderHooks,
    ContactInFolder: membershipHooks,
  });
  const auth = new AuthState(o.users, o.oauthClients, clock, {
    sessionTimeoutMinutes: o.sessionTimeoutMinutes,
    accessTokenTtlSec: o.accessTokenTtlSec,
    expiredSignal: o.sessionExpiredSignal,
    csrfRequired: o.csrfRequired,
  });
  seedReference(svc, o.users, auth.actorFor(o.users[0]!.userName), clock.now());
  const stats = new StatsCounter(o.dailyCallLimit);
  const limits = { cap: o.maxRecordsPerReply, ramLimitRows: o.ramLimitRows, ramLimitMb: o.ramLimitMb };
  const odata = new ODataService(store, svc, clock, limits, stats);
  const faults = new Faults();
  const ui = new CreatioUi({ svc, store, clock, auth }, o.users[0]!.userName);
  const demo = o.seedDemo ? seedDemo(ui) : undefined;
  const reject = o.dailyCallLimitMode === 'reject';

  const server: Server = createServer(
    createHandler({
      auth,
      odata,
      faults,
      stats,
      latencyMs: o.latencyMs,
      ramLimitMb: o.ramLimitMb,
      rejectOverLimit: reject,
      now: () => clock.now(),
      batch: {
        store,
        now: () => clock.now(),
        ramLimitMb: o.ramLimitMb,
        countCall: () => stats.apiCall(clock.now()) || !reject,
        expireSessions: () => auth.expireAll(),
      },
    }),
  );
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    odataUrl: `${url}/0/odata`,
    tokenUrl: `${url}/connect/token`,
    port,
    clock: {
      now: () => clock.now(),
      advance: (ms: number) => {
        if (!adjustable)
          throw new Error('advance() works with the default clock; move your own clock instead');
        adjustable.advance(ms);
      },
    },
    ui,
    faults: { add: (spec) => faults.add(spec), clear: () => faults.clear() },
    ...(demo ? { demo } : {}),
    stats: () => stats.snapshot(clock.now()),
    resetStats: () => stats.reset(),
    expireAllSessions: () => auth.expireAll(),
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      })),
  };
}

type Resolved = Required<Omit<CreatioStandinOptions, 'clock' | 'ramLimitRows' | 'dailyCallLimit'>> &
  Pick<CreatioStandinOptions, 'ramLimitRows' | 'dailyCallLimit'>;

function validate(opts: CreatioStandinOptions): Resolved {
  const o: Resolved = {
    port: opts.port ?? 0,
    latencyMs: opts.latencyMs ?? 0,
    users: opts.users ?? [...DEFAULT_USERS],
    sessionTimeoutMinutes: opts.sessionTimeoutMinutes ?? 60,
    sessionExpiredSignal: opts.sessionExpiredSignal ?? '401',
    oauthClients: opts.oauthClients ?? [],
    accessTokenTtlSec: opts.accessTokenTtlSec ?? 3600,
    maxRecordsPerReply: opts.maxRecordsPerReply ?? 20_000,
    ramLimitRows: opts.ramLimitRows,
    ramLimitMb: opts.ramLimitMb ?? 512,
    dailyCallLimit: opts.dailyCallLimit,
    dailyCallLimitMode: opts.dailyCallLimitMode ?? 'soft',
    csrfRequired: opts.csrfRequired ?? true,
    nameOrder: opts.nameOrder ?? 'GivenName MiddleName Surname',
    caseInsensitiveText: opts.caseInsensitiveText ?? true,
    seedDemo: opts.seedDemo ?? false,
  };
  const int = (name: string, v: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max))
      throw new RangeError(`${name} must be an integer from ${min} to ${max}; got ${v}`);
  };
  int('port', o.port, 0, 65535);
  int('latencyMs', o.latencyMs, 0);
  // UserSessionTimeout accepts 10–720 minutes in Creatio 8.1 (reference §2.1).
  int('sessionTimeoutMinutes', o.sessionTimeoutMinutes, 10, 720);
  int('accessTokenTtlSec', o.accessTokenTtlSec, 1);
  int('maxRecordsPerReply', o.maxRecordsPerReply, 1);
  int('ramLimitRows', o.ramLimitRows, 0);
  int('ramLimitMb', o.ramLimitMb, 1);
  int('dailyCallLimit', o.dailyCallLimit, 0);
  if (o.users.length === 0) throw new RangeError('users must not be empty');
  const names = new Set(o.users.map((u) => u.userName.toLowerCase()));
  if (names.size !== o.users.length) throw new RangeError('user names must be unique (case-insensitively)');
  for (const c of o.oauthClients)
    if (c.userName !== undefined && !names.has(c.userName.toLowerCase()))
      throw new RangeError(`oauth client ${c.clientId} acts as unknown user ${c.userName}`);
  return o;
}
