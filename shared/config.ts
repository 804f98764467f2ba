// Configuration is a function of the environment, validated once at start: a missing or malformed
// variable fails with its name, never later in the middle of a sync.
import { z } from 'zod';

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
