// The seven functions, each with its trigger, identity and configuration. Secrets reach a function only
// as Secret Manager references (--set-secrets), so no deploy command ever carries a secret value.
import type { AccountRole } from './names.js';
import { SECRETS, TOPICS, serviceAccountEmail } from './names.js';

export type Trigger = { kind: 'topic'; topic: string; retry: boolean } | { kind: 'http' };

export interface FunctionSpec {
  name: string;
  trigger: Trigger;
  account: AccountRole;
  timeoutSeconds: number;
  /** Names of the secrets this function may read (also granted to its service account). */
  secrets: (keyof typeof SECRETS)[];
}

/** Longest a sync run may take; the ack deadline and the lease must outlast it. */
export const SYNC_TIMEOUT_SECONDS = 540;
/** A run stops starting new work this long before its timeout, to commit what it did. */
export const SYNC_TIME_BUDGET_SECONDS = 480;
export const LEASE_TTL_SECONDS = 600;
export const MEMORY = '256Mi';

export const FUNCTIONS: readonly FunctionSpec[] = [
  // No retry: a failed fan-out is repeated by the next tick, and retries would only pile up ticks.
  {
    name: 'tickTenant',
    trigger: { kind: 'topic', topic: TOPICS.tick, retry: false },
    account: 'ticker',
    timeoutSeconds: 120,
    secrets: [],
  },
  // Retried with backoff and dead-lettered after a few attempts (see the subscription step).
  {
    name: 'syncUser',
    trigger: { kind: 'topic', topic: TOPICS.user, retry: true },
    account: 'runner',
    timeoutSeconds: SYNC_TIMEOUT_SECONDS,
    secrets: ['tokenKey', 'googleClientSecret'],
  },
  { name: 'syncNow', trigger: { kind: 'http' }, account: 'api', timeoutSeconds: 60, secrets: [] },
  { name: 'syncStatus', trigger: { kind: 'http' }, account: 'api', timeoutSeconds: 60, secrets: [] },
  { name: 'syncSettings', trigger: { kind: 'http' }, account: 'api', timeoutSeconds: 60, secrets: [] },
  {
    name: 'oauthStart',
    trigger: { kind: 'http' },
    account: 'api',
    timeoutSeconds: 60,
    secrets: [],
  },
  {
    name: 'oauthCallback',
    trigger: { kind: 'http' },
    account: 'api',
    timeoutSeconds: 60,
    secrets: ['tokenKey', 'googleClientSecret'],
  },
];

/** The environment variable each secret is exposed as. */
export const SECRET_ENV: Record<keyof typeof SECRETS, string> = {
  tokenKey: 'TOKEN_ENCRYPTION_KEY',
  googleClientSecret: 'GOOGLE_CLIENT_SECRET',
};

/** gen2 functions keep the first-generation URL too, so it is known before the first deploy. */
export const functionUrl = (project: string, region: string, name: string): string =>
  `https://${region}-${project}.cloudfunctions.net/${name}`;

export interface DeployInput {
  project: string;
  region: string;
  source: string;
  /** Plain (non-secret) environment shared by every function. */
  env: Record<string, string>;
}

export function deployArgs(spec: FunctionSpec, input: DeployInput): string[] {
  const env = Object.entries(input.env).map(([k, v]) => `${k}=${v}`);
  const secrets = spec.secrets.map((s) => `${SECRET_ENV[s]}=${SECRETS[s]}:latest`);
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
    '--runtime=nodejs20',
    `--region=${input.region}`,
    `--source=${input.source}`,
    `--entry-point=${spec.name}`,
    ...trigger,
    `--service-account=${serviceAccountEmail(input.project, spec.account)}`,
    `--memory=${MEMORY}`,
    `--timeout=${spec.timeoutSeconds}s`,
    `--set-env-vars=${env.join(',')}`,
    ...(secrets.length > 0 ? [`--set-secrets=${secrets.join(',')}`] : ['--clear-secrets']),
    `--project=${input.project}`,
    '--quiet',
  ];
}
