// The Firestore state store and the per-user sync job against the Firestore emulator: the product
// rules over real documents, the lease under concurrency and crashes, at-least-once delivery, and
// the fixed cost of a sync that finds nothing to do.
import assert from 'node:assert/strict';
import type { Link } from '../../../../shared/sync/index.js';
import type { Firestore } from '@google-cloud/firestore';
import { FirestoreConnections, FirestoreMeter } from '../../../../shared/adapters/firestore/index.js';
import type {
  Connection,
  ContactSide,
  JobQueue,
  SyncRequest,
  SyncStateStore,
} from '../../../../shared/ports.js';
import type { RunOptions, RunReport } from '../../../../shared/runSync.js';
import { SyncError } from '../../../../shared/errors.js';
import { runSync } from '../../../../shared/runSync.js';
import type { SyncConnectionDeps } from '../../../../shared/syncConnection.js';
import { syncConnection } from '../../../../shared/syncConnection.js';
import { World, person } from '../../../fakes/world.js';
import { newFirestore, skipOnFirestoreFallback } from '../../../support/emulators.js';
import { ruleRows } from '../../sync/ruleRows.js';

const TENANT = 'acme';

class Queue implements JobQueue {
  readonly sent: SyncRequest[] = [];
  async publishSync(requests: SyncRequest[]): Promise<void> {
    this.sent.push(...requests);
  }
}

async function connect(store: FirestoreConnections, userId: string, now: number): Promise<Connection> {
  return store.connect({
    tenantId: TENANT,
    userId,
    crmGroupId: '9dc5f6e6-0000-0000-0000-000000000001',
    google: { sub: `sub-${userId}`, email: `${userId}@example.com` },
    refreshTokenSealed: 'v1.sealed',
    defaults: { intervalMinutes: 15, policy: 'newest-wins' },
    now,
  });
}

/** A world whose state lives in Firestore, each sync a leased run like the real job's. */
class FirestoreWorld extends World {
  private current: SyncStateStore | null = null;
  private runs = 0;

  constructor(
    readonly conns: FirestoreConnections,
    readonly userId: string,
  ) {
    super();
  }

  override get state(): SyncStateStore {
    if (!this.current) throw new Error('no run yet');
    return this.current;
  }

  override async sync(options: Partial<RunOptions> = {}): Promise<RunReport> {
    this.tick();
    const request: SyncRequest = {
      tenantId: TENANT,
      userId: this.userId,
      trigger: 'manual',
      runId: `run-${++this.runs}`,
      requestedAt: this.time,
    };
    const lease = await this.conns.acquireLease(request, 'attempt', this.time, 60_000);
    assert.ok(lease.ok, `lease refused: ${!lease.ok && lease.reason}`);
    this.current = this.conns.syncState(lease.connection);
    const report = await runSync(
      { crm: this.crm, google: this.google, state: this.current, clock: this.clock, newId: this.newId },
      { policy: 'newest-wins', ...options },
    );
    const ended = await this.conns.finishRun(TENANT, this.userId, {
      runId: request.runId,
      attempt: 'attempt',
      checkpoint: null,
      status: report.outcome === 'refused' ? 'paused' : 'ok',
      statusReason: report.reason,
      summary: {
        runId: request.runId,
        trigger: 'manual',
        startedAt: this.time,
        endedAt: this.time,
        outcome: report.outcome,
        counts: {},
        error: null,
        reason: null,
      },
      nextDueAt: this.time,
    });
    assert.ok(ended);
    return report;
  }
}

