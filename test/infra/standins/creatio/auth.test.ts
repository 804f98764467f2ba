import assert from 'node:assert/strict';
import { startCreatioStandin } from '../../../../infra/standins/creatio/index.js';
import { login, loginRaw, odata, start, token, type Started } from './helpers.js';

describe('Creatio stand-in: authentication (reference §2)', () => {
  let t: Started;
  afterEach(async () => t?.s.close());

  describe('cookie login', () => {
    beforeEach(async () => {
      t = await start();
    });

    it('§2.1 successful login sets BPMLOADER, .ASPXAUTH, BPMCSRF and UserName cookies with Code 0', async () => {
      const r = await loginRaw(t.s, { UserName: 'Supervisor', UserPassword: 'Supervisor' });
      assert.equal(r.status, 200);
      assert.deepEqual(await r.json(), {
        Code: 0,
        Message: '',
        Exception: null,
        PasswordChangeUrl: null,
        RedirectUrl: null,
      });
      const cookies = new Map(r.headers.getSetCookie().map((c) => [c.slice(0, c.indexOf('=')), c]));
      assert.deepEqual([...cookies.keys()].sort(), ['.ASPXAUTH', 'BPMCSRF', 'BPMLOADER', 'UserName']);
      assert.match(cookies.get('BPMLOADER')!, /HttpOnly/);
      assert.match(cookies.get('.ASPXAUTH')!, /HttpOnly/);
      assert.match(cookies.get('BPMCSRF')!, /path=\//);
      assert.doesNotMatch(cookies.get('BPMCSRF')!, /HttpOnly/, 'BPMCSRF must be readable by scripts');
      assert.match(cookies.get('UserName')!, /HttpOnly/);
      assert.match(cookies.get('UserName')!, /expires=/);
    });

    it('§2.1 failed login answers HTTP 200 with Code 1 and a reason in Message', async () => {
      const r = await loginRaw(t.s, { UserName: 'Supervisor', UserPassword: 'wrong' });
      assert.equal(r.status, 200);
      const body = (await r.json()) as { Code: number; Message: string };
      assert.equal(body.Code, 1);
      assert.ok(body.Message.length > 0);
      assert.deepEqual(r.headers.getSetCookie(), []);
      assert.equal(t.s.stats().loginFailed, 1);
    });

    it('§2.1 a misspelled AuthService method answers 403', async () => {
      const r = await loginRaw(t.s, { UserName: 'Supervisor', UserPassword: 'Supervisor' }, 'Logon');
      assert.equal(r.status, 403);
    });

    it('§2.1 an OData call with the session cookies but no BPMCSRF header answers 403', async () => {
      const session = await login(t.s);
      const r = await fetch(`${t.s.odataUrl}/Contact`, { headers: { Cookie: session.cookie } });
      assert.equal(r.status, 403);
    });

    it('§2.1 a BPMCSRF header that differs from the cookie answers 403', async () => {
      const session = await login(t.s);
      const r = await odata(t.s, { ...session, csrf: 'not-the-token' }).get('Contact');
      assert.equal(r.status, 403);
    });

    it('§2.1 with the cookies and a matching BPMCSRF header the call succeeds', async () => {
      const r = await odata(t.s, await login(t.s)).get('Contact');
      assert.equal(r.status, 200);
    });

    it('§9 an OData call with no credentials answers 401', async () => {
      const r = await odata(t.s, undefined).get('Contact');
      assert.equal(r.status, 401);
      assert.equal(t.s.stats().unauthorized, 1);
    });

    it('§2.1 the session expires after UserSessionTimeout minutes without activity (401 signal)', async () => {
      const api = odata(t.s, await login(t.s));
      t.clock.advance(59 * 60_000);
      assert.equal((await api.get('Contact?$top=1')).status, 200);
      t.clock.advance(60 * 60_000);
      assert.equal((await api.get('Contact?$top=1')).status, 401);
    });

    it('§2.1 the session timeout slides: each call restarts it', async () => {
      const api = odata(t.s, await login(t.s));
      for (let i = 0; i < 4; i++) {
        t.clock.advance(45 * 60_000);
        assert.equal((await api.get('Contact?$top=1')).status, 200);
      }
    });

    it('§2.1 a new login after expiry gives a working session', async () => {
      const first = odata(t.s, await login(t.s));
      t.clock.advance(61 * 60_000);
      assert.equal((await first.get('Contact?$top=1')).status, 401);
      assert.equal((await odata(t.s, await login(t.s)).get('Contact?$top=1')).status, 200);
    });

    it('§9 expireAllSessions() makes the next cookie call see an expired login', async () => {
      const api = odata(t.s, await login(t.s));
      t.s.expireAllSessions();
      assert.equal((await api.get('Contact?$top=1')).status, 401);
    });
  });

  describe('expiry signals', () => {
    it('§2.1 an expired session can answer 302 to /Login/NuiLogin.aspx?ReturnUrl=…', async () => {
      t = await start({ sessionExpiredSignal: 'redirect', sessionTimeoutMinutes: 10 });
      const api = odata(t.s, await login(t.s));
      t.clock.advance(11 * 60_000);
      const r = await api.get('Contact?$top=1');
      assert.equal(r.status, 302);
      const location = r.headers.get('location')!;
      assert.match(location, /^\/Login\/NuiLogin\.aspx\?ReturnUrl=/);
      assert.equal(decodeURIComponent(location.split('ReturnUrl=')[1]!), '/0/odata/Contact?$top=1');
    });

    it('§2.1 an expired session can answer 200 with an HTML login page', async () => {
      t = await start({ sessionExpiredSignal: 'html' });
      const api = odata(t.s, await login(t.s));
      t.clock.advance(61 * 60_000);
      const r = await api.get('Contact?$top=1');
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type')!, /text\/html/);
      assert.match(r.text, /<html/i);
      assert.equal(r.json, undefined);
    });

    it('§2.1 UserSessionTimeout outside Creatio’s 10–720 minutes is refused at start', async () => {
      await assert.rejects(startCreatioStandin({ sessionTimeoutMinutes: 5 }), RangeError);
      await assert.rejects(startCreatioStandin({ sessionTimeoutMinutes: 721 }), RangeError);
    });
  });

  describe('CSRF disabled', () => {
    it('§2.1 with csrfRequired false (UseCsrfToken=false) cookie calls need no BPMCSRF', async () => {
      t = await start({ csrfRequired: false });
      const session = await login(t.s);
      const r = await fetch(`${t.s.odataUrl}/Contact?$top=1`, { headers: { Cookie: session.cookie } });
      assert.equal(r.status, 200);
    });
  });

  describe('OAuth 2.0 client credentials', () => {
    beforeEach(async () => {
      t = await start({ oauthClients: [{ clientId: 'sync-app', clientSecret: 's3cret' }] });
    });

    it('§2.2 /connect/token issues a 3600 s Bearer token with scope ApplicationAccess_<id>', async () => {
      const r = await token(t.s, 'sync-app', 's3cret');
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.json).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
      assert.equal(r.json.expires_in, 3600);
      assert.equal(r.json.token_type, 'Bearer');
      assert.match(r.json.scope, /^ApplicationAccess_[0-9a-f]+$/);
      assert.equal(t.s.stats().token, 1);
    });

    it('§2.2 a Bearer token is accepted without cookies or BPMCSRF', async () => {
      const tok = await token(t.s, 'sync-app', 's3cret');
      const r = await odata(t.s, { bearer: tok.json.access_token }).get('Contact?$top=1');
      assert.equal(r.status, 200);
    });

    it('§2.2 an expired Bearer token answers 401', async () => {
      const tok = await token(t.s, 'sync-app', 's3cret');
      const api = odata(t.s, { bearer: tok.json.access_token });
      t.clock.advance(3599_000);
      assert.equal((await api.get('Contact?$top=1')).status, 200);
      t.clock.advance(1_000);
      assert.equal((await api.get('Contact?$top=1')).status, 401);
    });

    it('§2.2 an unknown client or wrong secret answers 400 {"error":"invalid_client"}', async () => {
      const r = await token(t.s, 'sync-app', 'nope');
      assert.equal(r.status, 400);
      assert.deepEqual(r.json, { error: 'invalid_client' });
    });

    it('§2.2 a grant type other than client_credentials answers 400 unsupported_grant_type', async () => {
      const r = await fetch(t.s.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: 'sync-app', client_secret: 's3cret', grant_type: 'password' }),
      });
      assert.equal(r.status, 400);
      assert.equal(((await r.json()) as { error: string }).error, 'unsupported_grant_type');
    });

    it('§2.2 (assumption) client credentials in an HTTP Basic header are accepted, as identity servers do', async () => {
      const r = await fetch(t.s.tokenUrl, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: `Basic ${Buffer.from('sync-app:s3cret').toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      });
      assert.equal(r.status, 200);
    });

    it('§2.2 expireAllSessions() also invalidates Bearer tokens', async () => {
      const tok = await token(t.s, 'sync-app', 's3cret');
      t.s.expireAllSessions();
      assert.equal((await odata(t.s, { bearer: tok.json.access_token }).get('Contact?$top=1')).status, 401);
    });
  });
});
