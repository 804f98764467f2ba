// The whole system on one machine: emulators, stand-ins (or the real services named in the
// environment), the functions, Pub/Sub wiring, a demo tenant, a local scheduler tick, and the
// demo walk-through. `npm start` (start.ts) runs it until Ctrl-C; the test runs it in-process.
import type { Firestore } from '@google-cloud/firestore';
import { setLogSink } from '../../functions/log.js';
import type { App } from '../../shared/compose.js';
import { buildApp, useApp } from '../../shared/compose.js';
import { createSignInLink } from '../../shared/sessions.js';
import { DEFAULT_GROUP } from '../deploy/tenantArgs.js';
import { addTenant, rotateKey, TenantProblem } from '../deploy/tenantOps.js';
import type { CreatioStandin } from '../standins/creatio/index.js';
import { startCreatioStandin } from '../standins/creatio/index.js';
import type { GoogleStandin } from '../standins/google/index.js';
import { DEMO_CLIENT, startGoogleStandin } from '../standins/google/index.js';
import { bannerLines, curlLines, signInLines, tenantCliLines } from './stack-banner.js';
import type { Delivery } from './stack-delivery.js';
import { inProcessDelivery, pubsubDelivery } from './stack-delivery.js';
import type { WalkResult } from './stack-demo.js';
import { connectLink, seedDemoData, walkDemo } from './stack-demo.js';
import { emulatorFirestore, startEmulators } from './stack-emulators.js';
import type { Targets } from './stack-external.js';
import { chooseTargets } from './stack-external.js';
import type { ServedFunctions } from './stack-functions.js';
import { serveFunctions } from './stack-functions.js';
import type { ApiTarget } from './stack-http.js';
import type { PortChoice, PortName, StackOptions } from './stack-options.js';
import { onPort, PortBusyError, portFree } from './stack-ports.js';
import { encryptionKey } from './stack-state.js';
import { Teardown } from './stack-teardown.js';
import { startTicker } from './stack-ticker.js';
import { watchRuns } from './stack-watch.js';

export const PROJECT_ID = 'demo-contact-sync';
const RUN_TIMEOUT_MS = 90_000;

export interface LocalStack {
  projectId: string;
  functions: ServedFunctions;
  api: ApiTarget;
  app: App;
  db: Firestore;
  delivery: Delivery['kind'];
  /** "127.0.0.1:PORT" of each emulator; pubsub null when there is none. */
  emulatorHosts: { firestore: string; pubsub: string | null };
  google: GoogleStandin | null;
  creatio: CreatioStandin | null;
  /** The walk-through's result; null when it did not run (real services) or failed. */
  demo: WalkResult | null;
  demoError: Error | null;
  /** Sign-in links to the pages (single use, 10 minutes): the demo salesperson's and the admin's. */
  signIn: { user: string; admin: string };
  /** Stops everything started, emulator processes included; safe to call more than once. */
  stop(): Promise<void>;
}

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export async function startLocalStack(
  options: StackOptions,
  env: Record<string, string | undefined>,
  say: (line: string) => void,
  signal?: AbortSignal,
): Promise<LocalStack> {
  // Variables, named ports and the key are checked before anything starts: a mistake costs no
  // emulator start.
  const targets = chooseTargets(env);
  for (const note of targets.notes) say(note);
  for (const [name, choice] of Object.entries(options.ports) as [PortName, PortChoice][])
    if (choice.explicit && !(await portFree(choice.port))) throw new PortBusyError(name, choice.port);
  const key = encryptionKey(options.stateDir, env);
  const teardown = new Teardown();
  const step = () => {
    if (signal?.aborted) throw new Interrupted();
  };
  try {
    return await start(options, targets, key, teardown, say, step);
  } catch (e) {
    await teardown.run(say);
    throw e;
  }
}

