// Can the Google Cloud SDK emulators run here? Answered from files and one `java -version`,
// without invoking gcloud itself (which takes seconds).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

export type EmulatorKind = 'firestore' | 'pubsub';

export interface CloudSdkStatus {
  available: boolean;
  reason?: string;
  /** Absolute path of the gcloud executable that would be started. */
  gcloud?: string;
}

export const NO_GCLOUD_ENV = 'CONTACT_SYNC_NO_GCLOUD';

// The Firestore emulator jar needs Java 11+ (SDK 528 announces 21+ for later releases).
const MIN_JAVA = 11;

const COMPONENT_DIR: Record<EmulatorKind, string> = {
  firestore: 'platform/cloud-firestore-emulator',
  pubsub: 'platform/pubsub-emulator',
};

let javaProbe: { version?: number; reason?: string } | undefined;

/**
 * Without `component`: are gcloud and a suitable Java present? With it: also that emulator component.
 * `CONTACT_SYNC_NO_GCLOUD=1` answers "no", so the fallback path can be exercised on any machine.
 */
export function detectCloudSdk(component?: EmulatorKind): CloudSdkStatus {
  const override = process.env[NO_GCLOUD_ENV];
  if (override && override !== '0' && override !== 'false') {
    return { available: false, reason: `${NO_GCLOUD_ENV}=${override} is set` };
  }
  const gcloud = findOnPath('gcloud');
  if (!gcloud) return { available: false, reason: 'gcloud is not on PATH' };

  javaProbe ??= probeJava();
  if (javaProbe.reason) return { available: false, reason: javaProbe.reason, gcloud };

  if (component) {
    const root = sdkRoot(gcloud);
    // Layouts we do not recognise (snap, wrappers) are left to gcloud to judge at start time.
    if (root && !existsSync(join(root, COMPONENT_DIR[component]))) {
      const name = component === 'firestore' ? 'cloud-firestore-emulator' : 'pubsub-emulator';
      return {
        available: false,
        reason: `the gcloud component ${name} is not installed in ${root}`,
        gcloud,
      };
    }
  }
  return { available: true, gcloud };
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function sdkRoot(gcloud: string): string | undefined {
  try {
    const root = dirname(dirname(realpathSync(gcloud)));
    return existsSync(join(root, 'platform')) ? root : undefined;
  } catch {
    return undefined;
  }
}

// The emulator launch scripts run whichever `java` is on PATH, as gcloud does.
function probeJava(): { version?: number; reason?: string } {
  if (!findOnPath('java')) return { reason: 'java is not on PATH (the emulators need a Java 11+ JRE)' };
  const out = spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 10_000 });
  if (out.error || out.status !== 0) {
    return { reason: `\`java -version\` failed: ${out.error?.message ?? `exit ${out.status}`}` };
  }
  const text = `${out.stderr}${out.stdout}`;
  const match = /version "(?:1\.)?(\d+)/.exec(text);
  const version = match ? Number(match[1]) : NaN;
  if (!(version >= MIN_JAVA)) {
    return { reason: `java on PATH is version ${match?.[1] ?? 'unknown'}; the emulators need ${MIN_JAVA}+` };
  }
  return { version };
}
