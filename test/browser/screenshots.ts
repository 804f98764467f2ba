// `npm run screenshots`: the pages as a person sees them, saved under docs/ for the README. Runs the
// same loopback stack as the browser tests (emulators, stand-ins, functions) and a real chromium.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { call, clickConnect, connectUser, cookieOf, pushMessage, waitFor } from '../functions/harness.js';
import { startStack, syncNowAndWait } from '../e2e/stack.js';
import { stopEmulators } from '../support/emulators.js';
import { openBrowser, signIn, signInLink } from './browser.js';

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${DOCS}pages-${name}.png`, fullPage: true });
  console.log(`docs/pages-${name}.png`);
}

async function main(): Promise<void> {
  await mkdir(DOCS, { recursive: true });
  const s = await startStack('screenshots');
  const b = await openBrowser({ width: 1000, height: 700 });
  try {
    const seed = await s.h.seedTenant('acme');
    const folder = s.h.createFolder('Key accounts');
    for (const name of ['Partners', 'Trade fair 2026', 'Newsletter'] as const) s.h.createFolder(name);
    s.h.createFolder('Active customers (dynamic)', true);
    const people = [
      ['Ada Lovelace', 'ada@example.com'],
      ['Alan Turing', 'alan@example.com'],
      ['Grace Hopper', 'grace@example.com'],
    ];
    for (const [Name, Email] of people) {
      const c = s.h.creatio.ui.createContact({ Name, Email });
      s.h.creatio.ui.addToFolder(folder, c.Id as string);
    }

    const url = await signInLink(s.h, seed, { userId: 'sales.rep@acme.example' });
    await b.page.goto(url);
    await shot(b.page, 'signin');
    await signIn(b.page, url);
    await shot(b.page, 'not-connected');

    await connectUser(s.h, seed, 'sales.rep@acme.example', folder);
    await syncNowAndWait(s, seed, 'sales.rep@acme.example');
    s.h.creatio.ui.addToFolder(
      folder,
      s.h.creatio.ui.createContact({ Name: 'Linus Torvalds', Email: 'linus@example.com' }).Id as string,
    );
    await syncNowAndWait(s, seed, 'sales.rep@acme.example');
    await b.page.goto(`${s.h.urls.pages}/`);
    await shot(b.page, 'salesperson');

    // Something for the next sync to do, so that the preview has content.
    s.h.creatio.ui.addToFolder(
      folder,
      s.h.creatio.ui.createContact({ Name: 'Margaret Hamilton', Email: 'margaret@example.com' }).Id as string,
    );
    await b.page.getByRole('button', { name: 'Preview the next sync' }).click();
    await b.page.getByText(/Nothing was written on either side/).waitFor({ timeout: 60_000 });
    await shot(b.page, 'preview');

    await b.page.goto(`${s.h.urls.pages}/disconnect`);
    await shot(b.page, 'disconnect');

    // A second salesperson whose Google access was revoked: the admin sees that one first.
    const other = 'field.rep@acme.example';
    const link = await call(s.h.urls.oauthStart, {
      method: 'POST',
      apiKey: seed.apiKey,
      json: { tenantId: seed.tenantId, userId: other, crmGroupId: folder },
    });
    const start = await clickConnect(
      s.h,
      new URL((link.json as { url: string }).url).searchParams.get('ticket')!,
    );
    const consent = new URL(start.headers.get('location')!);
    consent.searchParams.set('login_hint', 'field.rep@example.com');
    const back = await call(consent.toString());
    await call(back.headers.get('location')!, { headers: { cookie: cookieOf(start) } });
    await syncNowAndWait(s, seed, other);
    s.h.google.revokeAccess('field.rep@example.com');
    await call(s.h.urls.syncNow, {
      method: 'POST',
      apiKey: seed.apiKey,
      json: { tenantId: seed.tenantId, userId: other },
    });
    await waitFor('the connection to need reconnecting', async () =>
      (await s.h.app.connections.get(seed.tenantId, other))?.status === 'needs-reconnect' ? true : null,
    );
    // A scheduled sync of that user that Pub/Sub gave up on, forwarded as its dead-letter policy does.
    const request = {
      tenantId: seed.tenantId,
      userId: other,
      trigger: 'schedule',
      runId: randomUUID(),
      requestedAt: s.h.clock.now(),
    };
    await pushMessage(
      s.h.urls.deadLetter,
      'contact-sync-dead',
      {
        data: Buffer.from(JSON.stringify(request)).toString('base64'),
        messageId: 'screenshot-dead-1',
        publishTime: new Date(s.h.clock.now()).toISOString(),
        attributes: { CloudPubSubDeadLetterSourceDeliveryCount: '5' },
      },
      'projects/demo/subscriptions/dead-letter-push',
    );
    const admin = await openBrowser({ width: 1000, height: 700 });
    try {
      await signIn(admin.page, await signInLink(s.h, seed, { admin: true }));
      await admin.page.getByRole('heading', { name: "Your tenant's contact sync" }).waitFor();
      await shot(admin.page, 'admin');
    } finally {
      await admin.close();
    }
  } finally {
    await b.close();
    await s.close();
    await stopEmulators();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
