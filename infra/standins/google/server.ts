// The request pipeline: route → latency → stats → faults → auth → quota → handler.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdjustableClock, sleep, type Clock } from './clock.js';
import { PageTokens, SyncTokens } from './cursors.js';
import type { Env } from './env.js';
import { ApiError, OAuthError, insufficientScope, internalError, unauthenticated } from './errors.js';
import { faultReply, Faults, type FaultRegistry } from './faults.js';
import {
  BodyTooLarge,
  htmlError,
  matchRoute,
  readBody,
  send,
  type Reply,
  type RequestContext,
  type Route,
} from './http.js';
import { resolveOptions, type GoogleStandinOptions, type OAuthClientConfig } from './options.js';
import { Quota } from './quota.js';
import { buildRoutes } from './routes.js';
import { Stats, type StandinStats } from './stats.js';
import { Store } from './store.js';
import { OAuthState, SCOPE_CONTACTS, SCOPE_CONTACTS_READONLY, type AccessToken } from './tokens.js';
import { createUserApi, type UserApi } from './user.js';

export interface StandinEndpoints {
  /** rootUrl for googleapis (with the trailing slash it expects). */
  peopleRootUrl: string;
  oauth2AuthBaseUrl: string;
  oauth2TokenUrl: string;
  oauth2RevokeUrl: string;
  tokenInfoUrl: string;
  oauth2FederatedSignonPemCertsUrl: string;
  oauth2FederatedSignonJwkCertsUrl: string;
  userInfoUrl: string;
}

export interface GoogleStandin {
  /** e.g. `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly endpoints: StandinEndpoints;
  readonly oauthClients: readonly OAuthClientConfig[];
  now(): number;
  /** Moves the default clock forward; throws when a custom clock was supplied. */
  advance(ms: number): void;
  stats(): StandinStats;
  resetStats(): void;
  readonly faults: FaultRegistry;
  /** The human user in the Google Contacts UI, plus state inspection. */
  readonly user: UserApi;
  /** An access token for `email` without the OAuth dance. Default scope: contacts. */
  issueAccessToken(email: string, opts?: { scopes?: string[]; ttlSec?: number }): string;
  /** The user removes the app's access in their Google account. Returns grants+tokens revoked. */
  revokeAccess(email: string): number;
  /** Makes the consent screen refuse (`access_denied`) or accept for this account. */
  setConsent(email: string, decision: 'allow' | 'deny'): void;
  close(): Promise<void>;
}

const READ_SCOPES = [SCOPE_CONTACTS, SCOPE_CONTACTS_READONLY];

function bearerToken(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim() || undefined;
  return url.searchParams.get('access_token') ?? undefined;
}

/** The authenticated user's own profile needs no contacts scope. */
const isOwnProfile = (route: Route, m: RegExpExecArray): boolean =>
  route.api === 'people.get' && (m[1] === 'me' || /^\d+$/.test(m[1] ?? ''));

function checkAccess(
  route: Route,
  m: RegExpExecArray,
  raw: string | undefined,
  token: AccessToken | undefined,
): AccessToken {
  const rpc = route.rpc ?? '';
  if (raw === undefined) throw unauthenticated(true, rpc);
  if (!token) throw unauthenticated(false, rpc);
  if (isOwnProfile(route, m)) return token;
  const needed = route.kind === 'write' ? [SCOPE_CONTACTS] : READ_SCOPES;
  if (!token.scopes.some((s) => needed.includes(s))) throw insufficientScope(rpc);
  return token;
}

function errorReply(e: unknown): Reply {
  if (e instanceof ApiError) return { status: e.httpStatus, json: e.body(), headers: e.headers };
  if (e instanceof OAuthError) return { status: e.httpStatus, json: e.body(), headers: e.headers };
  if (e instanceof BodyTooLarge) return htmlError(413, 'Your client issued a request that was too large.');
  // Only the stack: request data may carry personal data or tokens.
  console.error('google stand-in: unexpected error', e instanceof Error ? e.stack : String(e));
  const err = internalError();
  return { status: err.httpStatus, json: err.body() };
}