async function start(
  options: StackOptions,
  targets: Targets,
  key: ReturnType<typeof encryptionKey>,
  teardown: Teardown,
  say: (line: string) => void,
  step: () => void,
): Promise<LocalStack> {
  say('Starting the Firestore and Pub/Sub emulators…');
  const emulators = await startEmulators(options, PROJECT_ID, say, (stop, what) => teardown.add(what, stop));
  step();

  const google =
    targets.google.kind === 'standin'
      ? await onPort('google', options.ports.google, (port) => startGoogleStandin({ port }), say)
      : null;
  if (google) teardown.add('Google stand-in', () => google.close());
  const creatio =
    targets.creatio.kind === 'standin'
      ? await onPort('creatio', options.ports.creatio, (port) => startCreatioStandin({ port }), say)
      : null;
  if (creatio) teardown.add('Creatio stand-in', () => creatio.close());
  const seed = seedDemoData(google, creatio);

  // A real OAuth client has its redirect URI registered: the functions' port may not move.
  const functionsPort =
    targets.google.kind === 'real' ? { ...options.ports.functions, explicit: true } : options.ports.functions;
  const fn = await serveFunctions(functionsPort, say);
  teardown.add('functions', () => fn.close());
  step();

  const delivery = emulators.pubsub
    ? await pubsubDelivery(emulators.pubsub.host, PROJECT_ID, fn)
    : inProcessDelivery(PROJECT_ID, fn, say);
  teardown.add('message delivery', () => delivery.close());

  const db = emulatorFirestore(emulators.firestore.host, PROJECT_ID);
  teardown.add('Firestore client', () => db.terminate());
  const googleEnv: Record<string, string> =
    targets.google.kind === 'real'
      ? targets.google.env
      : {
          GOOGLE_CLIENT_ID: DEMO_CLIENT.clientId,
          GOOGLE_CLIENT_SECRET: DEMO_CLIENT.clientSecret,
          GOOGLE_PEOPLE_API_URL: google!.url,
          GOOGLE_OAUTH_AUTH_URL: google!.endpoints.oauth2AuthBaseUrl,
          GOOGLE_OAUTH_TOKEN_URL: google!.endpoints.oauth2TokenUrl,
          GOOGLE_OAUTH_REVOKE_URL: google!.endpoints.oauth2RevokeUrl,
        };
  const app = await buildApp(
    {
      GOOGLE_CLOUD_PROJECT: PROJECT_ID,
      TOKEN_ENCRYPTION_KEY: key.key,
      OAUTH_START_URL: fn.url('oauthStart'),
      PAGES_URL: fn.url('pages'),
      OAUTH_REDIRECT_URL: fn.url('oauthCallback'),
      ...googleEnv,
    },
    { firestore: db, ...delivery.clients },
  );
  useApp(app);
  teardown.add('the app', async () => {
    useApp(null);
    await app.close();
  });
  const watch = watchRuns({
    app,
    db,
    say,
    verbose: options.verbose,
    demo: { tenantId: options.tenantId, userId: options.userId },
  });
  setLogSink(watch.sink);
  teardown.add('log', async () => {
    await watch.settle();
    setLogSink(null);
  });

  const creatioUrl = targets.creatio.kind === 'real' ? targets.creatio.url : creatio!.url;
  const apiKey = await registerTenant(db, app, options, targets, creatioUrl);
  const api: ApiTarget = {
    syncNowUrl: fn.url('syncNow'),
    syncStatusUrl: fn.url('syncStatus'),
    apiKey,
    tenantId: options.tenantId,
    userId: options.userId,
  };

  const keyNote =
    key.origin === 'environment'
      ? 'TOKEN_ENCRYPTION_KEY from the environment'
      : `${key.origin === 'generated' ? 'generated, kept in' : 'kept in'} ${key.file}`;
  for (const line of bannerLines({
    projectId: PROJECT_ID,
    emulators,
    google: google ? { url: google.url } : null,
    creatio: { url: creatioUrl, real: targets.creatio.kind === 'real' },
    fn,
    routes: delivery.routes,
    keyNote,
    tickSeconds: options.tickSeconds,
  }))
    say(line);
  const authNote =
    targets.creatio.kind === 'real'
      ? `Creatio ${targets.creatio.auth.mode === 'cookie' ? `user ${targets.creatio.auth.userName}` : 'OAuth client'}, secret sealed`
      : 'Creatio user Supervisor, password sealed';
  say(`Tenant "${options.tenantId}" registered (${authNote}); its API key, shown once:`);
  say(`API key: ${apiKey}`);
  say('');
  step();

  let demo: WalkResult | null = null;
  let demoError: Error | null = null;
  const tick = () => {
    // Stopping begins here: no new ticks, then no new requests, while the app can still answer.
    teardown.add('functions', () => fn.close());
    const ticker = startTicker(options.tickSeconds, db, (t) => delivery.tick(t), say);
    teardown.add('scheduler tick', () => ticker.stop());
  };
  const groupId = targets.creatio.kind === 'real' ? targets.creatio.groupId : seed.folderId;
  if (groupId)
    say(`CRM group to sync: ${groupId}${creatio ? ` (the stand-in's static group "bpm'online")` : ''}`);
  if (google && creatio) {
    try {
      demo = await walkDemo({
        fn,
        api,
        google,
        creatio,
        seed,
        groupName: DEFAULT_GROUP,
        say,
        runTimeoutMs: RUN_TIMEOUT_MS,
      });
    } catch (e) {
      demoError = e instanceof Error ? e : new Error(String(e));
      say(`Demo stopped: ${demoError.message}`);
    }
    say('');
  } else {
    const folderId = targets.creatio.kind === 'real' ? targets.creatio.groupId : seed.folderId!;
    const link = await connectLink(fn, api, folderId);
    say(`Connect a Google account: open this link within 10 minutes (it works once):`);
    say(`  ${link}`);
    if (targets.google.kind === 'real')
      say(`  (the OAuth client must list ${fn.url('oauthCallback')} as an authorised redirect URI)`);
    say('The first sync follows at the next tick; or use syncNow below.');
    demoError = new Error('the walk-through needs both stand-ins; the connect link is for a person to open');
    say('');
  }
  const tenant = await app.tenants.get(options.tenantId);
  if (!tenant) throw new Error(`tenant ${options.tenantId} vanished`);
  const signIn = {
    user: (await createSignInLink(app, tenant, { userId: options.userId })).url,
    admin: (await createSignInLink(app, tenant, { admin: true })).url,
  };
  // Ticks start after the walk, so its runs are the ones it asked for.
  tick();
  watch.live();
  // With --demo-and-exit everything stops next: hints for a running stack would only mislead.
  if (!options.demoAndExit) {
    for (const line of signInLines(fn, options.tenantId, options.userId, signIn)) say(line);
    for (const line of curlLines(fn, options.tenantId, options.userId)) say(line);
    for (const line of tenantCliLines(PROJECT_ID, emulators.firestore.host, key.file, creatioUrl)) say(line);
    say('');
  }

  return {
    projectId: PROJECT_ID,
    functions: fn,
    api,
    app,
    db,
    delivery: delivery.kind,
    emulatorHosts: { firestore: emulators.firestore.host, pubsub: emulators.pubsub?.host ?? null },
    google,
    creatio,
    demo,
    demoError,
    signIn,
    stop: () => teardown.run(say),
  };
}

async function registerTenant(
  db: Firestore,
  app: App,
  options: StackOptions,
  targets: Targets,
  creatioUrl: string,
): Promise<string> {
  const input = {
    tenantId: options.tenantId,
    creatioUrl,
    auth:
      targets.creatio.kind === 'real'
        ? targets.creatio.auth
        : { mode: 'cookie' as const, userName: 'Supervisor', password: 'Supervisor' },
    defaults: {
      intervalMinutes: options.intervalMinutes,
      googleGroupName: DEFAULT_GROUP,
      policy: 'newest-wins' as const,
    },
    replace: false,
  };
  try {
    const { apiKey } = await addTenant(db, app.sealer, input, Date.now());
    return apiKey!;
  } catch (e) {
    // The emulator starts empty, so this is someone else's data (a reused emulator): take it over.
    if (!(e instanceof TenantProblem)) throw e;
    await addTenant(db, app.sealer, { ...input, replace: true }, Date.now());
    return rotateKey(db, options.tenantId);
  }
}
