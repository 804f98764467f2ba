// "Sync now", status and settings through the HTTP functions: one run per request however often it is
// asked, a dry run that plans without writing or showing contact values, confirmations of large
// removals, and the status of connections and runs.
import assert from 'node:assert/strict';
import type { Harness, TenantSeed } from './harness.js';
import { RecordingQueue, call, connectUser, snapshotDocuments, startHarness } from './harness.js';

describe('functions: syncNow, syncStatus, syncSettings', function () {
  this.timeout(120_000);
  let h: Harness;
  let seed: TenantSeed;
  let folder: string;
  const queue = new RecordingQueue();
  let users = 0;

  before(async () => {
    h = await startHarness({ queue });
    seed = await h.seedTenant('acme');
    folder = h.createFolder('Sales');
  });
  after(() => h?.close());

  const connected = async (): Promise<string> => {
    const userId = `user-${++users}`;
    const steps = await connectUser(h, seed, userId, folder);
    assert.equal(steps.callback.status, 200, steps.callback.text);
    return userId;
  };
  const syncNow = (json: Record<string, unknown>) =>
    call(h.urls.syncNow, { method: 'POST', apiKey: seed.apiKey, json: { tenantId: 'acme', ...json } });
  const status = (userId: string, runId?: string) =>
    call(`${h.urls.syncStatus}?tenantId=acme&userId=${userId}${runId ? `&runId=${runId}` : ''}`, {
      apiKey: seed.apiKey,
    });

  it('queues one manual run, and answers its id again without publishing while it waits', async () => {
    const userId = await connected();
    const before = queue.sent.length;
    const first = await syncNow({ userId });
    assert.equal(first.status, 202, first.text);
    const { runId, queued } = first.json as { runId: string; queued: boolean };
    assert.equal(queued, true);
    assert.equal(queue.sent.length, before + 1);
    assert.deepEqual(
      { ...queue.sent.at(-1)!, requestedAt: 0 },
      { tenantId: 'acme', userId, trigger: 'manual', runId, requestedAt: 0 },
    );
    const again = await syncNow({ userId });
    assert.equal(again.status, 202);
    assert.deepEqual(again.json, { runId, queued: false });
    assert.equal(queue.sent.length, before + 1, 'nothing new published');
    const s = await status(userId, runId);
    assert.deepEqual(s.json, { runId, state: 'queued', summary: null });
    assert.equal(
      (await status(userId)).json && ((await status(userId)).json as { queuedRunId: string }).queuedRunId,
      runId,
    );
  });

  it("answers the running run's id while a scheduled run holds the lease", async () => {
    const userId = await connected();
    const lease = await h.app.connections.acquireLease(
      { tenantId: 'acme', userId, trigger: 'schedule', runId: 'scheduled-1', requestedAt: h.clock.now() },
      'attempt',
      h.clock.now(),
      60_000,
    );
    assert.ok(lease.ok);
    const before = queue.sent.length;
    const r = await syncNow({ userId });
    assert.equal(r.status, 202);
    assert.deepEqual(r.json, { runId: 'scheduled-1', queued: false });
    assert.equal(queue.sent.length, before);
    assert.equal(((await status(userId)).json as { runningRunId: string }).runningRunId, 'scheduled-1');
    assert.deepEqual((await status(userId, 'scheduled-1')).json, {
      runId: 'scheduled-1',
      state: 'running',
      summary: null,
    });
  });

  it('unqueues a run whose message could not be published, so that a retry publishes afresh', async () => {
    const userId = await connected();
    queue.failures = 1;
    const failed = await syncNow({ userId });
    assert.equal(failed.status, 503, failed.text);
    assert.deepEqual(failed.json, {
      error: { code: 'unavailable', message: 'the sync request could not be queued' },
    });
    assert.equal((await h.app.connections.get('acme', userId))?.queuedRun, null);
    const retry = await syncNow({ userId });
    assert.equal(retry.status, 202);
    assert.equal((retry.json as { queued: boolean }).queued, true);
  });

  it('a dry run answers the planned actions by kind, side, record id and field names, and writes nothing', async () => {
    const userId = await connected();
    const ada = h.creatio.ui.createContact({
      Name: 'Ada Lovelace',
      Email: 'ada.dry@example.com',
      MobilePhone: '+44 20 7946 0001',
      JobTitle: 'Analyst',
    }).Id as string;
    h.creatio.ui.addToFolder(folder, ada);
    const before = await snapshotDocuments(h.db);
    const published = queue.sent.length;
    const r = await syncNow({ userId, dryRun: true });
    assert.equal(r.status, 200, r.text);
    const body = r.json as {
      dryRun: boolean;
      refused: null;
      counts: Record<string, number>;
      actions: unknown[];
    };
    assert.equal(body.dryRun, true);
    assert.equal(body.refused, null);
    assert.equal(body.counts['create.google'], 1);
    assert.deepEqual(body.actions, [
      {
        kind: 'create',
        side: 'google',
        recordId: null,
        fields: ['givenName', 'familyName', 'emails', 'phones', 'jobTitle'],
      },
    ]);
    for (const value of ['Ada', 'Lovelace', 'ada.dry@example.com', '7946', 'Analyst'])
      assert.ok(!r.text.includes(value), `no contact value (${value}) in the answer`);
    // Only what Creatio billed for the reads is counted (the tenant's Creatio call meter).
    const meter = /^tenants\/acme\/creatioCalls\//;
    const after = await snapshotDocuments(h.db);
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
      (path) => before[path] !== after[path],
    );
    assert.ok(changed.length > 0 && changed.every((path) => meter.test(path)), JSON.stringify(changed));
    assert.equal(queue.sent.length, published, 'and published nothing');
    assert.equal(h.google.user.listContacts('demo.user@example.com').length, 0, 'nor created any contact');
  });

  it('confirmRemovals lets the next run pass the mass-removal guard', async () => {
    const userId = await connected();
    assert.equal((await h.app.connections.get('acme', userId))?.allowLargeRemoval, false);
    const r = await syncNow({ userId, confirmRemovals: true });
    assert.equal(r.status, 202);
    assert.equal((await h.app.connections.get('acme', userId))?.allowLargeRemoval, true);
  });

  it('a run the guard refused passes once a person confirms the removals', async () => {
    const userId = await connected();
    const group = h.createFolder(`Guarded ${userId}`);
    await call(`${h.urls.syncSettings}?tenantId=acme&userId=${userId}`, {
      method: 'PUT',
      apiKey: seed.apiKey,
      json: { crmGroupId: group, intervalMinutes: 15, policy: 'newest-wins', enabled: true },
    });
    const ids = Array.from({ length: 12 }, (_, i) => {
      const id = h.creatio.ui.createContact({
        GivenName: 'Guarded',
        Surname: `N${i}`,
        Email: `g${i}.${userId}@example.com`,
      }).Id as string;
      h.creatio.ui.addToFolder(group, id);
      return id;
    });
    /** "Sync now", and deliver what it published to syncUser as a Pub/Sub push would. */
    const runNow = async (json: Record<string, unknown> = {}) => {
      const r = await syncNow({ userId, ...json });
      assert.equal(r.status, 202, r.text);
      const { runId } = r.json as { runId: string };
      const message = queue.sent.find((m) => m.runId === runId)!;
      const pushed = await call(`${h.urls.syncUser}/projects/demo/topics/contact-sync-user`, {
        method: 'POST',
        json: {
          message: { data: Buffer.from(JSON.stringify(message)).toString('base64'), messageId: runId },
          subscription: 'projects/demo/subscriptions/sync-user',
        },
      });
      assert.equal(pushed.status, 204, pushed.text);
      return ((await status(userId, runId)).json as { summary: { outcome: string } }).summary;
    };
    assert.equal((await runNow()).outcome, 'ok');
    for (const id of ids) h.creatio.ui.removeFromFolder(group, id);
    assert.equal((await runNow()).outcome, 'refused');
    const paused = (await status(userId)).json as { status: string; reason: string };
    assert.equal(paused.status, 'paused');
    assert.match(paused.reason, /no members|remov/i);

    assert.equal((await runNow({ confirmRemovals: true })).outcome, 'ok');
    const after = await h.app.connections.get('acme', userId);
    assert.equal(after?.status, 'ok');
    assert.equal(after?.allowLargeRemoval, false, 'the confirmation is spent by the run');
  });

  it('finds a run no longer among the recent ones in the run history', async () => {
    const userId = await connected();
    const summary = {
      runId: 'long-ago',
      trigger: 'schedule',
      startedAt: 1,
      endedAt: 2,
      outcome: 'ok',
      counts: { 'create.google': 3 },
      error: null,
      reason: null,
    };
    await h.db.doc(`tenants/acme/connections/${userId}/runs/long-ago`).set(summary);
    const r = await status(userId, 'long-ago');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { runId: 'long-ago', state: 'finished', summary });
  });

  it('refuses a disabled or disconnected connection with 409, and an unknown one with 404', async () => {
    const userId = await connected();
    await h.app.connections.saveSettings(
      'acme',
      userId,
      { crmGroupId: folder, intervalMinutes: 15, policy: 'newest-wins', enabled: false },
      h.clock.now(),
    );
    const disabled = await syncNow({ userId });
    assert.equal(disabled.status, 409);
    assert.deepEqual(disabled.json, {
      error: { code: 'conflict', message: 'sync is disabled for this connection' },
    });
    await h.app.connections.markStatus('acme', userId, 'needs-reconnect', 'revoked');
    assert.equal((await syncNow({ userId })).status, 409);
    assert.equal((await syncNow({ userId: 'nobody' })).status, 404);
  });

  it('status shows the account, schedule and settings, never a token', async () => {
    const userId = await connected();
    const s = await status(userId);
    assert.equal(s.status, 200);
    const body = s.json as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), [
      'attention',
      'connected',
      'creatio',
      'crmGroupId',
      'enabled',
      'googleEmail',
      'intervalMinutes',
      'nextDueAt',
      'policy',
      'preview',
      'progress',
      'queuedRunId',
      'reason',
      'recentRuns',
      'runningRunId',
      'status',
      'tenantId',
      'userId',
    ]);
    assert.equal(body.googleEmail, 'demo.user@example.com');
    assert.equal(body.status, 'new');
    assert.ok(!/v[12]\./.test(s.text), 'no sealed secret either');
  });

  it('settings: GET answers the saved settings; PUT saves a new static group and schedule', async () => {
    const userId = await connected();
    const url = `${h.urls.syncSettings}?tenantId=acme&userId=${userId}`;
    const got = await call(url, { apiKey: seed.apiKey });
    assert.deepEqual(got.json, {
      crmGroupId: folder,
      intervalMinutes: 15,
      policy: 'newest-wins',
      enabled: true,
    });
    const other = h.createFolder('Key accounts');
    const put = await call(url, {
      method: 'PUT',
      apiKey: seed.apiKey,
      json: { crmGroupId: other, intervalMinutes: 1440, policy: 'google-wins', enabled: true },
    });
    assert.equal(put.status, 200, put.text);
    const c = await h.app.connections.get('acme', userId);
    assert.deepEqual(
      { crmGroupId: c?.crmGroupId, intervalMinutes: c?.intervalMinutes, policy: c?.policy },
      { crmGroupId: other, intervalMinutes: 1440, policy: 'google-wins' },
    );
    const missing = await call(`${h.urls.syncSettings}?tenantId=acme&userId=nobody`, {
      method: 'PUT',
      apiKey: seed.apiKey,
      json: { crmGroupId: other, intervalMinutes: 60, policy: 'google-wins', enabled: true },
    });
    assert.equal(missing.status, 404);
  });
});
