// A real browser for the page tests: Debian's chromium driven by playwright-core (no browser
// download), headless, each browser with a fresh profile so no cookie leaks between "people".
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { call } from '../functions/harness.js';
import type { Harness, TenantSeed } from '../functions/harness.js';
import { skipWith } from '../support/emulators.js';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export function skipUnlessChromium(ctx: Mocha.Context): void {
  if (!existsSync(CHROMIUM)) skipWith(ctx, `${CHROMIUM} is missing: apt-get install -y chromium`);
}

export async function openBrowser(viewport = { width: 1100, height: 900 }): Promise<Browser> {
  const dir = await mkdtemp(join(tmpdir(), 'pages-browser-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A sign-in link, asked for as the tenant's CRM does, with its API key. */
export async function signInLink(h: Harness, seed: TenantSeed, who: { userId: string } | { admin: true }) {
  const r = await call(`${h.urls.pages}/signin-link`, {
    method: 'POST',
    apiKey: seed.apiKey,
    json: { tenantId: seed.tenantId, ...who },
  });
  if (r.status !== 200) throw new Error(`signin-link: HTTP ${r.status} ${r.text}`);
  return (r.json as { url: string }).url;
}

/** Open the link and press Continue: the session starts. */
export async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForLoadState();
}

const require = createRequire(import.meta.url);

/** axe-core's violations on the page as it is now (rule ids with the first offending node). */
export async function axeViolations(page: Page): Promise<string[]> {
  const source = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(source);
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run: () => Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> };
      }
    ).axe;
    return axe.run();
  });
  return result.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes[0]?.target)}`);
}
