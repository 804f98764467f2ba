// Both emulators for the local stack, started side by side through emulators.ts. Its notices are
// rewritten for this context: without the SDK the stack goes on without Pub/Sub rather than skipping.
import { Firestore } from '@google-cloud/firestore';
import type { EmulatorHandle } from './emulators.js';
import { detectCloudSdk, startFirestoreEmulator, startPubsubEmulator } from './emulators.js';
import type { StackOptions } from './stack-options.js';
import { emulatorPort } from './stack-ports.js';

export interface Emulators {
  firestore: EmulatorHandle;
  /** null: no Pub/Sub emulator here (no Cloud SDK). */
  pubsub: EmulatorHandle | null;
  /** Why there is no Pub/Sub emulator. */
  pubsubMissing?: string;
}

const START_TIMEOUT_MS = 90_000;

export async function startEmulators(
  options: StackOptions,
  projectId: string,
  say: (line: string) => void,
  onStarted: (stop: () => Promise<void>, what: string) => void,
): Promise<Emulators> {
  const log = (kind: string) => (line: string) => {
    if (/^Firestore: gcloud emulator not found/.test(line)) say(line);
    else if (/^Pub\/Sub: no emulator/.test(line)) return;
    else if (options.verbose) say(`[${kind} emulator] ${line}`);
  };
  const common = { projectId, startTimeoutMs: START_TIMEOUT_MS };
  const [firestorePort, pubsubPort] = [
    await emulatorPort('firestore', options.ports.firestore, say),
    await emulatorPort('pubsub', options.ports.pubsub, say),
  ];
  const [firestore, pubsub] = await Promise.allSettled([
    startFirestoreEmulator({ ...common, port: firestorePort, log: log('firestore') }),
    startPubsubEmulator({ ...common, port: pubsubPort, log: log('pubsub') }),
  ]);
  // Whatever started is handed over for stopping before a failure of the other is reported.
  if (firestore.status === 'fulfilled') onStarted(() => firestore.value.stop(), 'Firestore emulator');
  if (pubsub.status === 'fulfilled' && pubsub.value)
    onStarted(() => pubsub.value!.stop(), 'Pub/Sub emulator');
  if (firestore.status === 'rejected') throw new Error(`Firestore emulator: ${message(firestore.reason)}`);
  if (pubsub.status === 'rejected') throw new Error(`Pub/Sub emulator: ${message(pubsub.reason)}`);
  if (pubsub.value) return { firestore: firestore.value, pubsub: pubsub.value };
  const pubsubMissing = detectCloudSdk('pubsub').reason ?? 'the Google Cloud SDK is not available';
  say(
    `Pub/Sub: no emulator without the Google Cloud SDK (${pubsubMissing}). Sync requests and ticks are ` +
      `delivered in-process instead, as push requests to the same syncUser and tickTenant handlers.`,
  );
  return { firestore: firestore.value, pubsub: null, pubsubMissing };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

// Never used to sign (emulator channels are insecure); without any, the client probes the GCE
// metadata server for application default credentials.
const EMULATOR_CREDENTIALS = { client_email: 'emulator@demo.invalid', private_key: 'unused' };

export function emulatorFirestore(host: string, projectId: string): Firestore {
  return new Firestore({ projectId, host, ssl: false, credentials: EMULATOR_CREDENTIALS });
}