export async function startGoogleStandin(options: GoogleStandinOptions = {}): Promise<GoogleStandin> {
  const opts = resolveOptions(options);
  const ownClock = options.clock ? undefined : new AdjustableClock();
  const clock: Clock = options.clock ?? ownClock!;
  let baseUrl = '';
  const env: Env = {
    store: new Store(),
    clock,
    opts,
    oauth: new OAuthState(clock, opts.accessTokenTtlSec, opts.oauthClients),
    syncTokens: new SyncTokens(opts.syncTokenTtlMs, opts.expiredTokenMode),
    pageTokens: new PageTokens(),
    baseUrl: () => baseUrl,
  };
  const routes = buildRoutes(env);
  const stats = new Stats();
  const faults = new Faults();
  const quota = new Quota(clock, opts.quotaPerMinute);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let path = url.pathname;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      // Keep the raw path; it simply will not match a route.
    }
    const httpMethod = (req.method ?? 'GET').toUpperCase();
    await sleep(opts.latencyMs);
    const found = matchRoute(routes, httpMethod, path);
    if (!found) {
      stats.count('unknown');
      send(res, htmlError(404, `The requested URL ${path} was not found on this server.`));
      return;
    }
    const [route, m] = found;
    const raw = route.kind === 'oauth' ? undefined : bearerToken(req, url);
    const token = raw === undefined ? undefined : env.oauth.accessToken(raw);
    stats.count(route.api, token?.email);

    const fault = faults.take({ api: route.api, httpMethod, path, account: token?.email, kind: route.kind });
    if (fault) {
      await sleep(fault.delayMs ?? 0);
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      const reply = faultReply(fault, route.kind);
      if (reply) {
        send(res, reply);
        return;
      }
    }

    let body: Promise<Buffer> | undefined;
    const rc: RequestContext = {
      req,
      url,
      path,
      query: url.searchParams,
      httpMethod,
      api: route.api,
      rawBody: () => (body ??= readBody(req)),
    };
    let reply: Reply;
    try {
      if (route.kind !== 'oauth') {
        rc.token = checkAccess(route, m, raw, token);
        rc.account = env.store.account(rc.token.email, clock.now());
        quota.take(rc.account.email, route.kind);
      }
      reply = await route.handler(rc, m);
    } catch (e) {
      reply = errorReply(e);
    }
    // The request was carried out; only its answer is lost.
    if (fault?.dropAfter) req.socket.destroy();
    else send(res, reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, errorReply(e));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    port,
    endpoints: {
      peopleRootUrl: `${baseUrl}/`,
      oauth2AuthBaseUrl: `${baseUrl}/o/oauth2/v2/auth`,
      oauth2TokenUrl: `${baseUrl}/token`,
      oauth2RevokeUrl: `${baseUrl}/revoke`,
      tokenInfoUrl: `${baseUrl}/tokeninfo`,
      oauth2FederatedSignonPemCertsUrl: `${baseUrl}/oauth2/v1/certs`,
      oauth2FederatedSignonJwkCertsUrl: `${baseUrl}/oauth2/v3/certs`,
      userInfoUrl: `${baseUrl}/v1/userinfo`,
    },
    oauthClients: opts.oauthClients,
    now: () => clock.now(),
    advance(ms) {
      if (!ownClock)
        throw new Error('advance() is only available with the default clock; move your own clock instead');
      ownClock.advance(ms);
    },
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    faults,
    user: createUserApi(env.store, clock),
    issueAccessToken(email, o = {}) {
      env.store.account(email, clock.now());
      return env.oauth.issueAccessToken(email, o.scopes ?? [SCOPE_CONTACTS], { ttlSec: o.ttlSec }).token;
    },
    revokeAccess: (email) => env.oauth.revokeAccount(email),
    setConsent: (email, decision) => env.oauth.setConsent(email, decision),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
