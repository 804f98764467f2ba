// Shared emulators for the whole mocha run: each starts at most once, on first use, and stops after
// the run. Nothing global is set: clients get the emulator host in their constructor, and every
// suite gets its own project id so that suites never see each other's data.
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { detectCloudSdk, startFirestoreEmulator, startPubsubEmulator } from '../../infra/local/emulators.js';
import type { EmulatorHandle, EmulatorOptions } from '../../infra/local/emulators.js';

export type { EmulatorHandle } from '../../infra/local/emulators.js';

let firestoreStart: Promise<EmulatorHandle> | undefined;
let pubsubStart: Promise<EmulatorHandle | null> | undefined;
let pubsubMissing: string | undefined;
const clients = new Set<{ close(): Promise<void> }>();
let projectCounter = 0;

// Never used to sign (emulator channels are insecure), but without any credentials google-gax looks for
// application default credentials and probes the GCE metadata server: a MetadataLookupWarning per client.
const EMULATOR_CREDENTIALS = { client_email: 'emulator@demo.invalid', private_key: 'unused' };

// Emulator output is noise unless a start fails (then its last lines are in the error);
// CONTACT_SYNC_EMULATOR_LOG=1 streams it. Fallback notices always reach stderr.
const options = (): EmulatorOptions =>
  process.env.CONTACT_SYNC_EMULATOR_LOG === '1' ? { log: (line) => process.stderr.write(`${line}\n`) } : {};

/** The Firestore emulator of this run (gcloud, or the npm fallback without the SDK). */
export function firestoreEmulator(): Promise<EmulatorHandle> {
  // A failed start is remembered, so every test fails fast with the same error.
  firestoreStart ??= startFirestoreEmulator(options());
  return firestoreStart;
}

/** The Pub/Sub emulator of this run, or null without the Cloud SDK. */
export function pubsubEmulator(): Promise<EmulatorHandle | null> {
  pubsubStart ??= startPubsubEmulator(options()).then((handle) => {
    if (!handle) pubsubMissing = detectCloudSdk('pubsub').reason ?? 'the Google Cloud SDK is not available';
    return handle;
  });
  return pubsubStart;
}

/** A project id no other suite of this process uses. */
export function uniqueProjectId(label = 'test'): string {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 12);
  return `demo-${clean}-${process.pid}-${++projectCounter}`;
}

/**
 * A Firestore client on the emulator, for a fresh project unless one is given.
 * FIRESTORE_EMULATOR_HOST, if set in the environment, still wins inside the client library.
 */
export async function newFirestore(projectId: string = uniqueProjectId()): Promise<Firestore> {
  const { host } = await firestoreEmulator();
  const db = new Firestore({ projectId, host, ssl: false, credentials: EMULATOR_CREDENTIALS });
  clients.add({ close: () => db.terminate() });
  return db;
}

/** Deletes every document of the project in the emulator. */
export async function clearFirestore(projectId: string): Promise<void> {
  const emulator = await firestoreEmulator();
  if (emulator.implementation === 'gcloud') {
    const url = `http://${emulator.host}/emulator/v1/projects/${encodeURIComponent(projectId)}/databases/(default)/documents`;
    const res = await fetch(url, { method: 'DELETE', signal: AbortSignal.timeout(10_000) });
    if (!res.ok)
      throw new Error(`clearing Firestore project ${projectId}: HTTP ${res.status} ${await res.text()}`);
    return;
  }
  // The npm fallback has neither that endpoint nor the listing calls a recursive delete needs.
  if (!emulator.inspect) throw new Error(`cannot clear Firestore project ${projectId} on this emulator`);
  emulator.inspect.clear(projectId);
}

