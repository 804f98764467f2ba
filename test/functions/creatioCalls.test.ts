// The Creatio call meter end to end, over the Firestore emulator and the stand-ins, through the job as
// syncUser runs it: each run adds to the tenant's count for the day exactly the calls the Creatio
// stand-in billed; syncStatus and the admin page show the count and the budget; under a budget the
// CRM's 24-hour full read waits for the next UTC day, with the reason shown, and runs once there is room.
import assert from 'node:assert/strict';
import { utcDay } from '../../shared/creatioCalls.js';
import { syncConnection } from '../../shared/syncConnection.js';
import type { Harness, TenantSeed } from './harness.js';
import { RecordingQueue, call, connectUser, startHarness } from './harness.js';

const DAY_MS = 24 * 3600_000;

describe('functions: the Creatio call meter', function () {
  this.timeout(180_000);
  let h: Harness;
  let seed: TenantSeed;
  const userId = 'meter.rep@acme.example';
  let runs = 0;

  before(async () => {
    h = await startHarness({ queue: new RecordingQueue() });
    seed = await h.seedTenant('acme');
    const folder = h.createFolder('Metered');
    for (let i = 0; i < 4; i++) {
      const c = h.creatio.ui.createContact({
        GivenName: `M${i}`,
        Surname: 'Meter',
        Email: `m${i}@example.com`,
      });
      h.creatio.ui.addToFolder(folder, c.Id as string);
    }
    const steps = await connectUser(h, seed, userId, folder);
    assert.equal(steps.callback.status, 200, steps.callback.text);
  });
  after(() => h?.close());

  const today = () => h.app.creatioCalls.today('acme', h.clock.now());
  const status = async () => {
    const r = await call(`${h.urls.syncStatus}?tenantId=acme&userId=${encodeURIComponent(userId)}`, {
      apiKey: seed.apiKey,
    });
    assert.equal(r.status, 200, r.text);
    return r.json as {
      reason: string | null;
      creatio: { day: string; calls: number; budget: number | null };
    };
  };
  /** One run as syncUser makes it; what it added to today's count and what the stand-in billed. */
  const run = async () => {
    h.clock.advance(60_000);
    h.creatio.resetStats();
    const before = await today();
    const outcome = await syncConnection(h.app, {
      tenantId: 'acme',
      userId,
      trigger: 'manual',
      runId: `meter-${++runs}`,
      requestedAt: h.clock.now(),
    });
    assert.equal(outcome.ack && outcome.result, 'done', JSON.stringify(outcome));
    return { outcome, counted: (await today()) - before, billed: h.creatio.stats().apiCalls };
  };
  /** A run's Firestore documents read and written (the count is read around it, not within). */
  const costOf = async () => {
    h.clock.advance(60_000);
    h.app.meter.reset();
    await syncConnection(h.app, {
      tenantId: 'acme',
      userId,
      trigger: 'manual',
      runId: `meter-${++runs}`,
      requestedAt: h.clock.now(),
    });
    return { reads: h.app.meter.reads, writes: h.app.meter.writes };
  };
  const setBudget = async (creatioDailyBudget: number | undefined) => {
    const t = (await h.app.tenants.get('acme'))!;
    const { creatioDailyBudget: _old, ...rest } = t;
    await h.app.tenants.put(creatioDailyBudget === undefined ? rest : { ...rest, creatioDailyBudget });
  };
  let firstFullRead = 0;
  /** When the CRM side last read in full (its cursor's own record). */
  const fullReadAt = async () => {
    const cursor = (await h.app.connections.get('acme', userId))!.checkpoint.cursors.crm!;
    return (JSON.parse(cursor) as { full: number }).full;
  };

  it('adds exactly the calls the Creatio stand-in billed: a first sync, one with nothing to do, one writing', async () => {
    const first = await run();
    assert.ok(first.billed > 0);
    assert.equal(first.counted, first.billed);
    firstFullRead = first.billed;
    const quiet = await run();
    assert.ok(quiet.billed > 0);
    assert.equal(quiet.counted, quiet.billed);
    // Contacts put into the Google group are written to the CRM in $batch requests.
    const account = 'demo.user@example.com';
    const group = h.google.user.listGroups(account).find((g) => g.name === "bpm'online")!;
    for (const name of ['Gwen', 'Gus']) {
      const p = h.google.user.createContact(account, {
        names: [{ givenName: name, familyName: 'Google' }],
        emailAddresses: [{ value: `${name.toLowerCase()}@example.com` }],
        phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }],
      });
      h.google.user.addToGroup(account, group.resourceName as string, p.resourceName as string);
    }
    const writes = await run();
    assert.equal(writes.outcome.ack && writes.outcome.result, 'done');
    assert.ok(h.creatio.stats().batch.subRequests > h.creatio.stats().batch.requests, 'batched writes');
    assert.equal(writes.counted, writes.billed);
  });

  it('counts what a dry run billed, though no run ends', async () => {
    h.creatio.resetStats();
    const before = await today();
    const dry = await call(h.urls.syncNow, {
      method: 'POST',
      apiKey: seed.apiKey,
      json: { tenantId: 'acme', userId, dryRun: true },
    });
    assert.equal(dry.status, 200, dry.text);
    const billed = h.creatio.stats().apiCalls;
    assert.ok(billed > 0);
    assert.equal((await today()) - before, billed);
  });

  it('a budget costs a run no read while its full read is not due', async () => {
    await run(); // the echo of the previous test's writes
    const without = await costOf();
    await setBudget(1);
    const withBudget = await costOf();
    await setBudget(undefined);
    assert.deepEqual(withBudget, without);
  });

  it("syncStatus shows the tenant's calls today and the budget", async () => {
    const s = await status();
    assert.deepEqual(s.creatio, { day: utcDay(h.clock.now()), calls: await today(), budget: null });
    await setBudget(50_000);
    assert.equal((await status()).creatio.budget, 50_000);
  });

  /** A page as the signed-in admin or salesperson sees it (sign-in link, Continue, then the page). */
  const pageAs = async (who: { admin: true } | { userId: string }, path: string) => {
    const link = await call(`${h.urls.pages}/signin-link`, {
      method: 'POST',
      apiKey: seed.apiKey,
      json: { tenantId: 'acme', ...who },
    });
    assert.equal(link.status, 200, link.text);
    const token = new URL((link.json as { url: string }).url).searchParams.get('token')!;
    const signedIn = await call(`${h.urls.pages}/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(h.urls.pages).origin },
      body: new URLSearchParams({ token }).toString(),
    });
    assert.equal(signedIn.status, 303, signedIn.text);
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const page = await call(`${h.urls.pages}${path}`, { headers: { cookie } });
    assert.equal(page.status, 200, page.text);
    return page.text;
  };

  it('the admin page shows the count and the budget', async () => {
    const page = { text: await pageAs({ admin: true }, '/admin') };
    const card = /<dl class="facts" id="creatio-calls">([\s\S]*?)<\/dl>/.exec(page.text)?.[1] ?? '';
    const text = card
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    const calls = (await today()).toLocaleString('en-US');
    assert.equal(
      text,
      `Billed calls on ${utcDay(h.clock.now())} (UTC) ${calls} Daily budget 50,000`,
      page.text,
    );
  });

  it('under the budget the 24-hour full read waits for the next UTC day, says why, and runs once there is room', async () => {
    // A day on: the full read is due, and the new UTC day's count starts at zero.
    h.clock.advance(DAY_MS);
    await setBudget(firstFullRead - 1);
    const lastFull = await fullReadAt();
    const waited = await run();
    assert.match(waited.outcome.reason ?? '', /daily full read waits for the next UTC day/);
    assert.equal(waited.counted, waited.billed);
    assert.equal(await fullReadAt(), lastFull, 'an incremental read instead');
    const s = await status();
    assert.equal(s.reason, waited.outcome.reason);
    assert.equal(s.creatio.calls, waited.billed);
    const salesperson = await pageAs({ userId }, '/');
    assert.ok(
      salesperson.includes(waited.outcome.reason!.replace(/'/g, '&#39;')),
      "the salesperson's page says why",
    );

    await setBudget(undefined);
    const ran = await run();
    assert.equal(ran.outcome.reason, null);
    assert.ok((await fullReadAt()) > lastFull, 'the full read ran');
    assert.equal(ran.counted, ran.billed);
    assert.equal((await status()).reason, null);
  });
});
