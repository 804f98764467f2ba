// The tenant's run cap (shared/lease.ts) over the in-memory store: a run beyond the cap is sent again,
// not dropped; a crashed run's slot is free once its lease expires, and the crashed attempt's late end
// cannot free the slot its successor holds.
import assert from 'node:assert/strict';
import type { SyncRequest } from '../../../shared/ports.js';
import { syncConnection } from '../../../shared/syncConnection.js';
import type { FakeConnections } from '../../fakes/fakeConnections.js';
import type { Queue } from '../../fakes/job.js';
import { JobWorld } from '../../fakes/job.js';

const TTL = 600_000;

describe('the tenant run cap', () => {
  let w: JobWorld;
  let connections: FakeConnections;
  let queue: Queue;
  const request = (userId: string, runId: string): SyncRequest => ({
    tenantId: 'acme',
    userId,
    trigger: 'schedule',
    runId,
    requestedAt: w.time,
  });

  beforeEach(async () => {
    w = new JobWorld();
    connections = w.connections;
    queue = w.queue;
    for (const userId of ['a', 'b'])
      await connections.connect({
        tenantId: 'acme',
        userId,
        crmGroupId: 'g',
        google: { sub: userId, email: `${userId}@example.com` },
        refreshTokenSealed: 'sealed',
        defaults: { intervalMinutes: 15, policy: 'newest-wins' },
        now: w.time,
      });
    connections.caps.set('acme', 1);
  });

  it("takes over a crashed run's slot once its lease expires, and the late end leaves it alone", async () => {
    const dead = await connections.acquireLease(request('a', 'run-a'), 'dead', w.time, TTL);
    assert.ok(dead.ok && dead.connection.lease?.slot === 0);

    w.time += 1_000;
    const waiting = request('b', 'run-b');
    assert.deepEqual(await connections.acquireLease(waiting, 'b1', w.time, TTL), {
      ok: false,
      reason: 'throttled',
      runId: null,
    });
    // Through the job: acknowledged as deferred, and the very same request is sent again.
    assert.deepEqual(await syncConnection({ ...w.deps, leaseTtlMs: TTL }, waiting), {
      ack: true,
      result: 'deferred',
      runId: 'run-b',
      reason: 'throttled',
    });
    assert.deepEqual(queue.sent, [waiting]);

    w.time += TTL - 1_001;
    assert.equal((await connections.acquireLease(waiting, 'b2', w.time, TTL)).ok, false, 'not before expiry');
    w.time += 1;
    const taken = await connections.acquireLease(waiting, 'b3', w.time, TTL);
    assert.ok(taken.ok && taken.connection.lease?.slot === 0, 'the expired slot is taken over');
    assert.equal(connections.slots.get('acme')?.[0]?.attempt, 'b3');

    // The crashed attempt was only slow: its end commits (its connection's lease is still its own),
    // but the slot is the successor's now and stays held.
    const late = await connections.finishRun('acme', 'a', {
      runId: 'run-a',
      attempt: 'dead',
      checkpoint: null,
      status: 'ok',
      statusReason: null,
      summary: {
        runId: 'run-a',
        trigger: 'schedule',
        startedAt: 0,
        endedAt: w.time,
        outcome: 'ok',
        counts: {},
        error: null,
        reason: null,
      },
      nextDueAt: w.time,
    });
    assert.equal(late, true);
    assert.equal(connections.slots.get('acme')?.[0]?.attempt, 'b3');
  });

  it('lets runs in up to the default cap of 3 when the tenant sets none', async () => {
    connections.caps.delete('acme');
    for (const userId of ['c', 'd', 'e'])
      await connections.connect({
        tenantId: 'acme',
        userId,
        crmGroupId: 'g',
        google: { sub: userId, email: `${userId}@example.com` },
        refreshTokenSealed: 'sealed',
        defaults: { intervalMinutes: 15, policy: 'newest-wins' },
        now: w.time,
      });
    const results = [];
    for (const userId of ['a', 'b', 'c', 'd', 'e'])
      results.push(
        (await connections.acquireLease(request(userId, `run-${userId}`), userId, w.time, TTL)).ok,
      );
    assert.deepEqual(results, [true, true, true, false, false]);
  });
});
