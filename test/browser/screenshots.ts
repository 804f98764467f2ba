// `npm run screenshots`: the pages as a person sees them, saved under docs/ for the README. Runs the
// same loopback stack as the browser tests (emulators, stand-ins, functions) and a real chromium.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { connectUser } from '../functions/harness.js';
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

    await b.page.getByRole('button', { name: 'Preview the next sync' }).click();
    await b.page.getByRole('heading', { name: 'Preview of the next sync' }).waitFor();
    await shot(b.page, 'preview');
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
