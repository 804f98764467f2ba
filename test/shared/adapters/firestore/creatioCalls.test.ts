// The Creatio call meter in Firestore (emulator): shard documents per tenant and UTC day, summed on
// read by one aggregation query; a run's calls added in the transaction that ends it, for one write
// and no read, and counted even when the run lost its lease.
import assert from 'node:assert/strict';
import type { Firestore } from '@google-cloud/firestore';
import {
  FirestoreConnections,
  FirestoreCreatioCalls,
  FirestoreMeter,
} from '../../../../shared/adapters/firestore/index.js';
import { CREATIO_CALL_SHARDS } from '../../../../shared/creatioCalls.js';
import type { RunEnd, SyncRequest } from '../../../../shared/ports.js';
import { newFirestore } from '../../../support/emulators.js';

const DAY = Date.parse('2026-12-05T12:00:00Z');
const LAST_MS = Date.parse('2026-12-05T23:59:59.999Z');
const NEXT_DAY = Date.parse('2026-12-06T00:00:00Z');

describe('the Creatio call meter in Firestore (emulator)', function () {
  this.timeout(60_000);
  let db: Firestore;
  let meter: FirestoreMeter;
  let tenants = 0;
  const tenant = () => `meter-${++tenants}`;

  before(async () => {
    db = await newFirestore();
    meter = new FirestoreMeter();
  });

  const add = (calls: FirestoreCreatioCalls, tenantId: string, at: number, n: number) =>
    db.runTransaction(async (tx) => calls.addIn(tx, tenantId, at, n));
  const shardDocs = async (tenantId: string) =>
    (await db.collection('tenants').doc(tenantId).collection('creatioCalls').get()).docs.map((d) => [
      d.id,
      d.get('calls') as number,
    ]);

  it('adds to the shard the random pick names, and sums every shard of the day', async () => {
    const picks = [0, 0.35, 0.9999, 0.35];
    const calls = new FirestoreCreatioCalls(db, meter, () => picks.shift()!);
    const t = tenant();
    for (const n of [4, 10, 1, 6]) await add(calls, t, DAY, n);
    assert.deepEqual(
      (await shardDocs(t)).sort(),
      [
        ['2026-12-05.0', 4],
        ['2026-12-05.3', 16],
        [`2026-12-05.${CREATIO_CALL_SHARDS - 1}`, 1],
      ].sort(),
    );
    assert.equal(await calls.today(t, DAY), 21);
  });

  it('keeps UTC days apart: the last millisecond of a day and the first of the next', async () => {
    const calls = new FirestoreCreatioCalls(db, meter);
    const t = tenant();
    await add(calls, t, LAST_MS, 3);
    await add(calls, t, NEXT_DAY, 5);
    assert.equal(await calls.today(t, DAY), 3);
    assert.equal(await calls.today(t, NEXT_DAY + 3_600_000), 5);
    assert.equal(await calls.today(t, NEXT_DAY + 86_400_000), 0, 'a day nobody called is zero');
    assert.equal(await calls.today(tenant(), DAY), 0, 'another tenant counts apart');
  });

  it('loses no call when many runs end at once, spread over the shards', async () => {
    const calls = new FirestoreCreatioCalls(db, meter);
    const t = tenant();
    await Promise.all(Array.from({ length: 40 }, (_, i) => add(calls, t, DAY, i + 1)));
    assert.equal(await calls.today(t, DAY), (40 * 41) / 2);
    assert.ok((await shardDocs(t)).length > 1, 'more than one shard');
  });

  it('costs one read to sum, and one write and no read to add', async () => {
    const calls = new FirestoreCreatioCalls(db, meter);
    const t = tenant();
    meter.reset();
    await add(calls, t, DAY, 9);
    assert.deepEqual({ reads: meter.reads, writes: meter.writes }, { reads: 0, writes: 1 });
    meter.reset();
    await calls.today(t, DAY);
    assert.deepEqual({ reads: meter.reads, writes: meter.writes }, { reads: 1, writes: 0 });
    meter.reset();
    await add(calls, t, DAY, 0);
    assert.equal(meter.writes, 0, 'a run that called nobody writes nothing');
    meter.reset();
    await calls.add(t, DAY, 2);
    assert.deepEqual({ reads: meter.reads, writes: meter.writes }, { reads: 0, writes: 1 });
    assert.equal(await calls.today(t, DAY), 11, 'outside a transaction too (a preview, a dry run)');
  });

  describe('the end of a run', () => {
    const endOf = (runId: string, attempt: string, creatioCalls?: number): RunEnd => ({
      runId,
      attempt,
      checkpoint: null,
      status: 'ok',
      statusReason: null,
      summary: {
        runId,
        trigger: 'schedule',
        startedAt: DAY,
        endedAt: DAY,
        outcome: 'ok',
        counts: {},
        error: null,
        reason: null,
      },
      nextDueAt: DAY,
      ...(creatioCalls === undefined ? {} : { creatioCalls }),
    });
    const leased = async (store: FirestoreConnections, tenantId: string, runId: string) => {
      await store.connect({
        tenantId,
        userId: 'u',
        crmGroupId: '9dc5f6e6-0000-0000-0000-000000000001',
        google: { sub: 'sub-u', email: 'u@example.com' },
        refreshTokenSealed: 'v1.sealed',
        defaults: { intervalMinutes: 15, policy: 'newest-wins' },
        now: DAY,
      });
      const request: SyncRequest = { tenantId, userId: 'u', trigger: 'schedule', runId, requestedAt: DAY };
      assert.ok((await store.acquireLease(request, 'a', DAY, 60_000)).ok);
    };

    it("adds the run's calls in its end-of-run commit: one more write, no more reads", async () => {
      const calls = new FirestoreCreatioCalls(db, meter);
      const store = new FirestoreConnections(db, meter, calls);
      const [quiet, billed] = [tenant(), tenant()];
      const cost = async (tenantId: string, n?: number) => {
        await leased(store, tenantId, 'r1');
        meter.reset();
        assert.equal(await store.finishRun(tenantId, 'u', endOf('r1', 'a', n)), true);
        return { reads: meter.reads, writes: meter.writes };
      };
      const without = await cost(quiet);
      const withCalls = await cost(billed, 42);
      assert.deepEqual(withCalls, { reads: without.reads, writes: without.writes + 1 });
      assert.equal(await calls.today(billed, DAY), 42);
      assert.equal(await calls.today(quiet, DAY), 0);
    });

    it('counts the calls of a run that lost its lease, though its end is refused', async () => {
      const calls = new FirestoreCreatioCalls(db, meter);
      const store = new FirestoreConnections(db, meter, calls);
      const t = tenant();
      await leased(store, t, 'r1');
      assert.equal(await store.finishRun(t, 'u', endOf('r1', 'someone-else', 13)), false);
      assert.equal(await calls.today(t, DAY), 13);
    });
  });
});
