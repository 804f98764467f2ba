// A complete, valid configuration for a function instance started as its own process: instances
// refuse to start without one (functions/startup.ts). Nothing here reaches a real service.
import { randomBytes } from 'node:crypto';

export function completeFunctionEnv(): Record<string, string> {
  return {
    GOOGLE_CLOUD_PROJECT: 'demo-startup',
    TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    OAUTH_START_URL: 'https://fn.example/oauthStart',
    OAUTH_REDIRECT_URL: 'https://fn.example/oauthCallback',
    PAGES_URL: 'https://fn.example/pages',
    GOOGLE_CLIENT_ID: 'client',
    GOOGLE_CLIENT_SECRET: 'secret-value-never-logged',
  };
}
