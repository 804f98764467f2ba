// The simulated world: both stand-ins over loopback HTTP on one manual clock, the real Google and
// Creatio adapters, the real runner and per-user job, and in-memory fakes of our own state ports.
import { ManualClock, startCreatioStandin, type CreatioStandin } from '../../infra/standins/creatio/index.js';
import {
  startGoogleStandin,
  type GoogleStandin,
  type PersonJson,
} from '../../infra/standins/google/index.js';
import { CreatioSide } from '../../shared/adapters/creatio/index.js';
import { GoogleOAuth, GooglePeopleSide } from '../../shared/adapters/google/index.js';
import type { ContactSide, JobQueue, SyncRequest } from '../../shared/ports.js';
import type { Contact } from '../../shared/sync/index.js';
import { FakeConnections } from '../fakes/fakeConnections.js';
import type { SimSide } from './commands.js';
import type { Rng } from './rng.js';

export const TENANT = 'sim';
export const USER = 'seller';
export const GROUP = "bpm'online";
const CLIENT = {
  clientId: 'sim.apps.googleusercontent.com',
  clientSecret: 'sim-secret',
  redirectUris: ['http://127.0.0.1:9/cb'],
};
const MY_CONTACTS = 'contactGroups/myContacts';

export class Crash extends Error {}

// Starting the Google stand-in costs an RSA key; one per process serves every scenario, each on its
// own account, its clock following the scenario's.
let google: Promise<GoogleStandin> | null = null;
let currentClock: { now(): number } = { now: () => Date.now() };
let accounts = 0;
function sharedGoogle(clock: { now(): number }): Promise<GoogleStandin> {
  currentClock = clock;
  google ??= startGoogleStandin({ clock: { now: () => currentClock.now() }, oauthClients: [CLIENT] });
  return google;
}

/** Closes the shared stand-in (the test runner and the CLI call it once at the end). */
export async function closeSimulation(): Promise<void> {
  if (google) await (await google).close();
  google = null;
}

class Queue implements JobQueue {
  readonly sent: SyncRequest[] = [];
  async publishSync(requests: SyncRequest[]): Promise<void> {
    this.sent.push(...requests);
  }
}

export const nameOf = (who: number) => `P${who}`;
export const emailOf = (who: number) => `p${who}@example.com`;

/** Port methods that are the side's own bookkeeping, synchronous, with no request behind them. */
const LOCAL = new Set<PropertyKey>(['settleCursor', 'releaseReads', 'constructor']);

export class SimWorld {
  readonly clock: ManualClock;
  readonly connections = new FakeConnections();
  readonly queue = new Queue();
  private ids = 0;
  private refreshToken = '';
  /** Set for one run: throws Crash at the n-th external call of that run. */
  crashPlan: { at: number; after: boolean } | null = null;
  private calls = 0;

  private constructor(
    readonly rng: Rng,
    readonly google: GoogleStandin,
    readonly creatio: CreatioStandin,
    readonly folderId: string,
    readonly oauth: GoogleOAuth,
    clock: ManualClock,
    /** A fresh Google account per scenario: the stand-in is shared, accounts never are. */
    readonly account: string,
  ) {
    this.clock = clock;
  }

