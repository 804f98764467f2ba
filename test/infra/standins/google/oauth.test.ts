// Google OAuth 2.0 over raw HTTP, checked against reference §10 (and RFC 6749 / 7636 where the
// reference defers to them).
import assert from 'node:assert/strict';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { DEMO_ACCOUNT, type GoogleStandin } from '../../../../infra/standins/google/index.js';
import { ALICE, api, http, start } from './helpers.js';

const CLIENT = {
  clientId: 'crm-sync.apps.googleusercontent.com',
  clientSecret: 'test-secret',
  redirectUris: ['http://127.0.0.1:9/oauth/callback'],
};
const REDIRECT = CLIENT.redirectUris[0]!;
const SCOPE = 'https://www.googleapis.com/auth/contacts openid email';

function pkce() {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('Google stand-in: OAuth 2.0', function () {
  this.timeout(20_000);
  let standin: GoogleStandin;

  beforeEach(async () => {
    standin = await start({ oauthClients: [CLIENT] });
  });
  afterEach(() => standin.close());

  async function authorize(params: Record<string, string>) {
    const res = await http(standin, 'GET', '/o/oauth2/v2/auth', {
      query: {
        client_id: CLIENT.clientId,
        redirect_uri: REDIRECT,
        response_type: 'code',
        scope: SCOPE,
        ...params,
      },
    });
    const location = res.headers.get('location');
    return { res, redirect: location ? new URL(location) : undefined };
  }

  async function codeFor(params: Record<string, string> = {}) {
    const { redirect } = await authorize(params);
    const code = redirect?.searchParams.get('code');
    assert.ok(code, `no code in ${redirect?.toString()}`);
    return code;
  }

  const exchange = (form: Record<string, string>) =>
    http(standin, 'POST', '/token', {
      form: {
        grant_type: 'authorization_code',
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
        redirect_uri: REDIRECT,
        ...form,
      },
    });

  const refresh = (refreshToken: string) =>
    http(standin, 'POST', '/token', {
      form: {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
      },
    });

  it('§10 authorize consents at once as login_hint and redirects with code, state and scope', async () => {
    const { res, redirect } = await authorize({ state: 'xyz', login_hint: ALICE, access_type: 'offline' });
    assert.equal(res.status, 302);
    assert.equal(`${redirect!.origin}${redirect!.pathname}`, REDIRECT);
    assert.equal(redirect!.searchParams.get('state'), 'xyz');
    assert.ok(redirect!.searchParams.get('code'));
    assert.match(redirect!.searchParams.get('scope')!, /https:\/\/www\.googleapis\.com\/auth\/contacts/);
  });

  it('§10 an unknown client or an unregistered redirect_uri gets a 400 error page, not a redirect', async () => {
    const unknown = await authorize({ client_id: 'nope' });
    assert.equal(unknown.res.status, 400);
    assert.equal(unknown.redirect, undefined);
    assert.match(unknown.res.text, /invalid_client/);
    const badRedirect = await authorize({ redirect_uri: 'http://127.0.0.1:9/elsewhere' });
    assert.equal(badRedirect.res.status, 400);
    assert.match(badRedirect.res.text, /redirect_uri_mismatch/);
  });

  it('§10 code flow with PKCE S256: token response, refresh token on first offline consent, id_token signed by the JWKS key', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor({
      login_hint: ALICE,
      access_type: 'offline',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const res = await exchange({ code, code_verifier: verifier });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_in, 3600);
    assert.equal(typeof res.body.access_token, 'string');
    assert.equal(typeof res.body.refresh_token, 'string');
    assert.match(res.body.scope, /auth\/contacts/);

    const [h, p, s] = (res.body.id_token as string).split('.');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString());
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    assert.equal(header.alg, 'RS256');
    assert.equal(claims.iss, 'https://accounts.google.com');
    assert.equal(claims.aud, CLIENT.clientId);
    assert.equal(claims.email, ALICE);
    assert.equal(claims.email_verified, true);
    assert.ok(claims.exp > claims.iat && typeof claims.sub === 'string');
    const jwks = await http(standin, 'GET', '/oauth2/v3/certs');
    const jwk = jwks.body.keys.find((k: { kid: string }) => k.kid === header.kid);
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    assert.ok(verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s!, 'base64url')));

    const people = api(standin, res.body.access_token);
    assert.equal((await people.get('/v1/people/me/connections', { personFields: 'names' })).status, 200);
  });

  it('§10 PKCE: a wrong or missing code_verifier is invalid_grant', async () => {
    const { challenge } = pkce();
    const code1 = await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' });
    const wrong = await exchange({ code: code1, code_verifier: pkce().verifier });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error, 'invalid_grant');
    const code2 = await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' });
    const missing = await exchange({ code: code2 });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error, 'invalid_grant');
  });

  it('§10 PKCE plain method compares the verifier as is', async () => {
    const code = await codeFor({
      code_challenge: 'plain-verifier-0123456789-0123456789-0123456789',
      code_challenge_method: 'plain',
    });
    const res = await exchange({ code, code_verifier: 'plain-verifier-0123456789-0123456789-0123456789' });
    assert.equal(res.status, 200, res.text);
  });

  it('§10 a code is single-use: the second exchange is invalid_grant "Bad Request"', async () => {
    const code = await codeFor();
    assert.equal((await exchange({ code })).status, 200);
    const again = await exchange({ code });
    assert.equal(again.status, 400);
    assert.deepEqual(again.body, { error: 'invalid_grant', error_description: 'Bad Request' });
  });

  it('§10 a code is short-lived and bound to its redirect_uri', async () => {
    const code = await codeFor();
    const otherRedirect = await exchange({ code, redirect_uri: 'http://127.0.0.1:9/other' });
    assert.equal(otherRedirect.status, 400);
    assert.equal(otherRedirect.body.error, 'redirect_uri_mismatch');
    const late = await codeFor();
    standin.advance(11 * 60 * 1000);
    assert.equal((await exchange({ code: late })).body.error, 'invalid_grant');
  });

  it('§10 a refresh token comes only with offline access on first consent or prompt=consent', async () => {
    const first = await exchange({ code: await codeFor({ login_hint: ALICE, access_type: 'offline' }) });
    assert.ok(first.body.refresh_token);
    const second = await exchange({ code: await codeFor({ login_hint: ALICE, access_type: 'offline' }) });
    assert.equal(second.body.refresh_token, undefined);
    const forced = await exchange({
      code: await codeFor({ login_hint: ALICE, access_type: 'offline', prompt: 'consent' }),
    });
    assert.ok(forced.body.refresh_token);
    const online = await exchange({ code: await codeFor({ login_hint: 'someone@example.com' }) });
    assert.equal(online.body.refresh_token, undefined);
  });

  it('§10 the refresh_token grant issues a fresh access token without a new refresh token', async () => {
    const first = await exchange({ code: await codeFor({ login_hint: ALICE, access_type: 'offline' }) });
    const res = await refresh(first.body.refresh_token);
    assert.equal(res.status, 200, res.text);
    assert.notEqual(res.body.access_token, first.body.access_token);
    assert.equal(res.body.refresh_token, undefined);
    assert.equal(res.body.token_type, 'Bearer');
  });

  it('§10 client authentication by HTTP Basic works; a wrong secret is 401 invalid_client', async () => {
    const code = await codeFor();
    const basic = Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64');
    const ok = await http(standin, 'POST', '/token', {
      form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
      headers: { authorization: `Basic ${basic}` },
    });
    assert.equal(ok.status, 200, ok.text);
    const bad = await exchange({ code: await codeFor(), client_secret: 'wrong' });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error, 'invalid_client');
    const noGrant = await http(standin, 'POST', '/token', { form: { client_id: CLIENT.clientId } });
    assert.equal(noGrant.body.error, 'invalid_request');
  });

  it('§10 after /revoke the refresh token is invalid_grant "Token has been expired or revoked." and its access tokens die', async () => {
    const first = await exchange({ code: await codeFor({ login_hint: ALICE, access_type: 'offline' }) });
    const revoked = await http(standin, 'POST', '/revoke', { query: { token: first.body.refresh_token } });
    assert.equal(revoked.status, 200);
    const res = await refresh(first.body.refresh_token);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    });
    const people = api(standin, first.body.access_token);
    assert.equal((await people.get('/v1/people/me/connections', { personFields: 'names' })).status, 401);
  });

  it('§10 the user revoking access in their Google account kills every grant (in-process helper)', async () => {
    const first = await exchange({ code: await codeFor({ login_hint: ALICE, access_type: 'offline' }) });
    assert.ok(standin.revokeAccess(ALICE) >= 1);
    assert.equal((await refresh(first.body.refresh_token)).body.error, 'invalid_grant');
    const again = await exchange({ code: await codeFor({ login_hint: ALICE, access_type: 'offline' }) });
    assert.ok(again.body.refresh_token, 'consent after revocation is a first consent again');
  });

  it('§10 a refused consent redirects with error=access_denied', async () => {
    standin.setConsent(ALICE, 'deny');
    const { redirect } = await authorize({ login_hint: ALICE, state: 's1' });
    assert.equal(redirect!.searchParams.get('error'), 'access_denied');
    assert.equal(redirect!.searchParams.get('state'), 's1');
  });

  it('§10 tokeninfo and userinfo describe a live access token; the demo account is the default user', async () => {
    const res = await exchange({ code: await codeFor() });
    const info = await http(standin, 'GET', '/tokeninfo', { query: { access_token: res.body.access_token } });
    assert.equal(info.status, 200);
    assert.equal(info.body.email, DEMO_ACCOUNT);
    assert.equal(info.body.aud, CLIENT.clientId);
    assert.match(info.body.scope, /auth\/contacts/);
    assert.ok(Number(info.body.expires_in) > 3500);
    const user = await http(standin, 'GET', '/v1/userinfo', { token: res.body.access_token });
    assert.equal(user.body.email, DEMO_ACCOUNT);
    assert.equal(user.body.sub, info.body.sub);
    const dead = await http(standin, 'GET', '/tokeninfo', { query: { access_token: 'ya29.dead' } });
    assert.deepEqual([dead.status, dead.body.error], [400, 'invalid_token']);
    assert.equal((await http(standin, 'GET', '/v1/userinfo', { token: 'ya29.dead' })).status, 401);
  });

  it('§10 access tokens expire after accessTokenTtlSec on the stand-in clock', async () => {
    const res = await exchange({ code: await codeFor() });
    standin.advance(3601 * 1000);
    assert.equal((await api(standin, res.body.access_token).get('/v1/contactGroups')).status, 401);
  });
});
