// The pages in a real browser, against the deployed shape on loopback (functions, Pub/Sub and
// Firestore emulators, the Google and Creatio stand-ins): a salesperson signs in by the link the CRM
// asked for, connects Google through the stand-in's consent, chooses a group, syncs and reads the
// history; sessions of one tenant open nothing of another's.
import assert from 'node:assert/strict';
import type { TenantSeed } from '../functions/harness.js';
import { call, clickConnect, cookieOf, snapshotDocuments, waitFor } from '../functions/harness.js';
import { googleTokenContext } from '../../shared/sealing.js';
import { getPreview } from '../../shared/preview/preview.js';
import { skipUnlessPubsub } from '../support/emulators.js';
import type { Stack } from '../e2e/stack.js';
import {
  ACCOUNT,
  crmMembers,
  googleByEmail,
  googleContacts,
  googleGroups,
  groupsOf,
  startStack,
  syncNowAndWait,
} from '../e2e/stack.js';
import type { Browser } from './browser.js';
import { axeViolations, openBrowser, signIn, signInLink, skipUnlessChromium } from './browser.js';

describe('pages: a salesperson in a real browser', function () {
  this.timeout(180_000);
  let s: Stack;
  let acme: TenantSeed;
  let other: TenantSeed;
  let folder: string;
  let b: Browser;
  const userId = 'sales.rep@acme.example';

  before(async function () {
    skipUnlessChromium(this);
    await skipUnlessPubsub(this);
    s = await startStack('pages');
    acme = await s.h.seedTenant('acme');
    other = await s.h.seedTenant('globex');
    folder = s.h.createFolder('Key accounts');
    s.h.createFolder('Hot leads (dynamic)', true);
    s.h.createFolder('Partners');
    b = await openBrowser();
  });
  after(async () => {
    await b?.close();
    await s?.close();
  });

  it('signs in by the link and says plainly that Google is not connected', async () => {
    const url = await signInLink(s.h, acme, { userId });
    // Opening the link spends nothing: a scanner that fetches it leaves it working.
    assert.equal((await call(url)).status, 200);
    await signIn(b.page, url);
    await b.page.getByRole('heading', { name: 'Your contact sync' }).waitFor();
    assert.match(await b.page.locator('.state').innerText(), /not connected/);
    const options = await b.page
      .getByLabel(/CRM group to sync/)
      .locator('option')
      .allInnerTexts();
    assert.ok(options.includes('Key accounts') && options.includes('Partners'), options.join());
    assert.ok(!options.some((o) => o.includes('dynamic')), 'dynamic groups are not offered');
    // The link worked once.
    await b.page.goto(url);
    await b.page.getByRole('button', { name: 'Continue' }).click();
    assert.match(await b.page.locator('main').innerText(), /already used/);
  });

  it('answers every page with CSP, no-store and frame denial, and passes an axe check', async () => {
    const res = await b.page.goto(`${s.h.urls.pages}/`);
    const h = res!.headers();
    assert.match(h['content-security-policy']!, /frame-ancestors 'none'/);
    assert.match(h['content-security-policy']!, /script-src 'nonce-/);
    assert.doesNotMatch(h['content-security-policy']!, /unsafe-inline/);
    assert.equal(h['cache-control'], 'no-store');
    assert.equal(h['x-frame-options'], 'DENY');
    const cookie = (await b.context.cookies()).find((c) => c.name === 'contact_sync_session');
    assert.ok(cookie?.httpOnly && cookie.sameSite === 'Lax', JSON.stringify(cookie));
    assert.deepEqual(await axeViolations(b.page), []);
  });

  it('connects Google through the consent, chooses a group, syncs now and shows the history', async () => {
    const ada = s.h.creatio.ui.createContact({ Name: 'Ada Lovelace', Email: 'ada@example.com' });
    s.h.creatio.ui.addToFolder(folder, ada.Id as string);
    const page = b.page;
    await page.goto(`${s.h.urls.pages}/`);
    // Searchable: typing narrows the list, and the keyboard chooses.
    await page.getByLabel('Search the CRM groups').fill('key');
    await page.getByLabel(/CRM group to sync/).selectOption({ label: 'Key accounts' });
    await page.getByRole('button', { name: 'Connect Google account' }).click();
    await page.waitForLoadState();
    // The consent mechanism may ask for a press of a button before leaving for Google.
    const go = page.getByRole('button', { name: /continue|connect/i });
    if ((await go.count()) > 0) await go.first().click();
    await page.getByRole('heading', { name: /connected/i }).waitFor();

    await page.goto(`${s.h.urls.pages}/`);
    assert.match(await page.locator('.state').innerText(), new RegExp(ACCOUNT));
    assert.equal(await page.getByLabel(/CRM group to sync/).inputValue(), folder);

    await page.getByRole('button', { name: 'Sync now' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Sync finished/ })
      .waitFor({ timeout: 60_000 });
    assert.match(await page.getByRole('status').first().innerText(), /1 created/);
    const row = page.locator('table tbody tr').first();
    assert.match(await row.innerText(), /Sync now\s+Done/);
    assert.equal(googleByEmail(s, 'ada@example.com').length, 1);
  });

  it('saves settings from the form, and refuses a form without its CSRF token', async () => {
    const page = b.page;
    await page.goto(`${s.h.urls.pages}/`);
    await page.getByLabel('Sync every (minutes)').fill('30');
    await page.getByLabel('When both sides changed a field').selectOption('crm-wins');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const c = await s.h.app.connections.get('acme', userId);
    assert.equal(c?.intervalMinutes, 30);
    assert.equal(c?.policy, 'crm-wins');

    const forged = await page.request.post(`${s.h.urls.pages}/settings`, {
      form: { crmGroupId: folder, intervalMinutes: '5', policy: 'google-wins', enabled: 'on' },
      maxRedirects: 0,
    });
    assert.equal(forged.status(), 403);
    assert.equal((await s.h.app.connections.get('acme', userId))?.policy, 'crm-wins');
  });

  it('an ambiguous match appears, and choosing the pair links it on the next sync', async () => {
    const bob = s.h.creatio.ui.createContact({ Name: 'Bob Twin', Email: 'bob@example.com' });
    s.h.creatio.ui.addToFolder(folder, bob.Id as string);
    for (const givenName of ['Bob', 'Robert'])
      s.h.google.user.createContact(ACCOUNT, {
        names: [{ givenName, familyName: 'Twin' }],
        emailAddresses: [{ value: 'bob@example.com' }],
      });
    const page = b.page;
    await page.goto(`${s.h.urls.pages}/`);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Sync finished/ })
      .waitFor({ timeout: 60_000 });
    await page.getByRole('heading', { name: 'Which records belong together?' }).waitFor();
    const robert = googleByEmail(s, 'bob@example.com').find((p) =>
      JSON.stringify(p.names).includes('Robert'),
    )!;
    await page.getByRole('radio', { name: /Robert Twin/ }).check();
    await page.getByRole('button', { name: 'Link the chosen pair' }).click();
    await page.getByText(/the next sync links the pair you chose/).waitFor();

    await page.getByRole('button', { name: 'Sync now' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Sync finished/ })
      .waitFor({ timeout: 60_000 });
    const syncGroup = String(googleGroups(s, "bpm'online")[0]!.resourceName);
    const bobs = googleByEmail(s, 'bob@example.com');
    assert.equal(bobs.length, 2, 'no Google contact was created');
    assert.deepEqual(
      bobs.filter((p) => groupsOf(p).includes(syncGroup)).map((p) => p.resourceName),
      [robert.resourceName],
      'the chosen one joined the group',
    );
    assert.equal(s.h.creatio.ui.rows('Contact', "$filter=Email eq 'bob@example.com'").length, 1);
    assert.equal(await page.getByRole('heading', { name: 'Which records belong together?' }).count(), 0);
  });

  it('the preview shows what the next sync then does, and writes nothing on either side', async () => {
    for (const [Name, Email] of [
      ['Grace Hopper', 'grace@example.com'],
      ['Alan Turing', 'alan@example.com'],
    ] as const)
      s.h.creatio.ui.addToFolder(folder, s.h.creatio.ui.createContact({ Name, Email }).Id as string);
    // The preview's own result document and the count of the Creatio calls it made are its writes;
    // everything else must stay as it was.
    const world = async () =>
      JSON.stringify({
        firestore: Object.entries(await snapshotDocuments(s.h.db)).filter(
          ([k]) => !k.includes('/previews/') && !k.includes('/creatioCalls/'),
        ),
        google: googleContacts(s),
        groups: s.h.google.user.listGroups(ACCOUNT),
        crm: s.h.creatio.ui.rows('Contact', ''),
        members: crmMembers(s, folder),
      });
    const before = await world();
    const page = b.page;
    await page.goto(`${s.h.urls.pages}/`);
    await page.getByRole('button', { name: 'Preview the next sync' }).click();
    // A job computes it: the page waits, then shows the result when the job stored it.
    await page.getByRole('heading', { name: 'Preview of the next sync' }).waitFor();
    await page.locator('#preview-counts').waitFor({ timeout: 60_000 });
    const previewed = await page.locator('#preview-counts tbody tr').allInnerTexts();
    assert.deepEqual(previewed.sort(), ['Create in Google\t2', 'New pairs\t2']);
    const items = await page.locator('#preview-items tbody tr').allInnerTexts();
    assert.deepEqual(items.map((r) => r.split('\t').slice(0, 2).join(' · ')).sort(), [
      'Create in Google · Alan Turing',
      'Create in Google · Grace Hopper',
    ]);
    assert.equal(await world(), before, 'the preview wrote nothing');
    const stored = (await getPreview(s.h.app, 'acme', userId))!;

    await page.getByRole('link', { name: 'Back to your sync' }).click();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Sync finished/ })
      .waitFor({ timeout: 60_000 });
    const runs = (await s.h.app.connections.get('acme', userId))!.recentRuns;
    const last = runs.reduce((a, r) => (r.startedAt > a.startedAt ? r : a));
    const nonZero = (c: Record<string, number>) =>
      Object.entries(c)
        .filter(([, n]) => n > 0)
        .sort();
    assert.deepEqual(nonZero(last.counts), nonZero(stored.counts), 'the run did what the preview said');
    assert.equal(last.counts['create.google'], 2);
    assert.equal(googleByEmail(s, 'grace@example.com').length, 1);
  });

  it('the guard pauses a run that would empty the group, and Confirm carries out the removals', async () => {
    const members = crmMembers(s, folder);
    assert.equal(members.length, 4);
    for (const id of members) s.h.creatio.ui.removeFromFolder(folder, id);
    const page = b.page;
    await page.goto(`${s.h.urls.pages}/`);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /paused by the removal guard/ })
      .waitFor({ timeout: 60_000 });
    assert.match(await page.locator('.state').innerText(), /Paused by the removal guard/);
    const syncGroup = String(googleGroups(s, "bpm'online")[0]!.resourceName);
    const inGroup = () => googleContacts(s).filter((p) => groupsOf(p).includes(syncGroup)).length;
    assert.equal(inGroup(), 4, 'nothing removed yet');
    await page.getByText('Ada Lovelace').first().waitFor();

    await page.getByRole('button', { name: 'Confirm the removals' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Sync finished/ })
      .waitFor({ timeout: 60_000 });
    assert.match(await page.getByRole('status').first().innerText(), /4 removed/);
    assert.doesNotMatch(await page.locator('.state').innerText(), /Paused/);
    assert.equal(inGroup(), 0, 'removed from the Google group');
  });

  it('the admin view lists a failing connection first, and pauses and resumes a user', async () => {
    // A second salesperson, on another Google account, whose access was then revoked at Google.
    const fieldRep = 'field.rep@acme.example';
    const account = 'field.rep@example.com';
    const link = await call(s.h.urls.oauthStart, {
      method: 'POST',
      apiKey: acme.apiKey,
      json: { tenantId: 'acme', userId: fieldRep, crmGroupId: folder },
    });
    const start = await clickConnect(
      s.h,
      new URL((link.json as { url: string }).url).searchParams.get('ticket')!,
    );
    const consent = new URL(start.headers.get('location')!);
    consent.searchParams.set('login_hint', account);
    const back = await call(consent.toString());
    const callback = await call(back.headers.get('location')!, { headers: { cookie: cookieOf(start) } });
    assert.equal(callback.status, 200, callback.text);
    await syncNowAndWait(s, acme, fieldRep);
    s.h.google.revokeAccess(account);
    // That run fails for good (Google refuses the token): the connection needs reconnecting.
    const again = await call(s.h.urls.syncNow, {
      method: 'POST',
      apiKey: acme.apiKey,
      json: { tenantId: 'acme', userId: fieldRep },
    });
    assert.equal(again.status, 202, again.text);
    await waitFor('the connection to need reconnecting', async () =>
      (await s.h.app.connections.get('acme', fieldRep))?.status === 'needs-reconnect' ? true : null,
    );

    const admin = await openBrowser();
    try {
      await signIn(admin.page, await signInLink(s.h, acme, { admin: true }));
      await admin.page.getByRole('heading', { name: "Your tenant's contact sync" }).waitFor();
      const rows = admin.page.locator('#connections tbody tr');
      assert.equal(await rows.count(), 2);
      assert.match(await rows.nth(0).innerText(), /field\.rep@acme\.example[\s\S]*Needs reconnecting/);
      assert.match(await rows.nth(1).innerText(), /sales\.rep@acme\.example[\s\S]*Syncing/);
      assert.match(await admin.page.locator('#state-counts').innerText(), /Needs reconnecting\s+1/);
      assert.match(
        await admin.page.locator('#creatio-calls').innerText(),
        /Billed calls on \d{4}-\d{2}-\d{2} \(UTC\)\s+[\d,]+\s+Daily budget\s+None set/,
      );
      assert.deepEqual(await axeViolations(admin.page), []);

      await admin.page.getByRole('button', { name: `Pause ${userId}` }).click();
      await admin.page.getByText(/^Paused:/).waitFor();
      assert.equal((await s.h.app.connections.get('acme', userId))?.enabled, false);
      assert.match(await rows.nth(1).innerText(), /Switched off/);
      await admin.page.getByRole('button', { name: `Resume ${userId}` }).click();
      await admin.page.getByText(/^Resumed:/).waitFor();
      assert.equal((await s.h.app.connections.get('acme', userId))?.enabled, true);

      const forged = await admin.page.request.post(`${s.h.urls.pages}/admin/pause`, {
        form: { userId },
        maxRedirects: 0,
      });
      assert.equal(forged.status(), 403);
      assert.equal((await s.h.app.connections.get('acme', userId))?.enabled, true);
    } finally {
      await admin.close();
    }
    // A salesperson's session is not an admin's.
    assert.equal((await b.page.goto(`${s.h.urls.pages}/admin`))!.status(), 403);
    await b.page.goto(`${s.h.urls.pages}/`);
    // Another tenant's admin sees none of acme's connections, and cannot pause one.
    const theirs = await openBrowser();
    try {
      await signIn(theirs.page, await signInLink(s.h, other, { admin: true }));
      const main = await theirs.page.locator('main').innerText();
      assert.match(main, /Nobody has connected yet/);
      assert.doesNotMatch(main, /rep@acme/);
      const csrf = await theirs.page.locator('input[name=csrf]').first().inputValue();
      const pause = await theirs.page.request.post(`${s.h.urls.pages}/admin/pause`, {
        form: { csrf, userId },
        maxRedirects: 0,
      });
      assert.equal(pause.status(), 404);
      assert.equal((await s.h.app.connections.get('acme', userId))?.enabled, true);
    } finally {
      await theirs.close();
    }
  });

  it('a session of one tenant opens nothing of another tenant', async () => {
    // Another tenant's salesperson with the same user id: the acme session still sees acme's only.
    const theirs = await openBrowser();
    try {
      await signIn(theirs.page, await signInLink(s.h, other, { userId }));
      assert.match(await theirs.page.locator('.state').innerText(), /not connected/);
      const acmeRun = (await s.h.app.connections.get('acme', userId))!.recentRuns[0]!.runId;
      const peek = await theirs.page.request.get(`${s.h.urls.pages}/run?runId=${acmeRun}`);
      assert.equal(peek.status(), 404);
      // Ids in the query are ignored: the session decides whose page it is.
      await theirs.page.goto(`${s.h.urls.pages}/?tenantId=acme&userId=${encodeURIComponent(userId)}`);
      assert.match(await theirs.page.locator('.state').innerText(), /not connected/);
    } finally {
      await theirs.close();
    }
    // A forged or edited cookie is no session at all.
    const anon = await openBrowser();
    try {
      await anon.context.addCookies([
        { name: 'contact_sync_session', value: 'v1.AAAA.BBBB.CCCC', url: s.h.urls.pages },
      ]);
      const res = await anon.page.goto(`${s.h.urls.pages}/`);
      assert.equal(res!.status(), 401);
    } finally {
      await anon.close();
    }
  });
  it('Disconnect asks first, revokes the grant at Google and offers Connect again', async () => {
    const c = (await s.h.app.connections.get('acme', userId))!;
    const token = s.h.app.sealer.open(c.refreshTokenSealed!, googleTokenContext('acme', userId));
    const page = b.page;
    await page.goto(`${s.h.urls.pages}/`);
    await page.getByRole('link', { name: 'Disconnect…' }).click();
    await page.getByRole('heading', { name: `Disconnect ${ACCOUNT}?` }).waitFor();
    assert.equal((await s.h.app.connections.get('acme', userId))?.refreshTokenSealed, c.refreshTokenSealed);
    await page.getByRole('button', { name: 'Disconnect Google' }).click();
    await page.getByText(/^Disconnected:/).waitFor();
    assert.match(await page.locator('.state').innerText(), /not connected/);
    await page.getByRole('button', { name: 'Connect Google account' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Sync now' }).count(), 0);
    assert.equal((await s.h.app.connections.get('acme', userId))?.refreshTokenSealed, null);
    // The Google stand-in no longer knows the grant: the old refresh token is refused as revoked.
    const again = await call(s.h.google.endpoints.oauth2RevokeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    assert.equal(again.status, 400, again.text);
  });

  it('a consent finished in another browser is refused', async () => {
    const newcomer = 'new.rep@acme.example';
    const a = await openBrowser();
    const elsewhere = await openBrowser();
    try {
      await signIn(a.page, await signInLink(s.h, acme, { userId: newcomer }));
      await a.page.getByLabel(/CRM group to sync/).selectOption(folder);
      // Browser A presses the buttons and receives the binding cookie, but its way to Google is held:
      // the answer naming the consent URL is taken, and A is shown a stub instead of following it.
      let consentUrl = '';
      let held = '';
      await a.context.route(`${s.h.urls.oauthStart}**`, async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        // Playwright's own fetch leaves out the browser's Sec-Fetch-Site, so the same-origin form post
        // is described as the browser describes it.
        const res = await route.fetch({
          maxRedirects: 0,
          headers: {
            ...(await route.request().allHeaders()),
            origin: new URL(s.h.urls.oauthStart).origin,
            'sec-fetch-site': 'same-origin',
          },
        });
        consentUrl = res.headers()['location'] ?? '';
        held = `${res.status()} ${(await res.text()).slice(0, 300)}`;
        await route.fulfill({
          status: 200,
          contentType: 'text/plain',
          body: 'held',
          headers: { 'set-cookie': res.headers()['set-cookie'] ?? '' },
        });
      });
      await a.page.getByRole('button', { name: 'Connect Google account' }).click();
      await a.page.waitForLoadState();
      const go = a.page.getByRole('button', { name: /continue|connect/i });
      if ((await go.count()) > 0) await go.first().click();
      await a.page.getByText('held').waitFor();
      assert.ok(consentUrl.startsWith(s.h.google.endpoints.oauth2AuthBaseUrl), `${consentUrl} ${held}`);
      assert.ok((await a.context.cookies(s.h.urls.oauthCallback)).length > 0, 'A holds the binding cookie');

      // Browser B, with no cookie, finishes the consent at the stand-in and comes back to the callback.
      const res = await elsewhere.page.goto(consentUrl);
      assert.equal(res!.status(), 400);
      assert.match(await elsewhere.page.locator('body').innerText(), /started in another browser/);
      assert.equal((await s.h.app.connections.get('acme', newcomer))?.refreshTokenSealed ?? null, null);
    } finally {
      await a.close();
      await elsewhere.close();
    }
  });
});