  static async start(rng: Rng): Promise<SimWorld> {
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 9));
    const google = await sharedGoogle(clock);
    const creatio = await startCreatioStandin({ clock });
    const folder = creatio.ui.createFolder({ name: 'Sync group' });
    const oauth = new GoogleOAuth(
      {
        peopleApiUrl: google.url,
        oauth: {
          authUrl: google.endpoints.oauth2AuthBaseUrl,
          tokenUrl: google.endpoints.oauth2TokenUrl,
          revokeUrl: google.endpoints.oauth2RevokeUrl,
          clientId: CLIENT.clientId,
          clientSecret: CLIENT.clientSecret,
          redirectUrl: CLIENT.redirectUris[0]!,
        },
      },
      { userInfoUrl: google.endpoints.userInfoUrl, tokenInfoUrl: google.endpoints.tokenInfoUrl },
    );
    const w = new SimWorld(
      rng,
      google,
      creatio,
      folder.Id as string,
      oauth,
      clock,
      `seller-${++accounts}@example.com`,
    );
    await w.connect();
    return w;
  }

  /** The real consent dance against the stand-in, then the connection record. */
  private async connect(): Promise<void> {
    const pkce = await this.oauth.createPkce();
    const url = this.oauth.authorizationUrl({
      state: 's',
      codeChallenge: pkce.challenge,
      loginHint: this.account,
    });
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const { refreshToken, account } = await this.oauth.exchangeCode(code, pkce.verifier);
    this.refreshToken = refreshToken;
    await this.connections.connect({
      tenantId: TENANT,
      userId: USER,
      crmGroupId: this.folderId,
      google: account,
      refreshTokenSealed: 'unused-in-simulation',
      defaults: { intervalMinutes: 15, policy: 'newest-wins' },
      now: this.clock.now(),
    });
  }

  async close(): Promise<void> {
    this.google.faults.clear();
    await this.creatio.close();
  }

  /** GUIDs, because a new CRM contact's id is preassigned from it (Creatio keys are GUIDs). */
  readonly newId = (): string => `00000000-0000-4000-8000-${String(++this.ids).padStart(12, '0')}`;

  /** Backoff waits move the manual clock instead of sleeping. */
  private readonly sleep = async (ms: number) => this.clock.advance(ms);

  /** Fresh adapters for one run, as each function invocation builds them. */
  openSides(): Record<SimSide, ContactSide> {
    const random = () => this.rng.next();
    const google = new GooglePeopleSide({
      auth: this.oauth.authorizedClient(this.refreshToken),
      peopleApiUrl: this.google.url,
      groupName: GROUP,
      sleep: this.sleep,
      clock: this.clock,
      random,
      timeoutMs: 400,
    });
    const crm = new CreatioSide({
      baseUrl: this.creatio.url,
      auth: { mode: 'cookie', userName: 'Supervisor', password: 'Supervisor' },
      folderId: this.folderId,
      clock: this.clock,
      sleep: this.sleep,
      random,
      timeoutMs: 400,
    });
    return { crm: this.crashing(crm), google: this.crashing(google) };
  }

  /** Every port call counts towards the planned crash point. */
  crashing<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (obj, prop, receiver) => {
        const v = Reflect.get(obj, prop, receiver) as unknown;
        // Local bookkeeping, not an external call: no crash point, and called without awaiting.
        if (typeof v !== 'function' || LOCAL.has(prop)) return v;
        return async (...args: unknown[]) => {
          this.maybeCrash(false);
          const result = await (v as (...a: unknown[]) => Promise<unknown>).apply(obj, args);
          this.maybeCrash(true);
          return result;
        };
      },
    });
  }

  private maybeCrash(after: boolean): void {
    const plan = this.crashPlan;
    if (!plan || plan.after !== after) return;
    if (this.calls++ === plan.at) {
      this.crashPlan = null;
      throw new Crash(`crash ${after ? 'after' : 'before'} external call ${plan.at}`);
    }
  }

  armCrash(at: number, after: boolean): void {
    this.calls = 0;
    this.crashPlan = { at, after };
  }

  // ---- the users ----

  googleGroup(): string | null {
    const g = this.google.user.listGroups(this.account).find((x) => x.name === GROUP);
    return (g?.resourceName as string | undefined) ?? null;
  }

  googlePeople(): Record<string, unknown>[] {
    return this.google.user.listContacts(this.account) as Record<string, unknown>[];
  }

  googleOf(who: number): Record<string, unknown> | undefined {
    return this.googlePeople().find(
      (p) => (p.names as { givenName?: string }[] | undefined)?.[0]?.givenName === nameOf(who),
    );
  }

  crmContacts(): Record<string, unknown>[] {
    return this.creatio.ui.rows('Contact').filter((r) => /^P\d+$/.test(String(r.GivenName)));
  }

  crmOf(who: number): Record<string, unknown> | undefined {
    return this.creatio.ui.rows('Contact', `$filter=GivenName eq '${nameOf(who)}'`)[0];
  }

  crmMembers(): string[] {
    return this.creatio.ui
      .rows('ContactInFolder', `$filter=FolderId eq ${this.folderId}`)
      .map((r) => String(r.ContactId));
  }

  googleMembers(): string[] {
    const g = this.google.user.listGroups(this.account).find((x) => x.name === GROUP);
    return (g?.memberResourceNames as string[] | undefined) ?? [];
  }

  createGoogle(who: number, inGroup: boolean): void {
    const group = this.googleGroup();
    const memberships = [MY_CONTACTS, ...(inGroup && group ? [group] : [])].map((g) => ({
      contactGroupMembership: { contactGroupResourceName: g },
    }));
    this.google.user.createContact(this.account, {
      names: [{ givenName: nameOf(who), familyName: 'Initial' }],
      emailAddresses: [{ value: emailOf(who), type: 'work' }],
      memberships,
    } as PersonJson);
  }

  createCrm(who: number, inGroup: boolean): void {
    const row = this.creatio.ui.createContact({
      GivenName: nameOf(who),
      Surname: 'Initial',
      communications: [{ type: 'Email', number: emailOf(who) }],
    });
    if (inGroup) this.creatio.ui.addToFolder(this.folderId, row.Id as string);
  }

  setGroupGoogle(rn: string, inGroup: boolean): void {
    const group = this.googleGroup();
    if (!group) return;
    if (inGroup) this.google.user.addToGroup(this.account, group, rn);
    else this.google.user.removeFromGroup(this.account, group, rn);
  }

  setGroupCrm(id: string, inGroup: boolean): void {
    if (inGroup) this.creatio.ui.addToFolder(this.folderId, id);
    else this.creatio.ui.removeFromFolder(this.folderId, id);
  }
}

/** The canonical value a user edit gives the field (value 0 clears it). */
export function editedValue(field: string, who: number, value: number): Partial<Contact> {
  switch (field) {
    case 'phones':
      return { phones: value === 0 ? [] : [{ number: `+1 555 010 ${who}${value}`, type: 'mobile' }] };
    case 'birthday':
      return { birthday: value === 0 ? '' : `19${70 + value}-0${value}-1${value}` };
    case 'familyName':
      return { familyName: value === 0 ? '' : `Family${value}` };
    default:
      return { [field]: value === 0 ? '' : `${field} ${value}` } as Partial<Contact>;
  }
}
