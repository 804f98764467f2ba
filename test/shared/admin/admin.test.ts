// Disconnect, live progress, and the tenant admin's view, over the in-memory fakes.
import assert from 'node:assert/strict';
import { recordDeadLetter } from '../../../shared/admin/deadLetters.js';
import { setUserPaused, tenantView } from '../../../shared/admin/tenantView.js';
import { DISCONNECTED, disconnect } from '../../../shared/disconnect.js';
import type { DeadLetter, DeadLetterStore } from '../../../shared/ports.js';
import { JobWorld, TENANT, USER } from '../../fakes/job.js';
import { person } from '../../fakes/world.js';

class Letters implements DeadLetterStore {
  readonly all: DeadLetter[] = [];
  async record(l: DeadLetter) {
    this.all.unshift(l);
  }
  async recent(tenantId: string, limit: number) {
    return this.all.filter((l) => l.tenantId === tenantId).slice(0, limit);
  }
}

const row = (w: JobWorld, userId = USER) => w.connections.rows.get(`${TENANT}/${userId}`)!;

describe('disconnect', () => {
  it('revokes the grant, deletes the token and stops syncing; the same account reconnects without duplicates', async () => {
    const w = new JobWorld();
    await w.connect();
    w.crm.userCreate(person('Dora', 'Dis'));
    w.google.userCreate(person('Gina', 'Dis'));
    await w.job();
    const revoked: string[] = [];
    const deps = {
      connections: w.connections,
      grants: { revoke: async (t: string) => void revoked.push(t) },
      sealer: { open: (sealed: string) => `opened(${sealed})` },
    };
    await disconnect(deps, TENANT, USER);
    assert.deepEqual(revoked, ['opened(v1.sealed)']);
    assert.equal(row(w).refreshTokenSealed, null);
    assert.equal(row(w).status, 'needs-reconnect');
    assert.equal(row(w).statusReason, DISCONNECTED);
    const skipped = await w.job();
    assert.equal(skipped.ack && skipped.result, 'skipped');
    await w.connect();
    await w.job();
    assert.equal(w.crm.alive().length, 2);
    assert.equal(w.google.alive().length, 2);
  });

  it('keeps the token when Google cannot be reached, so a retry still revokes it', async () => {
    const w = new JobWorld();
    await w.connect();
    const deps = {
      connections: w.connections,
      grants: { revoke: async () => Promise.reject(new Error('unreachable')) },
      sealer: { open: (s: string) => s },
    };
    await assert.rejects(disconnect(deps, TENANT, USER));
    assert.equal(row(w).refreshTokenSealed, 'v1.sealed');
  });
});

describe('live progress', () => {
  it('is stored during a long run at most every few seconds, and cleared at its end', async () => {
    const w = new JobWorld();
    await w.connect();
    for (let i = 0; i < 9; i++) w.crm.userCreate(person(`P${i}`, 'Prog'));
    w.google.hook = (call, after) => {
      if (call === 'create' && !after) w.tick(2000);
    };
    await w.job();
    const writes = w.attention.progressWrites;
    assert.ok(writes.length >= 1 && writes.length <= 3, `${writes.length} progress writes`);
    assert.ok(writes.every((p) => p.phase === 'writing' && p.runId === 'run-1'));
    assert.ok(writes.some((p) => (p.counts['create.google'] ?? 0) > 0));
    assert.equal(row(w).progress, null);
  });

  it('a quick run writes none', async () => {
    const w = new JobWorld();
    await w.connect();
    w.crm.userCreate(person('Q', 'Quick'));
    await w.job();
    assert.equal(w.attention.progressWrites.length, 0);
  });
});

describe('tenant admin view', () => {
  it('lists failing and paused connections first, counts per state, dead letters; pauses and resumes a user', async () => {
    const w = new JobWorld();
    for (const [userId, status] of [
      ['a-ok', 'ok'],
      ['b-paused', 'paused'],
      ['c-error', 'error'],
      ['d-ok', 'ok'],
    ] as const) {
      await w.connections.connect({
        tenantId: TENANT,
        userId,
        crmGroupId: 'g',
        google: { sub: userId, email: `${userId}@example.com` },
        refreshTokenSealed: 's',
        defaults: { intervalMinutes: 15, policy: 'newest-wins' },
        now: w.time,
      });
      row(w, userId).status = status;
    }
    await w.connections.connect({
      tenantId: 'other',
      userId: 'x',
      crmGroupId: 'g',
      google: { sub: 'x', email: 'x@example.com' },
      refreshTokenSealed: 's',
      defaults: { intervalMinutes: 15, policy: 'newest-wins' },
      now: w.time,
    });
    const letters = new Letters();
    const json = { tenantId: TENANT, userId: 'a-ok', trigger: 'schedule', runId: 'r1', requestedAt: 1 };
    const recorded = await recordDeadLetter(
      { deadLetters: letters, clock: w.clock },
      { messageId: 'm1', json, attributes: {}, publishedAt: 5, deliveryAttempt: 5 },
    );
    assert.equal(recorded?.kind, 'sync:schedule');
    assert.equal(
      await recordDeadLetter(
        { deadLetters: letters, clock: w.clock },
        { messageId: 'm2', json: 'junk', attributes: {}, publishedAt: null, deliveryAttempt: null },
      ),
      null,
    );
    const view = await tenantView({ connections: w.connections, deadLetters: letters }, TENANT, w.time);
    assert.deepEqual(
      view.connections.map((c) => c.userId),
      ['c-error', 'b-paused', 'a-ok', 'd-ok'],
    );
    assert.equal(view.counts.ok, 2);
    assert.equal(view.counts.paused, 1);
    assert.equal(view.counts.error, 1);
    assert.deepEqual(
      view.deadLetters.map((l) => [l.messageId, l.userId]),
      [['m1', 'a-ok']],
    );
    await setUserPaused({ connections: w.connections }, TENANT, 'a-ok', true);
    assert.equal(row(w, 'a-ok').enabled, false);
    await setUserPaused({ connections: w.connections }, TENANT, 'a-ok', false);
    assert.equal(row(w, 'a-ok').enabled, true);
    await assert.rejects(setUserPaused({ connections: w.connections }, TENANT, 'nobody', true), {
      kind: 'not-found',
    });
  });
});
