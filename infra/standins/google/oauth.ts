// Google OAuth 2.0 / OpenID endpoints (reference §10): authorize, token, revoke, tokeninfo,
// userinfo and signing keys. Errors use the flat OAuth shape, not the google.rpc envelope.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Env } from './env.js';
import { OAuthError } from './errors.js';
import { htmlError, json, parseForm, type Reply, type RequestContext } from './http.js';
import { DEMO_ACCOUNT, type OAuthClientConfig } from './options.js';
import { profileIdFor } from './store.js';
import { ISSUER, hasEmailScope, normalizeScopes, type AccessToken } from './tokens.js';

function authorizeError(kind: string, detail: string): Reply {
  return htmlError(400, `Access blocked: Authorization Error. Error 400: ${kind}. ${detail}`);
}

function redirectTo(base: string, params: Record<string, string | undefined>): Reply {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return { status: 302, headers: { location: url.toString() }, html: '' };
}

function redirectAllowed(client: OAuthClientConfig, uri: string): boolean {
  if (client.redirectUris) return client.redirectUris.includes(uri);
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The consent screen, minus the screen: the account named by login_hint (or the demo account)
 * consents at once, unless a test told it to refuse.
 */
export function authorize(env: Env, rc: RequestContext): Reply {
  const q = rc.query;
  const clientId = q.get('client_id') ?? '';
  const client = env.oauth.clients.get(clientId);
  if (!client) return authorizeError('invalid_client', 'The OAuth client was not found.');
  const redirectUri = q.get('redirect_uri') ?? '';
  if (!redirectUri || !redirectAllowed(client, redirectUri)) {
    return authorizeError(
      'redirect_uri_mismatch',
      "You can't sign in because this app sent an invalid request.",
    );
  }
  if (q.get('response_type') !== 'code') {
    return authorizeError('invalid_request', `Invalid response_type: ${q.get('response_type') ?? ''}`);
  }
  const scopeRaw = q.get('scope') ?? '';
  if (scopeRaw.trim() === '') return authorizeError('invalid_request', 'Missing required parameter: scope');
  const challenge = q.get('code_challenge') ?? undefined;
  const methodRaw = q.get('code_challenge_method') ?? undefined;
  if (methodRaw !== undefined && methodRaw !== 'S256' && methodRaw !== 'plain') {
    return authorizeError('invalid_request', `Invalid code_challenge_method: ${methodRaw}`);
  }
  if (methodRaw !== undefined && challenge === undefined) {
    return authorizeError('invalid_request', 'Missing code_challenge.');
  }
  const state = q.get('state') ?? undefined;
  const email = (q.get('login_hint') || DEMO_ACCOUNT).trim().toLowerCase();
  const prompt = (q.get('prompt') ?? '').split(/\s+/);
  if (env.oauth.consentFor(email) === 'deny') {
    return redirectTo(redirectUri, { error: 'access_denied', state });
  }
  if (prompt.includes('none') && !env.oauth.hasGrant(email, clientId)) {
    return redirectTo(redirectUri, { error: 'consent_required', state });
  }
  let scopes = normalizeScopes(scopeRaw);
  if (q.get('include_granted_scopes') === 'true') {
    scopes = [...new Set([...scopes, ...env.oauth.grantScopes(email, clientId)])];
  }
  const code = env.oauth.consentAndIssueCode({
    clientId,
    redirectUri,
    email,
    scopes,
    challenge,
    // RFC 7636: the method defaults to plain when a challenge comes without one.
    challengeMethod: challenge === undefined ? undefined : ((methodRaw ?? 'plain') as 'S256' | 'plain'),
    nonce: q.get('nonce') ?? undefined,
    offline: q.get('access_type') === 'offline',
    forceConsent: prompt.includes('consent'),
  });
  return redirectTo(redirectUri, {
    state,
    code,
    scope: scopes.join(' '),
    authuser: '0',
    prompt: prompt.includes('none') ? 'none' : 'consent',
  });
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Client authentication by HTTP Basic or by client_id/client_secret in the body. */
function authenticateClient(env: Env, rc: RequestContext, form: URLSearchParams): OAuthClientConfig {
  let clientId = form.get('client_id') ?? undefined;
  let secret = form.get('client_secret') ?? undefined;
  const auth = rc.req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) {
      clientId = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
  }
  if (!clientId) throw new OAuthError(400, 'invalid_request', 'Could not determine client ID from request.');
  const client = env.oauth.clients.get(clientId);
  if (!client) throw new OAuthError(401, 'invalid_client', 'The OAuth client was not found.');
  if (!secret) throw new OAuthError(400, 'invalid_request', 'client_secret is missing.');
  if (!safeEqual(secret, client.clientSecret)) throw new OAuthError(401, 'invalid_client', 'Unauthorized');
  return client;
}

function verifierMatches(verifier: string, challenge: string, method: 'S256' | 'plain'): boolean {
  const computed = method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return safeEqual(computed, challenge);
}

function tokenReply(
  env: Env,
  at: AccessToken,
  clientId: string,
  extra: { refreshToken?: string; nonce?: string },
): Reply {
  const body: Record<string, unknown> = {
    access_token: at.token,
    expires_in: Math.max(0, Math.round((at.expiresAt - env.clock.now()) / 1000)),
  };
  if (extra.refreshToken) body.refresh_token = extra.refreshToken;
  body.scope = at.scopes.join(' ');
  body.token_type = 'Bearer';
  if (env.oauth.wantsIdToken(at.scopes))
    body.id_token = env.oauth.idToken(at.email, clientId, at.token, extra.nonce);
  return json(body, 200, { pragma: 'no-cache' });
}

export async function token(env: Env, rc: RequestContext): Promise<Reply> {
  const form = parseForm(await rc.rawBody(), rc.req.headers['content-type']);
  const grantType = form.get('grant_type');
  if (!grantType) throw new OAuthError(400, 'invalid_request', 'Required parameter is missing: grant_type');
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
  }
  const client = authenticateClient(env, rc, form);
  if (grantType === 'refresh_token') {
    const rt = form.get('refresh_token');
    if (!rt) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
    const rec = env.oauth.refreshToken(rt);
    if (!rec) throw new OAuthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    if (rec.clientId !== client.clientId) throw new OAuthError(401, 'unauthorized_client', 'Unauthorized');
    const at = env.oauth.issueAccessToken(rec.email, rec.scopes, {
      clientId: client.clientId,
      grantKey: rec.grantKey,
    });
    return tokenReply(env, at, client.clientId, {});
  }
  const code = form.get('code');
  if (!code) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: code');
  const rec = env.oauth.takeCode(code);
  if (!rec || rec.clientId !== client.clientId) throw new OAuthError(400, 'invalid_grant', 'Bad Request');
  if ((form.get('redirect_uri') ?? '') !== rec.redirectUri) {
    throw new OAuthError(400, 'redirect_uri_mismatch', 'Bad Request');
  }
  if (rec.challenge !== undefined) {
    const verifier = form.get('code_verifier');
    if (!verifier) throw new OAuthError(400, 'invalid_grant', 'Missing code verifier.');
    if (!verifierMatches(verifier, rec.challenge, rec.challengeMethod ?? 'plain')) {
      throw new OAuthError(400, 'invalid_grant', 'Invalid code verifier.');
    }
  }
  const grantKey = env.oauth.grantKey(rec.email, rec.clientId);
  const at = env.oauth.issueAccessToken(rec.email, rec.scopes, { clientId: rec.clientId, grantKey });
  const refreshToken = rec.issueRefresh
    ? env.oauth.issueRefreshToken(rec.email, rec.clientId, rec.scopes)
    : undefined;
  return tokenReply(env, at, rec.clientId, { refreshToken, nonce: rec.nonce });
}

