import type { Clock } from './clock.js';

export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string;
  /** Exact-match list; when absent any http(s) redirect URI is accepted (demo convenience). */
  redirectUris?: string[];
}

export interface GoogleStandinOptions {
  /** 0 or absent = a free port; the server always binds 127.0.0.1. */
  port?: number;
  /** Controllable time in ms; default is wall time plus the offset moved by `advance()`. */
  clock?: Clock;
  /** Added to every request, for benchmarks. */
  latencyMs?: number;
  /** Sync tokens expire this long after they were issued. Default 7 days. */
  syncTokenTtlMs?: number;
  /** '400' = the reported behaviour (default), '410' = the docs-era status. */
  expiredTokenMode?: '400' | '410';
  /** Changes younger than this are withheld from sync results. Default 0. */
  propagationDelayMs?: number;
  /** Per account per minute; undefined = unlimited. */
  quotaPerMinute?: { read?: number; write?: number };
  oauthClients?: OAuthClientConfig[];
  /** Default 3600. */
  accessTokenTtlSec?: number;
  /** Contacts one account may hold; creates past it are refused. Default 25,000 (reported). */
  maxContacts?: number;
}

export const DEMO_CLIENT: OAuthClientConfig = {
  clientId: 'standin-demo-client.apps.googleusercontent.com',
  clientSecret: 'standin-demo-secret',
};

export const DEMO_ACCOUNT = 'demo.user@example.com';

export interface ResolvedOptions {
  port: number;
  latencyMs: number;
  syncTokenTtlMs: number;
  expiredTokenMode: '400' | '410';
  propagationDelayMs: number;
  quotaPerMinute: { read?: number; write?: number };
  oauthClients: OAuthClientConfig[];
  accessTokenTtlSec: number;
  maxContacts: number;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number`);
  return value;
}

export function resolveOptions(opts: GoogleStandinOptions): ResolvedOptions {
  const clients = opts.oauthClients ?? [DEMO_CLIENT];
  if (clients.length === 0) throw new RangeError('oauthClients must name at least one client');
  const mode = opts.expiredTokenMode ?? '400';
  if (mode !== '400' && mode !== '410') throw new RangeError("expiredTokenMode must be '400' or '410'");
  return {
    port: nonNegative('port', opts.port, 0),
    latencyMs: nonNegative('latencyMs', opts.latencyMs, 0),
    syncTokenTtlMs: nonNegative('syncTokenTtlMs', opts.syncTokenTtlMs, 7 * 24 * 3600 * 1000),
    expiredTokenMode: mode,
    propagationDelayMs: nonNegative('propagationDelayMs', opts.propagationDelayMs, 0),
    quotaPerMinute: { ...opts.quotaPerMinute },
    oauthClients: clients.map((c) => ({
      ...c,
      redirectUris: c.redirectUris ? [...c.redirectUris] : undefined,
    })),
    accessTokenTtlSec: nonNegative('accessTokenTtlSec', opts.accessTokenTtlSec, 3600),
    maxContacts: nonNegative('maxContacts', opts.maxContacts, 25_000),
  };
}
