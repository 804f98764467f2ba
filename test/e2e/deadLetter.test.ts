// A sync request Pub/Sub gives up on reaches the tenant's admin: a connection whose Creatio answers
// every call with a gateway error fails each attempt transiently, the subscription dead-letters the
// message after its 5 delivery attempts, deadLetter records it, and the admin view lists it.
import assert from 'node:assert/strict';
import type { TenantSeed } from '../functions/harness.js';
import { call, connectUser, waitFor } from '../functions/harness.js';
import { signInLink } from '../browser/browser.js';
import { skipUnlessPubsub } from '../support/emulators.js';
import type { Stack } from './stack.js';
import { startStack } from './stack.js';

/** The admin page's HTML, through a session started by the admin's sign-in link. */
async function adminPage(s: Stack, seed: TenantSeed): Promise<string> {
  const token = new URL(await signInLink(s.h, seed, { admin: true })).searchParams.get('token')!;
  const signedIn = await call(`${s.h.urls.pages}/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(s.h.urls.pages).origin },
    body: new URLSearchParams({ token }).toString(),
  });
  assert.equal(signedIn.status, 303, signedIn.text);
  const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
  const page = await call(`${s.h.urls.pages}/admin`, { headers: { cookie } });
  assert.equal(page.status, 200, page.text);
  return page.text;
}

describe('e2e: dead letters', function () {
  this.timeout(240_000);
  let s: Stack;
  let seed: TenantSeed;

  before(async function () {
    await skipUnlessPubsub(this);
    s = await startStack('deadletter', {}, { deadLetters: true });
    seed = await s.h.seedTenant('acme');
    await connectUser(s.h, seed, 'rep-1', s.h.createFolder('Field sales'));
  });
  after(() => s?.close());

  it('a run that fails on every delivery is dead-lettered, recorded once, and shown to the admin', async () => {
    // Creatio down for good: every attempt fails transiently and asks Pub/Sub to deliver again.
    s.h.creatio.faults.add({ status: 503, times: Infinity });
    const r = await call(s.h.urls.syncNow, {
      method: 'POST',
      apiKey: seed.apiKey,
      json: { tenantId: seed.tenantId, userId: 'rep-1' },
    });
    assert.equal(r.status, 202, r.text);
    const runId = (r.json as { runId: string }).runId;
    const letters = await waitFor(
      'the dead letter to be recorded',
      async () => {
        const l = await s.h.app.deadLetters.recent('acme', 10);
        return l.length > 0 ? l : null;
      },
      180_000,
      1_000,
    );
    assert.equal(letters.length, 1);
    const [letter] = letters;
    assert.equal(letter!.userId, 'rep-1');
    assert.equal(letter!.runId, runId);
    assert.equal(letter!.kind, 'sync:manual');
    assert.equal(letter!.deliveryAttempt, 5);
    assert.ok(letter!.publishedAt !== null && letter!.publishedAt <= Date.now());
    const attempts = s.deliveries(runId).filter((d) => d.message === 'syncUser: retry');
    assert.equal(attempts.length, 5, JSON.stringify(attempts));
    const logged = s.h.logs.filter((l) => l.message === 'deadLetter: recorded');
    assert.equal(logged.length, 1);
    // Ids only in the log line.
    assert.deepEqual(Object.keys(logged[0]!).sort(), [
      'deliveryAttempt',
      'kind',
      'message',
      'messageId',
      'runId',
      'severity',
      'tenantId',
    ]);

    const card = (html: string) => html.slice(html.indexOf('Messages that could not be delivered'));
    const shown = card(await adminPage(s, seed));
    assert.match(shown, /<td>rep-1<\/td>\s*<td>Sync now<\/td>\s*<td class="num">5<\/td>/);
    // Another tenant's admin sees none of it.
    const other = await s.h.seedTenant('globex');
    assert.match(card(await adminPage(s, other)), /None: every sync request was delivered/);
  });
});
