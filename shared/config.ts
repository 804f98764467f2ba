// Configuration is a function of the environment, validated once at start: a missing or malformed
// variable fails with its name, never later in the middle of a sync.
import { z } from 'zod';
import type { KeyRing } from './keyring.js';
import { parseKeyRing } from './keyring.js';

const url = z.url({ protocol: /^https?$/ });

const schema = z.object({
  GOOGLE_PEOPLE_API_URL: url.default('https://people.googleapis.com'),
  GOOGLE_OAUTH_AUTH_URL: url.default('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_OAUTH_TOKEN_URL: url.default('https://oauth2.googleapis.com/token'),
  GOOGLE_OAUTH_REVOKE_URL: url.default('https://oauth2.googleapis.com/revoke'),
  GOOGLE_CLIENT_ID: z.string().min(1),
  GOOGLE_CLIENT_SECRET: z.string().min(1),
  OAUTH_REDIRECT_URL: url,
});

export type Env = Record<string, string | undefined>;

export interface GoogleConfig {
  peopleApiUrl: string;
  oauth: {
    authUrl: string;
    tokenUrl: string;
    revokeUrl: string;
    clientId: string;
    clientSecret: string;
    redirectUrl: string;
  };
}

export class ConfigError extends Error {
  constructor(readonly variables: string[]) {
    super(`configuration: missing or invalid ${variables.join(', ')}`);
    this.name = 'ConfigError';
  }
}

export function parseEnv<S extends z.ZodType>(s: S, env: Env): z.infer<S> {
  const parsed = s.safeParse(env);
  if (!parsed.success) throw new ConfigError([...new Set(parsed.error.issues.map((i) => String(i.path[0])))]);
  return parsed.data;
}

export function googleConfig(env: Env = process.env): GoogleConfig {
  const e = parseEnv(schema, env);
  return {
    peopleApiUrl: e.GOOGLE_PEOPLE_API_URL,
    oauth: {
      authUrl: e.GOOGLE_OAUTH_AUTH_URL,
      tokenUrl: e.GOOGLE_OAUTH_TOKEN_URL,
      revokeUrl: e.GOOGLE_OAUTH_REVOKE_URL,
      clientId: e.GOOGLE_CLIENT_ID,
      clientSecret: e.GOOGLE_CLIENT_SECRET,
      redirectUrl: e.OAUTH_REDIRECT_URL,
    },
  };
}

// ---- The whole service ----

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optional = z
  .string()
  .optional()
  .transform((s) => (s === '' ? undefined : s));

const serviceSchema = z.object({
  GOOGLE_CLOUD_PROJECT: z.string().min(1),
  SYNC_TOPIC: z.string().min(1).default('contact-sync-user'),
  TOKEN_ENCRYPTION_KEY: optional,
  TOKEN_ENCRYPTION_KEYS: optional,
  TOKEN_ENCRYPTION_KEY_ID: optional,
  OAUTH_START_URL: url,
  PAGES_URL: url,
  // Under the 540 s limit of event functions, with room to record the end of the run.
  SYNC_TIME_BUDGET_SECONDS: seconds(480).refine((s) => s < 540),
  LEASE_TTL_SECONDS: seconds(600),
  // How long a run the tenant's run cap turned away waits before it is sent again.
  THROTTLE_RETRY_SECONDS: seconds(10),
});

/** Rules across variables, checked on their own so that one start still names every culprit. */
function crossChecks(env: Env): string[] {
  const bad: string[] = [];
  const ring = keyRingFrom(env);
  if (typeof ring === 'string') bad.push(ring);
  // A lease must outlive any attempt, or a live run could be taken over.
  const budget = Number(env.SYNC_TIME_BUDGET_SECONDS || 480);
  const lease = Number(env.LEASE_TTL_SECONDS || 600);
  if (Number.isFinite(budget) && Number.isFinite(lease) && lease <= budget) bad.push('LEASE_TTL_SECONDS');
  return bad;
}

/**
 * The token keys: TOKEN_ENCRYPTION_KEYS (a key ring, mounted from Secret Manager when deployed) or the
 * single TOKEN_ENCRYPTION_KEY of older deployments, never both. A string names the culprit.
 */
export function keyRingFrom(env: Env): KeyRing | string {
  const single = env.TOKEN_ENCRYPTION_KEY || undefined;
  const ring = env.TOKEN_ENCRYPTION_KEYS || undefined;
  if ((single === undefined) === (ring === undefined)) return 'TOKEN_ENCRYPTION_KEYS';
  const parsed = parseKeyRing(ring ?? single!, env.TOKEN_ENCRYPTION_KEY_ID);
  if (typeof parsed !== 'string') return parsed;
  if (single !== undefined) return 'TOKEN_ENCRYPTION_KEY';
  return /TOKEN_ENCRYPTION_KEY_ID|current key/.test(parsed)
    ? 'TOKEN_ENCRYPTION_KEY_ID'
    : 'TOKEN_ENCRYPTION_KEYS';
}

export interface ServiceConfig {
  projectId: string;
  syncTopic: string;
  /** The token encryption keys, the current one sealing. */
  keys: KeyRing;
  oauthStartUrl: string;
  pagesUrl: string;
  timeBudgetMs: number;
  leaseTtlMs: number;
  throttleRetryMs: number;
  google: GoogleConfig;
}

export function serviceConfig(env: Env = process.env): ServiceConfig {
  // Both parts are checked before failing, so one start names every missing variable.
  let google: GoogleConfig | null = null;
  const missing: string[] = [];
  try {
    google = googleConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    missing.push(...e.variables);
  }
  let e: z.infer<typeof serviceSchema> | null = null;
  try {
    e = parseEnv(serviceSchema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    missing.push(...err.variables);
  }
  missing.push(...crossChecks(env));
  const keys = keyRingFrom(env);
  if (!google || !e || typeof keys === 'string' || missing.length > 0)
    throw new ConfigError([...new Set(missing)]);
  return {
    projectId: e.GOOGLE_CLOUD_PROJECT,
    syncTopic: e.SYNC_TOPIC,
    keys,
    oauthStartUrl: e.OAUTH_START_URL,
    pagesUrl: e.PAGES_URL,
    timeBudgetMs: e.SYNC_TIME_BUDGET_SECONDS * 1000,
    leaseTtlMs: e.LEASE_TTL_SECONDS * 1000,
    throttleRetryMs: e.THROTTLE_RETRY_SECONDS * 1000,
    google,
  };
}
