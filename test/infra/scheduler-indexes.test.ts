// The tick job's schedule and name, and the Firestore index file against what the product writes.
import assert from 'node:assert/strict';
import { Timestamp } from '@google-cloud/firestore';
import { FirestoreMeter, FirestoreOneTime } from '../../shared/adapters/firestore/index.js';
import { oneTime } from '../../shared/adapters/firestore/paths.js';
import { sha256 } from '../../shared/secrets.js';
import { loadIndexConfig, parseIndexConfig } from '../../infra/deploy/indexes.js';
import { tickJobId } from '../../infra/deploy/names.js';
import { tickJob, tickSchedule } from '../../infra/deploy/scheduler.js';
import { newFirestore } from '../support/emulators.js';

describe('tick schedule', () => {
  it('ticks at the interval when cron can say it, otherwise at the next shorter period it can', () => {
    const cases: [number, string, number][] = [
      [5, '*/5 * * * *', 5],
      [7, '*/6 * * * *', 6],
      [15, '*/15 * * * *', 15],
      [45, '*/30 * * * *', 30],
      [60, '0 * * * *', 60],
      [90, '0 * * * *', 60],
      [120, '0 */2 * * *', 120],
      [300, '0 */4 * * *', 240],
      [1000, '0 */12 * * *', 720],
      [1440, '0 0 * * *', 1440],
    ];
    for (const [interval, cron, period] of cases) {
      assert.deepEqual(tickSchedule(interval), { cron, periodMinutes: period }, `interval ${interval}`);
      assert.ok(period <= interval);
    }
    for (let i = 5; i <= 1440; i++) assert.ok(tickSchedule(i).periodMinutes <= i);
    assert.throws(() => tickSchedule(4));
  });

  it('names the job after the tenant, and keeps dotted ids apart from plain ones', () => {
    assert.equal(tickJobId('acme', sha256), 'contact-sync-tick-acme');
    const dotted = tickJobId('a.b', sha256);
    assert.match(dotted, /^contact-sync-tick-a_b-[0-9a-f]{64}$/);
    assert.notEqual(dotted, tickJobId('a_b', sha256));
    for (const id of ['acme', 'a.b', 'x'.repeat(64), 'A-b_c.9'])
      assert.match(tickJobId(id, sha256), /^[A-Za-z0-9_-]{1,500}$/);
    const job = tickJob({
      project: 'acme-sync-prod',
      region: 'us-central1',
      tenantId: 'a.b',
      intervalMinutes: 15,
    });
    assert.equal(job.data, '{"tenantId":"a.b"}');
    assert.equal(JSON.parse(job.data).tenantId, 'a.b');
  });
});

describe('infra/firestore.indexes.json', () => {
  it('is in the Firebase format and indexes the due-connection query in its order', () => {
    const config = loadIndexConfig();
    const due = config.indexes.find((i) => i.collectionGroup === 'connections');
    assert.deepEqual(due?.fields, [
      { fieldPath: 'schedulable', order: 'ASCENDING' },
      { fieldPath: 'nextDueAt', order: 'ASCENDING' },
      { fieldPath: 'userId', order: 'ASCENDING' },
    ]);
    assert.throws(() =>
      parseIndexConfig({
        indexes: [{ collectionGroup: 'x', queryScope: 'COLLECTION', fields: [] }],
        fieldOverrides: [],
      }),
    );
  });

  it('puts the TTL policy on the field one-time tokens carry as a timestamp', async () => {
    const ttl = loadIndexConfig().fieldOverrides.filter((o) => o.ttl);
    assert.equal(ttl.length, 1);
    const db = await newFirestore();
    await new FirestoreOneTime(db, new FirestoreMeter()).put('state', 'abc', { a: 'b' }, 1_000);
    const snap = await oneTime(db).doc('state-abc').get();
    assert.equal(ttl[0]!.collectionGroup, oneTime(db).id);
    assert.ok(snap.get(ttl[0]!.fieldPath) instanceof Timestamp);
  });
});
