// Google OAuth through google-auth-library against the stand-in's authorize, token and revoke endpoints.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { GoogleOAuth, GOOGLE_SCOPES } from '../../../../shared/adapters/google/index.js';
import { ALICE, CLIENT, calls, googleConfig, harness, rejectsWith, type Harness } from './helpers.js';

describe('Google OAuth', function () {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('the consent URL asks for contacts, openid and email, offline, with forced consent and PKCE S256', async () => {
    const { challenge, verifier } = await h.oauth.createPkce();
    assert.equal(challenge, createHash('sha256').update(verifier).digest('base64url'));
    assert.ok(verifier.length >= 43 && verifier.length <= 128);
    const url = new URL(
      h.oauth.authorizationUrl({ state: 's-1', codeChallenge: challenge, loginHint: ALICE }),
    );
    assert.equal(`${url.origin}${url.pathname}`, h.standin.endpoints.oauth2AuthBaseUrl);
    const q = Object.fromEntries(url.searchParams);
    assert.deepEqual(q.scope!.split(' ').sort(), [...GOOGLE_SCOPES].sort());
    assert.equal(q.access_type, 'offline');
    assert.equal(q.prompt, 'consent');
    assert.equal(q.code_challenge, challenge);
    assert.equal(q.code_challenge_method, 'S256');
    assert.equal(q.state, 's-1');
    assert.equal(q.login_hint, ALICE);
    assert.equal(q.client_id, CLIENT.clientId);
    assert.equal(q.redirect_uri, CLIENT.redirectUris[0]);
    assert.equal(q.response_type, 'code');
    const bare = new URL(h.oauth.authorizationUrl({ state: 's', codeChallenge: challenge }));
    assert.equal(bare.searchParams.has('login_hint'), false);
  });

  it('the code exchange gives a refresh token and the account from the id_token', async () => {
    const p = await h.oauth.createPkce();
    const back = await h.consent(
      h.oauth.authorizationUrl({ state: 'st', codeChallenge: p.challenge, loginHint: ALICE }),
    );
    assert.equal(back.searchParams.get('state'), 'st');
    const { refreshToken, account } = await h.oauth.exchangeCode(back.searchParams.get('code')!, p.verifier);
    assert.ok(refreshToken.length > 10);
    assert.equal(account.email, ALICE);
    assert.match(account.sub, /^\d+$/);
    assert.equal(calls(h.standin, 'oauth.userinfo'), 0);
  });

  it('a wrong PKCE verifier, a used code or a wrong secret is refused, each with its kind', async () => {
    const p = await h.oauth.createPkce();
    const code = async () =>
      (
        await h.consent(h.oauth.authorizationUrl({ state: 'st', codeChallenge: p.challenge }))
      ).searchParams.get('code')!;
    await rejectsWith(h.oauth.exchangeCode(await code(), 'x'.repeat(43)), 'auth');
    const once = await code();
    await h.oauth.exchangeCode(once, p.verifier);
    await rejectsWith(h.oauth.exchangeCode(once, p.verifier), 'auth');
    const config = googleConfig(h.standin);
    const wrong = new GoogleOAuth({ ...config, oauth: { ...config.oauth, clientSecret: 'wrong' } });
    await rejectsWith(wrong.exchangeCode(await code(), p.verifier), 'config');
  });

  it('a grant without offline access (no refresh token) is an error', async () => {
    const p = await h.oauth.createPkce();
    const url = new URL(h.oauth.authorizationUrl({ state: 'st', codeChallenge: p.challenge }));
    url.searchParams.delete('access_type');
    const back = await h.consent(url.toString());
    await rejectsWith(h.oauth.exchangeCode(back.searchParams.get('code')!, p.verifier), 'auth');
  });

  it('the authorized client fetches and refreshes its access token by itself', async () => {
    const rt = await h.connect();
    h.standin.resetStats();
    const { side } = h.side(rt);
    await side.readChanges(null, { full: false });
    assert.equal(calls(h.standin, 'oauth.token'), 1);
    await h.oauth.checkGrant(rt);
  });

  it('a revoked grant is auth-revoked, distinct from other failures; revoking twice is fine', async () => {
    const rt = await h.connect();
    await h.oauth.revoke(rt);
    await h.oauth.revoke(rt);
    await rejectsWith(h.oauth.checkGrant(rt), 'auth-revoked');
    const { side } = h.side(rt);
    await rejectsWith(side.readChanges(null, { full: false }), 'auth-revoked');

    const other = await h.connect();
    h.standin.revokeAccess(ALICE);
    await rejectsWith(h.oauth.checkGrant(other), 'auth-revoked');
  });

  it('an unreachable token endpoint is unavailable, not revoked', async () => {
    const rt = await h.connect();
    const config = googleConfig(h.standin);
    const down = new GoogleOAuth({
      ...config,
      oauth: { ...config.oauth, tokenUrl: 'http://127.0.0.1:9/token' },
    });
    await rejectsWith(down.checkGrant(rt), 'unavailable');
  });
});
