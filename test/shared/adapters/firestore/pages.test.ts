// The Firestore adapters behind the pages' use cases, against the emulator: attention runs (bounded),
// match choices applied by the end of a run, progress cleared by it, the preview fenced by its id,
// disconnect keeping the account, the tenant list, dead letters per tenant.
import assert from 'node:assert/strict';
import type { Firestore } from '@google-cloud/firestore';
import {
  FirestoreAttention,
  FirestoreConnections,
  FirestoreDeadLetters,
  FirestoreMeter,
  FirestorePreviews,
} from '../../../../shared/adapters/firestore/index.js';
import { ATTENTION_RUNS_KEPT } from '../../../../shared/adapters/firestore/attention.js';
import type { PreviewResult } from '../../../../shared/ports.js';
import { newFirestore } from '../../../support/emulators.js';

const T = 'acme';

describe('Firestore adapters of the pages', () => {
  let db: Firestore;
  let conns: FirestoreConnections;
  let attention: FirestoreAttention;
  const meter = new FirestoreMeter();

  before(async () => {
    db = await newFirestore();
    conns = new FirestoreConnections(db, meter);
    attention = new FirestoreAttention(db, meter);
  });
  after(async () => db.terminate());

  const connect = (userId: string) =>
    conns.connect({
      tenantId: T,
      userId,
      crmGroupId: 'g1',
      google: { sub: `sub-${userId}`, email: `${userId}@example.com` },
      refreshTokenSealed: 'v1.sealed',
      defaults: { intervalMinutes: 15, policy: 'newest-wins' },
      now: 1000,
    });

  it('keeps the latest attention runs only, newest first', async () => {
    await connect('u1');
    for (let i = 0; i < ATTENTION_RUNS_KEPT + 3; i++)
      await attention.saveRun(T, 'u1', {
        runId: `r${i}`,
        at: 1000 + i,
        total: 1,
        items: [
          {
            kind: 'refused',
            record: { side: 'google', id: `x${i}`, name: 'N', emails: [] },
            reason: 'validation: x',
          },
        ],
      });
    const runs = await attention.recentRuns(T, 'u1', 50);
    assert.equal(runs.length, ATTENTION_RUNS_KEPT);
    assert.equal(runs[0]!.runId, `r${ATTENTION_RUNS_KEPT + 2}`);
  });

  it('a choice is applied by the end of an ok run; the end of a run clears progress and the rejection', async () => {
    await connect('u2');
    assert.equal(
      await attention.choose(T, 'u2', {
        key: 'k1',
        pair: { crmId: 'c', googleId: 'g' },
        at: 1,
        applied: false,
      }),
      true,
    );
    assert.equal(await attention.restoreDepartures(T, 'u2'), true);
    const lease = await conns.acquireLease(
      { tenantId: T, userId: 'u2', trigger: 'manual', runId: 'run1', requestedAt: 1 },
      'a',
      2000,
      60_000,
    );
    assert.ok(lease.ok);
    await attention.saveProgress(T, 'u2', {
      runId: 'run1',
      phase: 'writing',
      counts: { 'create.google': 3 },
      at: 2100,
    });
    assert.equal((await conns.get(T, 'u2'))!.progress?.counts['create.google'], 3);
    await conns.finishRun(T, 'u2', {
      runId: 'run1',
      attempt: 'a',
      checkpoint: null,
      status: 'ok',
      statusReason: null,
      nextDueAt: 5000,
      appliedChoices: ['k1'],
      summary: {
        runId: 'run1',
        trigger: 'manual',
        startedAt: 2000,
        endedAt: 2200,
        outcome: 'ok',
        counts: {},
        error: null,
        reason: null,
      },
    });
    const c = (await conns.get(T, 'u2'))!;
    assert.equal(c.progress, null);
    assert.equal(c.restoreDepartures, false);
    assert.deepEqual(
      c.matchChoices?.map((x) => [x.key, x.applied]),
      [['k1', true]],
    );
  });

  it('a finished preview never overwrites a newer request', async () => {
    const previews = new FirestorePreviews(db, meter);
    const p = (previewId: string, state: PreviewResult['state']): PreviewResult => ({
      previewId,
      state,
      requestedAt: 1,
      finishedAt: null,
      refused: null,
      wouldCreateGroup: true,
      counts: { linked: 2 },
      items: [{ kind: 'link', side: 'crm', recordId: 'c', partnerId: 'g', name: 'N', fields: [] }],
      total: 1,
      error: null,
    });
    await previews.put(T, 'u1', p('p1', 'queued'));
    await previews.put(T, 'u1', p('p2', 'queued'));
    assert.equal(await previews.put(T, 'u1', p('p1', 'ready')), false);
    assert.equal(await previews.put(T, 'u1', p('p2', 'ready')), true);
    assert.deepEqual(await previews.get(T, 'u1'), p('p2', 'ready'));
  });

  it('disconnect drops the token and keeps the account; the list and pause/resume', async () => {
    await connect('u3');
    const c = await conns.disconnect(T, 'u3', 'disconnected');
    assert.equal(c?.refreshTokenSealed, null);
    const stored = (await conns.get(T, 'u3'))!;
    assert.equal(stored.refreshTokenSealed, null);
    assert.equal(stored.google?.sub, 'sub-u3');
    assert.equal(stored.status, 'needs-reconnect');
    assert.deepEqual(
      (await conns.list(T, 10)).map((x) => x.userId),
      ['u1', 'u2', 'u3'],
    );
    assert.equal(await conns.setEnabled(T, 'u1', false), true);
    assert.equal((await conns.get(T, 'u1'))!.enabled, false);
    assert.equal(await conns.setEnabled(T, 'nobody', false), false);
  });

  it('dead letters are kept per tenant, newest first, one per message', async () => {
    const letters = new FirestoreDeadLetters(db, meter);
    const l = (messageId: string, tenantId: string, recordedAt: number) => ({
      messageId,
      tenantId,
      userId: 'u1',
      kind: 'sync:schedule',
      runId: 'r',
      publishedAt: 1,
      recordedAt,
      deliveryAttempt: 5,
    });
    await letters.record(l('m1', T, 10));
    await letters.record(l('m2', T, 20));
    await letters.record(l('m2', T, 20));
    await letters.record(l('m3', 'other', 30));
    assert.deepEqual(
      (await letters.recent(T, 10)).map((x) => x.messageId),
      ['m2', 'm1'],
    );
  });
});