describe('Firestore state store (emulator)', function () {
  this.timeout(120_000);
  let db: Firestore;
  let meter: FirestoreMeter;
  let store: FirestoreConnections;
  let users = 0;

  before(async () => {
    db = await newFirestore();
    meter = new FirestoreMeter();
    store = new FirestoreConnections(db, meter);
  });

  describe('the product rules over Firestore documents', () => {
    for (const row of ruleRows.filter((r) => !r.fakeStateOnly)) {
      it(row.rule, async () => {
        const userId = `rules-${++users}`;
        const w = new FirestoreWorld(store, userId);
        await connect(store, userId, w.time);
        await row.run(w);
      });
    }
  });

  it('loads every link needing attention, but only as many creates a full side refused as asked', async () => {
    const userId = `refused-${++users}`;
    const connection = await connect(store, userId, 1_000);
    const state = store.syncState(connection);
    const link = (crmId: string, patch: Partial<Link>): Link => ({
      id: `link-${crmId}`,
      crmId,
      googleId: null,
      status: 'pending',
      pending: { side: 'google', since: 1_000 },
      inGroup: { crm: true, google: false },
      versions: { crm: 'v1', google: null },
      extras: { crm: null, google: null },
      base: null,
      syncedAt: 1_000,
      attention: false,
      leaving: [],
      ...patch,
    });
    const refused = Array.from({ length: 5 }, (_, i) =>
      link(`r${i}`, { pending: { side: 'google', since: 1_000, refused: 2_000 } }),
    );
    const inDoubt = link('doubt', {});
    const failed = link('failed', {
      status: 'active',
      pending: null,
      googleId: 'people/c1',
      attention: true,
    });
    await state.saveLinks([...refused, inDoubt, failed], []);
    const got = (await state.attentionLinks(2)).map((l) => l.crmId).sort();
    assert.equal(got.filter((id) => id!.startsWith('r')).length, 2);
    assert.deepEqual(
      got.filter((id) => !id!.startsWith('r')),
      ['doubt', 'failed'],
    );
    assert.equal((await state.attentionLinks(0)).length, 2);
  });

  describe('the lease', () => {
    const request = (userId: string, runId: string, requestedAt = 0): SyncRequest => ({
      tenantId: TENANT,
      userId,
      trigger: 'schedule',
      runId,
      requestedAt,
    });

    it('lets exactly one of two concurrent runs in', async function () {
      await skipOnFirestoreFallback(this, 'transaction isolation');
      await connect(store, 'race', 1000);
      const results = await Promise.all([
        store.acquireLease(request('race', 'a', 500), 'x', 1000, 60_000),
        store.acquireLease(request('race', 'b', 500), 'y', 1000, 60_000),
      ]);
      assert.equal(results.filter((r) => r.ok).length, 1);
      const refused = results.find((r) => !r.ok);
      assert.ok(refused && !refused.ok && refused.reason === 'busy');
    });

    it('is taken over once expired, and the slow attempt can no longer commit', async () => {
      await connect(store, 'slow', 1000);
      const first = await store.acquireLease(request('slow', 'r1', 500), 'first', 1000, 10_000);
      assert.ok(first.ok);
      const blocked = await store.acquireLease(request('slow', 'r1', 500), 'second', 5000, 10_000);
      assert.ok(!blocked.ok && blocked.reason === 'busy');
      const taken = await store.acquireLease(request('slow', 'r1', 500), 'second', 20_000, 10_000);
      assert.ok(taken.ok);
      const summary = {
        runId: 'r1',
        trigger: 'schedule' as const,
        startedAt: 1000,
        endedAt: 2000,
        outcome: 'ok' as const,
        counts: {},
        error: null,
        reason: null,
      };
      const end = {
        runId: 'r1',
        checkpoint: null,
        status: 'ok' as const,
        statusReason: null,
        summary,
        nextDueAt: 0,
      };
      assert.equal(await store.finishRun(TENANT, 'slow', { ...end, attempt: 'first' }), false);
      assert.equal(await store.finishRun(TENANT, 'slow', { ...end, attempt: 'second' }), true);
    });

    it('refuses a scheduled request that a later run already covered', async () => {
      await connect(store, 'stale', 1000);
      const first = await store.acquireLease(request('stale', 'r1', 900), 'a', 1000, 10_000);
      assert.ok(first.ok);
      const summary = {
        runId: 'r1',
        trigger: 'schedule' as const,
        startedAt: 1000,
        endedAt: 2000,
        outcome: 'ok' as const,
        counts: {},
        error: null,
        reason: null,
      };
      await store.finishRun(TENANT, 'stale', {
        runId: 'r1',
        attempt: 'a',
        checkpoint: null,
        status: 'ok',
        statusReason: null,
        summary,
        nextDueAt: 0,
      });
      const again = await store.acquireLease(request('stale', 'r2', 950), 'b', 3000, 10_000);
      assert.ok(!again.ok && again.reason === 'stale');
      const duplicate = await store.acquireLease(request('stale', 'r1', 900), 'c', 3000, 10_000);
      assert.ok(!duplicate.ok && duplicate.reason === 'stale');
    });
  });

  describe('the per-user sync job', () => {
    const setup = async (userId: string, contacts: number) => {
      const w = new World();
      const queue = new Queue();
      for (let i = 0; i < contacts; i++) w.crm.userCreate(person(`C${i}`, userId));
      await connect(store, userId, w.time);
      const deps: SyncConnectionDeps = {
        connections: store,
        queue,
        clock: w.clock,
        newId: w.newId,
        openSides: async () => ({ crm: w.crm as ContactSide, google: w.google as ContactSide }),
        timeBudgetMs: 60_000,
        leaseTtlMs: 120_000,
      };
      let n = 0;
      const run = (trigger: SyncRequest['trigger'] = 'schedule') => {
        w.tick(60_000);
        return syncConnection(deps, {
          tenantId: TENANT,
          userId,
          trigger,
          runId: `${userId}-${++n}`,
          requestedAt: w.time,
        });
      };
      return { w, queue, deps, run };
    };

    it('costs the same few document reads and writes with no change, whatever the number of contacts', async () => {
      const costs: { reads: number; writes: number }[] = [];
      for (const size of [5, 120]) {
        const { run } = await setup(`quiet-${size}`, size);
        assert.equal((await run()).ack, true);
        await run(); // the echoes of the first run's writes
        meter.reset();
        const outcome = await run();
        assert.deepEqual(
          { ack: outcome.ack, result: outcome.ack && outcome.result },
          { ack: true, result: 'done' },
        );
        costs.push({ reads: meter.reads, writes: meter.writes });
      }
      assert.deepEqual(costs[0], costs[1]);
      // The tenant's run cap adds the tenant, the live slots and the run's slot at each end (2 reads),
      // and the slot's take and release (2 writes).
      assert.ok(costs[0]!.reads <= 7 && costs[0]!.writes <= 4, JSON.stringify(costs[0]));
    });

    it('acknowledges a duplicate delivery of a finished run without running it again', async () => {
      const { w, deps } = await setup('dup', 3);
      const request: SyncRequest = {
        tenantId: TENANT,
        userId: 'dup',
        trigger: 'schedule',
        runId: 'dup-once',
        requestedAt: w.time,
      };
      assert.deepEqual(await syncConnection(deps, request), {
        ack: true,
        result: 'done',
        runId: 'dup-once',
        reason: null,
      });
      const calls = w.google.calls.length;
      const again = await syncConnection(deps, request);
      assert.deepEqual(again, { ack: true, result: 'skipped', runId: 'dup-once', reason: 'stale' });
      assert.equal(w.google.calls.length, calls);
    });

    it('a crash mid-run is retried once the lease expires, and converges without duplicates', async () => {
      const { w, deps, run } = await setup('crash', 6);
      w.google.hook = (call, after) => {
        if (call === 'create' && after) throw new Error('process died');
      };
      const request: SyncRequest = {
        tenantId: TENANT,
        userId: 'crash',
        trigger: 'schedule',
        runId: 'crash-1',
        requestedAt: w.time,
      };
      // A real crash never reaches our catch: take the lease and die inside runSync, leaving it held.
      const lease = await store.acquireLease(request, 'dead', w.time, deps.leaseTtlMs);
      assert.ok(lease.ok);
      await assert.rejects(
        runSync(
          {
            crm: w.crm,
            google: w.google,
            state: store.syncState(lease.connection),
            clock: w.clock,
            newId: w.newId,
          },
          { policy: 'newest-wins' },
        ),
        /process died/,
      );
      w.google.hook = () => {};
      const retried = await syncConnection(deps, request);
      assert.deepEqual(retried.ack, false, 'the redelivery waits while the dead attempt holds the lease');
      w.tick(deps.leaseTtlMs + 1);
      assert.equal((await syncConnection(deps, request)).ack, true);
      await run();
      assert.equal(w.google.alive().length, 6);
      assert.equal(w.google.members().length, 6);
    });

    it('marks a revoked Google grant as needing reconnection and stops scheduling it', async () => {
      const { w, deps } = await setup('revoked', 1);
      deps.openSides = async () => {
        throw new SyncError('auth-revoked', 'invalid_grant', { side: 'google' });
      };
      const outcome = await syncConnection(deps, {
        tenantId: TENANT,
        userId: 'revoked',
        trigger: 'schedule',
        runId: 'rv',
        requestedAt: w.time,
      });
      assert.equal(outcome.ack, true);
      const c = await store.get(TENANT, 'revoked');
      assert.equal(c?.status, 'needs-reconnect');
      const due: string[] = [];
      for await (const page of store.dueConnections(TENANT, w.time + 10 ** 9)) due.push(...page);
      assert.ok(!due.includes('revoked'));
    });

    it('a queued "Sync now" refused as busy is sent again by the run holding the lease', async () => {
      const { w, deps, queue } = await setup('handover', 1);
      const manual: SyncRequest = {
        tenantId: TENANT,
        userId: 'handover',
        trigger: 'manual',
        runId: 'queued-1',
        requestedAt: w.time,
      };
      assert.deepEqual(await store.queueManualRun(TENANT, 'handover', 'queued-1', w.time), {
        runId: 'queued-1',
        queued: true,
      });
      // The scheduled run takes the lease first; the manual message arrives meanwhile.
      let refused: Awaited<ReturnType<typeof syncConnection>> | null = null;
      const open = deps.openSides;
      const scheduled = await syncConnection(
        {
          ...deps,
          openSides: async (c) => {
            refused ??= await syncConnection(deps, manual);
            return open(c);
          },
        },
        {
          tenantId: TENANT,
          userId: 'handover',
          trigger: 'schedule',
          runId: 'sched-1',
          requestedAt: w.time,
        },
      );
      assert.equal(scheduled.ack && scheduled.result, 'done');
      assert.deepEqual(refused, { ack: true, result: 'skipped', runId: 'sched-1', reason: 'busy' });
      assert.deepEqual(
        queue.sent.map((r) => [r.runId, r.trigger]),
        [['queued-1', 'manual']],
      );
      const handed = await syncConnection(deps, queue.sent[0]!);
      assert.equal(handed.ack && handed.result, 'done');
      assert.equal((await store.get(TENANT, 'handover'))?.queuedRun, null);
    });

    it('a queued "Sync now" refused for good leaves the queue', async () => {
      const { w, deps } = await setup('refused-queued', 1);
      await store.queueManualRun(TENANT, 'refused-queued', 'queued-2', w.time);
      const c = (await store.get(TENANT, 'refused-queued'))!;
      await store.saveSettings(TENANT, 'refused-queued', { ...c, enabled: false }, w.time);
      const outcome = await syncConnection(deps, {
        tenantId: TENANT,
        userId: 'refused-queued',
        trigger: 'manual',
        runId: 'queued-2',
        requestedAt: w.time,
      });
      assert.deepEqual(outcome, { ack: true, result: 'skipped', runId: 'queued-2', reason: 'disabled' });
      assert.equal((await store.get(TENANT, 'refused-queued'))?.queuedRun, null);
    });

    it('a transient failure frees the lease and asks for redelivery', async () => {
      const { w, deps } = await setup('flaky', 1);
      w.crm.hook = (call) => {
        if (call === 'readChanges') throw new SyncError('unavailable', '503', { side: 'crm' });
      };
      const outcome = await syncConnection(deps, {
        tenantId: TENANT,
        userId: 'flaky',
        trigger: 'schedule',
        runId: 'f1',
        requestedAt: w.time,
      });
      assert.deepEqual(outcome, { ack: false, runId: 'f1', reason: 'unavailable' });
      const c = await store.get(TENANT, 'flaky');
      assert.equal(c?.lease, null);
    });
  });
});
