// The nine functions, each with its trigger, identity and configuration. Secrets reach a function only
// as Secret Manager references mounted by the platform, so no deploy command ever carries a secret value.
import type { AccountRole } from './names.js';
import { SECRETS, TOPICS, serviceAccountEmail } from './names.js';
import { RUNTIME } from './runtime.js';

export type Trigger = { kind: 'topic'; topic: string; retry: boolean } | { kind: 'http' };

export interface FunctionSpec {
  name: string;
  trigger: Trigger;
  account: AccountRole;
  timeoutSeconds: number;
  /** Default MEMORY. */
  memory?: string;
  /** Secrets its service account may read. */
  secrets: (keyof typeof SECRETS)[];
  /** Bounds the instances (and so the bill, and the load on Firestore) a burst can start. */
  maxInstances: number;
}

/** Longest a sync run may take; the ack deadline and the lease must outlast it. */
export const SYNC_TIMEOUT_SECONDS = 540;
/** A run stops starting new work this long before its timeout, to commit what it did. */
export const SYNC_TIME_BUDGET_SECONDS = 480;
export const LEASE_TTL_SECONDS = 600;
export const MEMORY = '256Mi';
/**
 * Every run measured by npm run bench fits the smallest tier under its flags: up to 41,667 pairs, a
 * first sync of 25,000 contacts a side, the 24-hour full read, and the first sync of a 100,000-member
 * CRM group (at most 238 MiB), so syncUser runs there too.
 */
export const SYNC_MEMORY = MEMORY;

/**
 * What the process needs outside V8's old space (code, buffers, young generation, the gRPC and HTTP
 * clients): about 70 MiB at rest and up to 115 MiB in a large sync (npm run bench, a first sync of
 * 25,000 contacts a side: 290 MiB resident with an old space of 200 MiB, 260 with 150, 245 with 140
 * and a young generation of 1 MiB semi-spaces).
 */
const OUTSIDE_HEAP_MIB = 116;
/**
 * Node's flags for a memory tier: an old space that leaves room for the rest of the process, so V8
 * collects before the instance is killed, and a small young generation, which keeps peaks low. V8's
 * memory-over-speed mode, which Node refuses here, is set by the service itself (shared/compose.ts).
 * `npm run bench` runs every invocation with the smallest tier's flags.
 */
export function nodeOptions(memory: string): string {
  const mib = Number(/^(\d+)Mi$/.exec(memory)?.[1]);
  if (!Number.isInteger(mib) || mib <= OUTSIDE_HEAP_MIB)
    throw new Error(`memory ${memory}: expected e.g. 256Mi`);
  return `--max-old-space-size=${mib - OUTSIDE_HEAP_MIB} --max-semi-space-size=1`;
}

// shared/compose.ts builds the whole service in every function and validates the whole configuration
// at start, so every function needs both secrets today. Narrow these lists if that ever changes.
const BOTH: FunctionSpec['secrets'] = ['tokenKey', 'googleClientSecret'];
const http = (name: string): FunctionSpec => ({
  name,
  trigger: { kind: 'http' },
  account: 'api',
  timeoutSeconds: 60,
  secrets: BOTH,
  maxInstances: 10,
});

export const FUNCTIONS: readonly FunctionSpec[] = [
  // No retry: a failed fan-out is repeated by the next tick, and retries would only pile up ticks.
  {
    name: 'tickTenant',
    trigger: { kind: 'topic', topic: TOPICS.tick, retry: false },
    account: 'ticker',
    timeoutSeconds: 120,
    secrets: BOTH,
    // Ticks are one per tenant and short; a handful of instances serve many tenants.
    maxInstances: 5,
  },
  // Retried with backoff and dead-lettered after a few attempts (see the subscription step).
  {
    name: 'syncUser',
    trigger: { kind: 'topic', topic: TOPICS.user, retry: true },
    account: 'runner',
    timeoutSeconds: SYNC_TIMEOUT_SECONDS,
    memory: SYNC_MEMORY,
    secrets: BOTH,
    // One run per instance (gen2 default concurrency 1 for this memory); the per-tenant cap (tenant
    // setting maxConcurrentSyncs) keeps one tenant from taking them all.
    maxInstances: 50,
  },
  // What Pub/Sub gave up on, recorded for the tenant's admin view. Retried: a record is one idempotent
  // write, and a dead letter that fails to be recorded must not vanish.
  {
    name: 'deadLetter',
    trigger: { kind: 'topic', topic: TOPICS.dead, retry: true },
    account: 'ticker',
    timeoutSeconds: 60,
    secrets: BOTH,
    maxInstances: 3,
  },
  http('syncNow'),
  http('syncStatus'),
  http('syncSettings'),
  http('oauthStart'),
  http('oauthCallback'),
  http('pages'),
];

/**
 * Both secrets are mounted by Cloud Run as environment variables (--set-secrets), so the deploy command
 * holds only references and a function has its keys before its code runs. The token key ring is pinned
 * to a version, never "latest": rotation adds a version and redeploys in steps (infra/README.md), and a
 * new version must not silently reach instances that started before it.
 */
export function secretFlags(spec: FunctionSpec, tokenKeyVersion: string): string[] {
  return spec.secrets.map((s) =>
    s === 'tokenKey'
      ? `TOKEN_ENCRYPTION_KEYS=${SECRETS.tokenKey}:${tokenKeyVersion}`
      : `GOOGLE_CLIENT_SECRET=${SECRETS.googleClientSecret}:latest`,
  );
}

/** gen2 functions keep the first-generation URL too, so it is known before the first deploy. */
export const functionUrl = (project: string, region: string, name: string): string =>
  `https://${region}-${project}.cloudfunctions.net/${name}`;

export interface DeployInput {
  project: string;
  region: string;
  source: string;
  /** The Secret Manager version of the token key ring, pinned (see secretFlags). */
  tokenKeyVersion: string;
  /** Plain (non-secret) environment shared by every function. */
  env: Record<string, string>;
}

export function deployArgs(spec: FunctionSpec, input: DeployInput): string[] {
  const secrets = secretFlags(spec, input.tokenKeyVersion);
  const env = [
    ...Object.entries(input.env).map(([k, v]) => `${k}=${v}`),
    `NODE_OPTIONS=${nodeOptions(spec.memory ?? MEMORY)}`,
  ];
  const trigger =
    spec.trigger.kind === 'http'
      ? // Browsers and tenants' CRMs call these without Google identities; they check API keys,
        // tickets and OAuth state themselves.
        ['--trigger-http', '--allow-unauthenticated']
      : [
          `--trigger-topic=${spec.trigger.topic}`,
          `--trigger-service-account=${serviceAccountEmail(input.project, 'invoker')}`,
          ...(spec.trigger.retry ? ['--retry'] : []),
          '--no-allow-unauthenticated',
        ];
  return [
    'functions',
    'deploy',
    spec.name,
    '--gen2',
    `--runtime=${RUNTIME}`,
    `--region=${input.region}`,
    `--source=${input.source}`,
    `--entry-point=${spec.name}`,
    ...trigger,
    `--service-account=${serviceAccountEmail(input.project, spec.account)}`,
    `--memory=${spec.memory ?? MEMORY}`,
    `--timeout=${spec.timeoutSeconds}s`,
    `--max-instances=${spec.maxInstances}`,
    `--set-env-vars=${env.join(',')}`,
    ...(secrets.length > 0 ? [`--set-secrets=${secrets.join(',')}`] : ['--clear-secrets']),
    `--project=${input.project}`,
    '--quiet',
  ];
}
