// The official Firestore and Pub/Sub emulators of the Google Cloud SDK, started on 127.0.0.1 for tests
// and the local stack. Without the SDK, Firestore falls back to an npm emulator and Pub/Sub is absent;
// both say so, because the fallback is weaker than the real thing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectCloudSdk } from './emulators-detect.js';
import type { EmulatorKind } from './emulators-detect.js';
import { FALLBACK_PACKAGE, startFallbackFirestore } from './emulators-fallback.js';
import type { FallbackInspector } from './emulators-fallback.js';
import { freeLoopbackPort, httpGet, portOpen, spawnGroup, waitUntil } from './emulators-process.js';

export { detectCloudSdk, NO_GCLOUD_ENV } from './emulators-detect.js';
export type { CloudSdkStatus } from './emulators-detect.js';

export interface EmulatorHandle {
  kind: EmulatorKind;
  /** "127.0.0.1:PORT", as FIRESTORE_EMULATOR_HOST / PUBSUB_EMULATOR_HOST expect it. */
  host: string;
  implementation: 'gcloud' | 'npm-fallback';
  /** Milliseconds from spawn until the emulator answered. */
  startupMs: number;
  /** Process group of the gcloud emulator; absent for the in-process fallback. */
  pgid?: number;
  /** Only the in-process Firestore fallback: its data, seen without the API calls it lacks. */
  inspect?: FallbackInspector;
  /** Stops the emulator and every process it started; resolves once its port is closed. */
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Loopback port; a free one is picked when omitted. */
  port?: number;
  projectId?: string;
  /** Receives the emulator's output and the fallback notices; without it notices go to stderr. */
  log?: (line: string) => void;
  /** Bound on the wait for the emulator to answer; default 60 s. */
  startTimeoutMs?: number;
}

const DEFAULT_PROJECT = 'demo-contact-sync';
const DEFAULT_START_TIMEOUT_MS = 60_000;

export async function startFirestoreEmulator(opts: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const sdk = detectCloudSdk('firestore');
  if (!sdk.available) {
    notice(
      opts,
      `Firestore: gcloud emulator not found (${sdk.reason}); using ${FALLBACK_PACKAGE}, ` +
        `which loses concurrent transaction updates`,
    );
    const started = Date.now();
    const fallback = await startFallbackFirestore(opts.port ?? 0);
    return {
      kind: 'firestore',
      host: `127.0.0.1:${fallback.port}`,
      implementation: 'npm-fallback',
      startupMs: Date.now() - started,
      inspect: fallback.inspect,
      async stop() {
        fallback.stop();
        await ensureClosed(fallback.port, 'firestore (npm fallback)');
      },
    };
  }
  return startGcloud('firestore', opts, (port) => [
    'emulators',
    'firestore',
    'start',
    `--host-port=127.0.0.1:${port}`,
    '--database-mode=firestore-native',
    `--project=${opts.projectId ?? DEFAULT_PROJECT}`,
    '--quiet',
  ]);
}

/** Resolves to null when the Cloud SDK is missing: there is no Pub/Sub emulator without it. */
export async function startPubsubEmulator(opts: EmulatorOptions = {}): Promise<EmulatorHandle | null> {
  const sdk = detectCloudSdk('pubsub');
  if (!sdk.available) {
    notice(
      opts,
      `Pub/Sub: no emulator without the Google Cloud SDK (${sdk.reason}); what needs Pub/Sub runs without it or is skipped`,
    );
    return null;
  }
  // gcloud writes env.yaml into the data dir; the default is shared by every run on the machine.
  const dataDir = mkdtempSync(join(tmpdir(), 'contact-sync-pubsub-'));
  try {
    const handle = await startGcloud('pubsub', opts, (port) => [
      'beta',
      'emulators',
      'pubsub',
      'start',
      `--host-port=127.0.0.1:${port}`,
      `--project=${opts.projectId ?? DEFAULT_PROJECT}`,
      `--data-dir=${dataDir}`,
      '--quiet',
    ]);
    const stop = handle.stop;
    return { ...handle, stop: () => stop().finally(() => rmSync(dataDir, { recursive: true, force: true })) };
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

async function startGcloud(
  kind: EmulatorKind,
  opts: EmulatorOptions,
  args: (port: number) => string[],
): Promise<EmulatorHandle> {
  // A port picked here may be taken by someone else before Java binds it: try once more with another.
  const attempts = opts.port ? 1 : 2;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freeLoopbackPort());
    try {
      return await startGcloudOnce(kind, port, opts, args(port));
    } catch (err) {
      if (attempt >= attempts || !(err instanceof PortInUseError)) throw err;
    }
  }
}

class PortInUseError extends Error {}

async function startGcloudOnce(
  kind: EmulatorKind,
  port: number,
  opts: EmulatorOptions,
  args: string[],
): Promise<EmulatorHandle> {
  const timeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const started = Date.now();
  // The Pub/Sub emulator stays up after failing to bind its port, so that failure is read from its output.
  let bindError: string | undefined;
  const proc = spawnGroup('gcloud', args, {
    env: { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' },
    log: (line) => {
      if (!bindError && /address already in use|BindException/i.test(line)) bindError = line.trim();
      opts.log?.(line);
    },
  });
  // Firestore answers GET / with "Ok"; for Pub/Sub any HTTP answer means it is serving.
  const ready = async (): Promise<boolean> => {
    const body = await httpGet(port);
    return kind === 'firestore' ? body?.trim() === 'Ok' : body !== undefined;
  };
  const failed = (): boolean => proc.exitCode() !== undefined || bindError !== undefined;
  const up = await waitUntil(async () => failed() || (await ready()), timeoutMs);
  if (!up || failed()) {
    const output = proc.lastLines();
    const exited = proc.exitCode();
    await proc.kill();
    const why = bindError
      ? `could not bind its port: ${bindError}`
      : !up
        ? `did not answer within ${timeoutMs} ms`
        : `exited with code ${exited} before answering`;
    const message =
      `${kind} emulator (gcloud ${args.slice(0, 4).join(' ')}) on 127.0.0.1:${port} ${why}. ` +
      `Last output:\n${output.slice(-20).join('\n') || '(none)'}`;
    throw bindError ? new PortInUseError(message) : new Error(message);
  }
  const startupMs = Date.now() - started;
  return {
    kind,
    host: `127.0.0.1:${port}`,
    implementation: 'gcloud',
    startupMs,
    pgid: proc.pgid,
    async stop() {
      await proc.kill();
      await ensureClosed(port, kind);
    },
  };
}

async function ensureClosed(port: number, what: string): Promise<void> {
  if (!(await waitUntil(async () => !(await portOpen(port)), 5_000))) {
    throw new Error(`${what} emulator stopped but 127.0.0.1:${port} still accepts connections`);
  }
}

function notice(opts: EmulatorOptions, line: string): void {
  if (opts.log) opts.log(line);
  else process.stderr.write(`${line}\n`);
}