export async function revoke(env: Env, rc: RequestContext): Promise<Reply> {
  const form = parseForm(await rc.rawBody(), rc.req.headers['content-type']);
  const t = rc.query.get('token') ?? form.get('token');
  if (!t || !env.oauth.revoke(t)) throw new OAuthError(400, 'invalid_token', 'Token expired or revoked');
  return json({});
}

function bearer(rc: RequestContext): string | undefined {
  const auth = rc.req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
}

/** tokeninfo answers GET `?access_token=` and the library's POST with a Bearer header. */
export async function tokenInfo(env: Env, rc: RequestContext): Promise<Reply> {
  const form =
    rc.httpMethod === 'POST'
      ? parseForm(await rc.rawBody(), rc.req.headers['content-type'])
      : new URLSearchParams();
  const t = rc.query.get('access_token') ?? form.get('access_token') ?? bearer(rc);
  const at = t ? env.oauth.accessToken(t) : undefined;
  if (!at) throw new OAuthError(400, 'invalid_token', 'Invalid Value');
  const now = env.clock.now();
  const body: Record<string, string> = {
    azp: at.clientId ?? 'standin-test-issuer',
    aud: at.clientId ?? 'standin-test-issuer',
    sub: profileIdFor(at.email),
    scope: at.scopes.join(' '),
    exp: String(Math.floor(at.expiresAt / 1000)),
    expires_in: String(Math.max(0, Math.floor((at.expiresAt - now) / 1000))),
  };
  if (hasEmailScope(at.scopes)) {
    body.email = at.email;
    body.email_verified = 'true';
  }
  body.access_type = at.grantKey ? 'offline' : 'online';
  return json(body);
}

/** OpenID userinfo: `email` only with an email scope, as Google does. */
export function userInfo(env: Env, rc: RequestContext): Reply {
  const t = bearer(rc) ?? rc.query.get('access_token') ?? undefined;
  const at = t ? env.oauth.accessToken(t) : undefined;
  if (!at) {
    throw new OAuthError(401, 'invalid_request', 'Invalid Credentials', {
      'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
    });
  }
  const body: Record<string, unknown> = { sub: profileIdFor(at.email) };
  if (hasEmailScope(at.scopes)) {
    body.email = at.email;
    body.email_verified = true;
  }
  return json(body);
}

export function jwks(env: Env): Reply {
  return json(env.oauth.jwks(), 200, { 'cache-control': 'public, max-age=3600' });
}

export function pemCerts(env: Env): Reply {
  return json(env.oauth.pemCerts(), 200, { 'cache-control': 'public, max-age=3600' });
}

export function openidConfiguration(env: Env): Reply {
  const base = env.baseUrl();
  return json({
    issuer: ISSUER,
    authorization_endpoint: `${base}/o/oauth2/v2/auth`,
    token_endpoint: `${base}/token`,
    userinfo_endpoint: `${base}/v1/userinfo`,
    revocation_endpoint: `${base}/revoke`,
    jwks_uri: `${base}/oauth2/v3/certs`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'email', 'profile'],
    code_challenge_methods_supported: ['plain', 'S256'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
  });
}