/** Every document of the project with its update time: equal before and after means nothing was written. */
export async function snapshotDocuments(db: Firestore): Promise<Record<string, string>> {
  // projectId is a public getter of the client, though its typings leave it out.
  const projectId = (db as unknown as { projectId: string }).projectId;
  const emulator = await firestoreEmulator();
  const out: Record<string, string> = {};
  if (emulator.inspect) {
    for (const [path, at] of emulator.inspect.documents(projectId)) out[path] = at.toISOString();
    return out;
  }
  const walk = async (collections: FirebaseFirestore.CollectionReference[], depth: number) => {
    if (depth > 6) return;
    for (const c of collections) {
      const snap = await c.get();
      for (const d of snap.docs)
        out[d.ref.path] = d.updateTime.toDate().toISOString() + d.updateTime.nanoseconds;
      // Documents that only hold subcollections are not returned by get(): list them too.
      for (const ref of await c.listDocuments()) await walk(await ref.listCollections(), depth + 1);
    }
  };
  await walk(await db.listCollections(), 0);
  return out;
}

/** A Pub/Sub client on the emulator; call skipUnlessPubsub(this) first where it may be missing. */
export async function newPubSub(projectId: string = uniqueProjectId()): Promise<PubSub> {
  const emulator = await pubsubEmulator();
  if (!emulator) throw new Error(`Pub/Sub emulator unavailable: ${pubsubMissing}`);
  const pubsub = new PubSub({
    projectId,
    apiEndpoint: emulator.host,
    emulatorMode: true,
    credentials: EMULATOR_CREDENTIALS,
  });
  clients.add({ close: () => pubsub.close() });
  return pubsub;
}

/** Skips the calling test (or, from a before hook, the suite) when Pub/Sub cannot run here. */
export async function skipUnlessPubsub(ctx: Mocha.Context): Promise<EmulatorHandle> {
  const emulator = await pubsubEmulator();
  if (emulator) return emulator;
  return skipWith(ctx, `no Pub/Sub emulator: ${pubsubMissing}`);
}

/** Skips the calling test on the npm Firestore fallback, which lacks what `needs` names. */
export async function skipOnFirestoreFallback(ctx: Mocha.Context, needs: string): Promise<void> {
  const emulator = await firestoreEmulator();
  if (emulator.implementation === 'npm-fallback')
    skipWith(ctx, `the npm Firestore fallback has no ${needs}; the gcloud emulator runs this`);
}

/** mocha's skip() takes no reason, so the reason goes into the test title and to stderr. */
export function skipWith(ctx: Mocha.Context, reason: string): never {
  const runnable = ctx.test as (Mocha.Runnable & { type?: string }) | undefined;
  const test =
    runnable?.type === 'test'
      ? runnable
      : runnable?.title.startsWith('"before each"')
        ? ctx.currentTest
        : undefined;
  if (test) test.title += ` (skipped: ${reason})`;
  else process.stderr.write(`skipping "${runnable?.parent?.fullTitle() ?? 'suite'}": ${reason}\n`);
  return ctx.skip();
}

/** Environment for child processes (functions-framework, scripts) that should use the emulators. */
export async function emulatorEnv(): Promise<Record<string, string>> {
  const env: Record<string, string> = { FIRESTORE_EMULATOR_HOST: (await firestoreEmulator()).host };
  const pubsub = await pubsubEmulator();
  if (pubsub) env.PUBSUB_EMULATOR_HOST = pubsub.host;
  return env;
}

/** Closes the clients made here and stops the emulators; safe to call more than once. */
export async function stopEmulators(): Promise<void> {
  const closing = [...clients].map((c) => withTimeout(c.close(), 5_000).catch(() => undefined));
  clients.clear();
  await Promise.all(closing);
  const starts = [firestoreStart, pubsubStart];
  firestoreStart = pubsubStart = undefined;
  const results = await Promise.allSettled(
    starts.map(async (start) => {
      const handle = await start?.catch(() => null);
      await handle?.stop();
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Root hook plugin form, for `--require test/support/emulators.ts`. */
export const mochaHooks = { afterAll: stopEmulators };

// Imported from a spec file, the module registers the same teardown as a root hook by itself; loaded
// with --require there is no `after` yet and mochaHooks does it. Whatever mocha skips (--exit, a
// crash) the exit handler and watchdogs of infra/local/emulators-process.ts clean up.
if (typeof globalThis.after === 'function') after(stopEmulators);
