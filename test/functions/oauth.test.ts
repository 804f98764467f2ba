// The connect flow's defences: connect tickets and OAuth states are signed, expire, and work once; a
// forged, expired or replayed one is refused with a clear 400 and writes nothing. Opening a link spends
// nothing (only its button does), the state is bound to the browser that clicked, and spent only once
// the code is redeemed. Refresh tokens are stored sealed to their connection: unreadable in the raw
// document and unopenable elsewhere.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Sealer } from '../../shared/secrets.js';
import { googleTokenContext, pkceContext } from '../../shared/sealing.js';
import { TokenSigner } from '../../shared/signedTokens.js';
import type { Harness, TenantSeed } from './harness.js';
import { call, clickConnect, connectUser, cookieOf, snapshotDocuments, startHarness } from './harness.js';

const TEN_MINUTES = 10 * 60_000;

describe('functions: OAuth tickets, states and sealed tokens', function () {
  this.timeout(120_000);
  let h: Harness;
  let seed: TenantSeed;
  let folder: string;
  let users = 0;
  const nextUser = () => `user-${++users}`;

  before(async () => {
    h = await startHarness();
    seed = await h.seedTenant('acme');
    folder = h.createFolder('Sales team');
  });
  after(() => h?.close());

  const newLink = async (userId: string): Promise<string> => {
    const r = await call(h.urls.oauthStart, {
      method: 'POST',
      apiKey: seed.apiKey,
      json: { tenantId: seed.tenantId, userId, crmGroupId: folder },
    });
    assert.equal(r.status, 200, r.text);
    const { url, expiresAt } = r.json as { url: string; expiresAt: number };
    assert.ok(expiresAt <= h.clock.now() + TEN_MINUTES, 'the link expires within 10 minutes');
    assert.ok(
      url.startsWith(`${h.urls.oauthStart}/?ticket=`) || url.startsWith(`${h.urls.oauthStart}?ticket=`),
    );
    return url;
  };
  const ticketOf = (url: string) => new URL(url).searchParams.get('ticket')!;
  const openTicket = (ticket: string, json = false) =>
    call(`${h.urls.oauthStart}?ticket=${encodeURIComponent(ticket)}`, {
      headers: json ? { accept: 'application/json' } : {},
    });
  const clickTicket = (ticket: string, json = false, headers: Record<string, string> = {}) =>
    clickConnect(h, ticket, json ? { accept: 'application/json', ...headers } : headers);
  /** Up to Google's redirect back: the callback URL (not yet called) and the browser's binding cookie. */
  const untilCallbackWithCookie = async (userId: string): Promise<{ url: string; cookie: string }> => {
    const start = await clickTicket(ticketOf(await newLink(userId)));
    assert.equal(start.status, 303, start.text);
    const consent = await call(start.headers.get('location')!);
    assert.equal(consent.status, 302, consent.text);
    return { url: consent.headers.get('location')!, cookie: cookieOf(start) };
  };
  const untilCallback = async (userId: string): Promise<string> =>
    (await untilCallbackWithCookie(userId)).url;
  const refused403 = async (run: () => Promise<{ status: number; text: string }>) => {
    const before = await snapshotDocuments(h.db);
    const r = await run();
    assert.equal(r.status, 403, r.text);
    assert.match(r.text, /cross-site/);
    assert.deepEqual(await snapshotDocuments(h.db), before, 'nothing is written');
  };
  const refused = async (
    run: () => Promise<{ status: number; text: string; json: unknown; headers: Headers }>,
    pattern: RegExp,
  ) => {
    const before = await snapshotDocuments(h.db);
    const r = await run();
    assert.equal(r.status, 400, r.text);
    assert.match(r.text, pattern);
    assert.deepEqual(await snapshotDocuments(h.db), before, 'nothing is written');
    return r;
  };

  describe('connect tickets', () => {
    it('a good ticket sends the browser to Google consent with PKCE, offline access and a signed state', async () => {
      const start = await clickTicket(ticketOf(await newLink(nextUser())));
      assert.equal(start.status, 303);
      const consent = new URL(start.headers.get('location')!);
      assert.equal(consent.origin + consent.pathname, h.google.endpoints.oauth2AuthBaseUrl);
      assert.equal(consent.searchParams.get('access_type'), 'offline');
      assert.equal(consent.searchParams.get('code_challenge_method'), 'S256');
      assert.match(consent.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{43}$/);
      assert.equal(start.headers.get('referrer-policy'), 'no-referrer');
    });

    it('a forged ticket (unknown id, made-up MAC) is refused', async () => {
      const forged = `${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
      const r = await refused(() => openTicket(forged, true), /not valid/);
      assert.deepEqual(r.json, { error: { code: 'bad-request', message: 'the connect link is not valid' } });
    });

    it('a real ticket id with a MAC from another key, or a tampered MAC, is refused and stays usable', async () => {
      const ticket = ticketOf(await newLink(nextUser()));
      const [id, mac] = ticket.split('.') as [string, string];
      const other = TokenSigner.fromEncryptionKey(randomBytes(32)).sign('ticket', id);
      await refused(() => clickTicket(other), /not valid/);
      const flipped = `${id}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
      await refused(() => openTicket(flipped), /not valid/);
      await refused(() => clickTicket(`${id}.${mac}.x`), /not valid/);
      assert.equal((await clickTicket(ticket)).status, 303, 'the forgeries did not spend the real ticket');
    });

    it('an OAuth state is no ticket (the MAC is bound to the kind)', async () => {
      const callback = new URL(await untilCallback(nextUser()));
      await refused(() => openTicket(callback.searchParams.get('state')!), /not valid/);
      await refused(() => clickTicket(callback.searchParams.get('state')!), /not valid/);
    });

    it('an expired ticket is refused with a page saying so', async () => {
      const ticket = ticketOf(await newLink(nextUser()));
      h.clock.advance(TEN_MINUTES + 1_000);
      try {
        const r = await refused(() => openTicket(ticket), /expired/);
        assert.match(r.headers.get('content-type') ?? '', /text\/html/);
        assert.match(r.text, /has expired: start again/);
        assert.doesNotMatch(r.text, /<script/i);
      } finally {
        h.clock.advance(-(TEN_MINUTES + 1_000));
      }
    });

    it('a ticket works once', async () => {
      const ticket = ticketOf(await newLink(nextUser()));
      assert.equal((await clickTicket(ticket)).status, 303);
      await refused(() => openTicket(ticket, true), /used/);
      const r = await refused(() => clickTicket(ticket, true), /used/);
      assert.deepEqual(r.json, {
        error: { code: 'bad-request', message: 'the connect link was already used: start again' },
      });
    });

    it('a missing ticket is a 400', async () => {
      const r = await call(h.urls.oauthStart, { headers: { accept: 'application/json' } });
      assert.equal(r.status, 400);
      assert.deepEqual(r.json, { error: { code: 'bad-request', message: 'ticket is required' } });
    });

    it('a link is only issued for an existing static CRM group', async () => {
      for (const [crmGroupId, message] of [
        ['9dc5f6e6-0000-0000-0000-00000000beef', 'crmGroupId: no such CRM group'],
        [h.createFolder('Smart filter', true), 'crmGroupId: the CRM group is not static'],
      ] as const) {
        const before = await snapshotDocuments(h.db);
        const r = await call(h.urls.oauthStart, {
          method: 'POST',
          apiKey: seed.apiKey,
          json: { tenantId: seed.tenantId, userId: nextUser(), crmGroupId },
        });
        assert.equal(r.status, 400, r.text);
        assert.deepEqual(r.json, { error: { code: 'validation', message } });
        assert.deepEqual(await snapshotDocuments(h.db), before);
      }
    });
  });

  describe('OAuth states', () => {
    it('the callback connects the account and shows a page without any token', async () => {
      const userId = nextUser();
      const steps = await connectUser(h, seed, userId, folder);
      assert.equal(steps.callback.status, 200, steps.callback.text);
      assert.match(steps.callback.text, /demo\.user@example\.com is connected/);
      const code = new URL(steps.callbackUrl).searchParams.get('code')!;
      assert.ok(!steps.callback.text.includes(code));
      const c = await h.app.connections.get(seed.tenantId, userId);
      assert.equal(c?.google?.email, 'demo.user@example.com');
      assert.equal(c?.crmGroupId, folder);
      const token = h.app.sealer.open(c!.refreshTokenSealed!, googleTokenContext(seed.tenantId, userId));
      assert.ok(!steps.callback.text.includes(token));
    });

    it('a forged state is refused and nothing is connected', async () => {
      const userId = nextUser();
      const callback = new URL(await untilCallback(userId));
      callback.searchParams.set(
        'state',
        `${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`,
      );
      const r = await refused(() => call(callback.toString()), /not valid/);
      assert.match(r.text, /the sign-in state is not valid/);
      assert.equal(await h.app.connections.get(seed.tenantId, userId), null);
    });

    it('a state signed with another key is refused', async () => {
      const callback = new URL(await untilCallback(nextUser()));
      const id = callback.searchParams.get('state')!.split('.')[0]!;
      callback.searchParams.set('state', TokenSigner.fromEncryptionKey(randomBytes(32)).sign('state', id));
      await refused(() => call(callback.toString()), /not valid/);
    });

    it('an expired state is refused and nothing is connected', async () => {
      const userId = nextUser();
      const callback = await untilCallback(userId);
      h.clock.advance(TEN_MINUTES + 1_000);
      try {
        const r = await refused(() => call(callback, { headers: { accept: 'application/json' } }), /expired/);
        assert.deepEqual(r.json, {
          error: { code: 'bad-request', message: 'the sign-in state has expired: start again' },
        });
      } finally {
        h.clock.advance(-(TEN_MINUTES + 1_000));
      }
      assert.equal(await h.app.connections.get(seed.tenantId, userId), null);
    });

    it('a replayed callback is refused and changes nothing', async () => {
      const userId = nextUser();
      const steps = await connectUser(h, seed, userId, folder);
      assert.equal(steps.callback.status, 200);
      const r = await refused(() => call(steps.callbackUrl), /used/);
      assert.match(r.text, /the sign-in state was already used: start again/);
    });

    it('a refused consent connects nothing', async () => {
      const userId = nextUser();
      h.google.setConsent('demo.user@example.com', 'deny');
      try {
        const { url, cookie } = await untilCallbackWithCookie(userId);
        const back = new URL(url);
        assert.equal(back.searchParams.get('error'), 'access_denied');
        const r = await call(back.toString(), { headers: { cookie } });
        assert.equal(r.status, 200);
        assert.match(r.text, /Not connected/);
        assert.equal(await h.app.connections.get(seed.tenantId, userId), null);
      } finally {
        h.google.setConsent('demo.user@example.com', 'allow');
      }
    });

    it('a code Google refuses (already redeemed elsewhere) is a 400 asking to start again', async () => {
      const userId = nextUser();
      const { url, cookie } = await untilCallbackWithCookie(userId);
      const callback = new URL(url);
      // Someone else redeems the code first (Google codes work once).
      const stolen = await fetch(h.google.endpoints.oauth2TokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: callback.searchParams.get('code')!,
          client_id: h.env.GOOGLE_CLIENT_ID!,
          client_secret: h.env.GOOGLE_CLIENT_SECRET!,
          redirect_uri: h.urls.oauthCallback,
        }),
      });
      assert.equal(
        stolen.status,
        400,
        'without the PKCE verifier the thief gets nothing, but the code is spent',
      );
      const r = await call(callback.toString(), { headers: { accept: 'application/json', cookie } });
      assert.equal(r.status, 400, r.text);
      assert.deepEqual(r.json, {
        error: {
          code: 'bad-request',
          message: 'Google did not accept the sign-in: ask for a new connect link',
        },
      });
      assert.equal(await h.app.connections.get(seed.tenantId, userId), null);
    });

    it('a callback without a state, or without a code, is a 400', async () => {
      const callback = new URL(await untilCallback(nextUser()));
      const noState = new URL(callback);
      noState.searchParams.delete('state');
      await refused(() => call(noState.toString()), /state/);
      const noCode = new URL(callback);
      noCode.searchParams.delete('code');
      const r = await refused(
        () => call(noCode.toString(), { headers: { accept: 'application/json' } }),
        /code/,
      );
      assert.deepEqual(r.json, { error: { code: 'bad-request', message: 'code is required' } });
    });
  });

  describe('a link opened by a scanner, and a consent bound to its browser', () => {
    it('opening a link (a scanner, an unfurler, the person) shows a button and spends nothing', async () => {
      const url = await newLink(nextUser());
      const before = await snapshotDocuments(h.db);
      for (const agent of [
        'Slackbot-LinkExpanding 1.0',
        'Mozilla/5.0 (compatible; SafeLinks)',
        'Mozilla/5.0',
      ]) {
        const page = await call(url, { headers: { 'user-agent': agent } });
        assert.equal(page.status, 200, page.text);
        assert.match(page.headers.get('content-type') ?? '', /text\/html/);
        assert.match(
          page.text,
          /<form method="post"[^>]*><input type="hidden" name="ticket" value="[^"]+"><button/,
        );
        assert.equal(page.headers.get('set-cookie'), null);
        assert.equal((await call(url, { method: 'HEAD' })).status, 200);
      }
      assert.deepEqual(await snapshotDocuments(h.db), before, 'nothing spent, nothing written');
      assert.equal((await clickTicket(ticketOf(url))).status, 303, 'the person can still use it');
    });

    it('the click sets a short-lived HttpOnly SameSite=Lax cookie for the callback', async () => {
      const start = await clickTicket(ticketOf(await newLink(nextUser())));
      assert.equal(start.status, 303);
      const attributes = (start.headers.get('set-cookie') ?? '').split('; ');
      assert.match(attributes[0]!, /^contact_sync_consent=[A-Za-z0-9_-]{43}$/);
      assert.ok(attributes.includes('HttpOnly'));
      assert.ok(attributes.includes('SameSite=Lax'));
      assert.ok(attributes.includes(`Path=${new URL(h.urls.oauthCallback).pathname}`));
      assert.ok(attributes.includes('Max-Age=600'));
      assert.ok(!attributes.includes('Secure'), 'loopback has no TLS');
      assert.equal(start.headers.get('cache-control'), 'no-store');
    });

    it('a click from another site is refused and does not spend the link', async () => {
      const ticket = ticketOf(await newLink(nextUser()));
      await refused403(() => clickTicket(ticket, true, { origin: 'https://evil.example' }));
      await refused403(() =>
        clickTicket(ticket, true, { origin: h.urls.oauthStart, 'sec-fetch-site': 'cross-site' }),
      );
      assert.equal((await clickTicket(ticket)).status, 303);
    });

    it('a consent finished in another browser is refused with a clear page, and the right browser still connects', async () => {
      const userId = nextUser();
      const { url, cookie } = await untilCallbackWithCookie(userId);
      const other = cookieOf(await clickTicket(ticketOf(await newLink(nextUser()))));
      for (const headers of [
        {},
        { cookie: other },
        { cookie: 'contact_sync_consent=forged' },
        { cookie: `${cookie}; ${other}` },
      ]) {
        const r = await refused(() => call(url, { headers }), /started in another browser/);
        assert.match(r.headers.get('content-type') ?? '', /text\/html/);
      }
      assert.equal(await h.app.connections.get(seed.tenantId, userId), null);
      const r = await call(url, { headers: { cookie } });
      assert.equal(r.status, 200, r.text);
      assert.equal(
        (await h.app.connections.get(seed.tenantId, userId))?.google?.email,
        'demo.user@example.com',
      );
    });

    it('a transient failure of the code exchange can be retried by reloading the callback', async () => {
      const userId = nextUser();
      const { url, cookie } = await untilCallbackWithCookie(userId);
      const fault = h.google.faults.add({ match: { method: 'oauth.token' }, status: 503, times: 50 });
      let first;
      try {
        first = await call(url, { headers: { cookie, accept: 'application/json' } });
      } finally {
        h.google.faults.remove(fault);
      }
      assert.ok(first.status >= 500, first.text);
      assert.equal(await h.app.connections.get(seed.tenantId, userId), null);
      const reload = await call(url, { headers: { cookie } });
      assert.equal(reload.status, 200, reload.text);
      assert.match(reload.text, /is connected/);
      await refused(() => call(url, { headers: { cookie } }), /already used/);
    });
  });

  describe('refresh tokens at rest', () => {
    it('are sealed: no plaintext in any stored document, and unopenable with another context or key', async () => {
      const userId = nextUser();
      await connectUser(h, seed, userId, folder);
      const raw = (await h.db.doc(`tenants/${seed.tenantId}/connections/${userId}`).get()).data()!;
      const sealed = raw.refreshTokenSealed as string;
      assert.match(sealed, /^v2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      const token = h.app.sealer.open(sealed, googleTokenContext(seed.tenantId, userId));
      assert.ok(token.length > 10);

      // The plaintext is a live refresh token at the (stand-in) Google token endpoint...
      const refreshed = await fetch(h.google.endpoints.oauth2TokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: token,
          client_id: h.env.GOOGLE_CLIENT_ID!,
          client_secret: h.env.GOOGLE_CLIENT_SECRET!,
        }),
      });
      assert.equal(refreshed.status, 200);

      // ...and appears nowhere in the database, nor in the logs.
      const everything: string[] = [];
      for (const path of Object.keys(await snapshotDocuments(h.db)))
        everything.push(JSON.stringify((await h.db.doc(path).get()).data()));
      assert.ok(everything.length > 2);
      assert.ok(!everything.some((d) => d.includes(token)), 'no document holds the plaintext token');
      assert.ok(!JSON.stringify(h.logs).includes(token), 'no log line holds it');

      assert.throws(() => h.app.sealer.open(sealed, googleTokenContext(seed.tenantId, 'someone-else')));
      assert.throws(() => h.app.sealer.open(sealed, googleTokenContext('other-tenant', userId)));
      assert.throws(() =>
        new Sealer(randomBytes(32)).open(sealed, googleTokenContext(seed.tenantId, userId)),
      );
    });

    it('PKCE verifiers wait in the state sealed too', async () => {
      const callback = new URL(await untilCallback(nextUser()));
      const id = callback.searchParams.get('state')!.split('.')[0]!;
      const doc = (await h.db.doc(`oneTime/state-${id}`).get()).data()!;
      const payload = doc.payload as Record<string, string>;
      const verifier = h.app.sealer.open(payload.verifier!, pkceContext(payload.tenantId!, payload.userId!));
      assert.match(verifier, /^[A-Za-z0-9._~-]{43,128}$/);
      assert.ok(!JSON.stringify(doc).includes(verifier));
    });
  });
});
