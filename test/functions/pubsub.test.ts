// The Pub/Sub functions at their HTTP edge, as a push subscription or Eventarc delivers to them:
// a message that can never be processed (bad base64, bad JSON, missing fields, wrong types, oversize)
// is acknowledged (2xx) and logged as malformed, never retried forever, and writes nothing. A message
// that can be processed acks or asks for redelivery as the job decides.
import assert from 'node:assert/strict';
import type { Harness, TenantSeed } from './harness.js';
import {
  RecordingQueue,
  call,
  connectUser,
  pushMessage,
  snapshotDocuments,
  startHarness,
} from './harness.js';

const push = (url: string, data: string | undefined, extra: Record<string, unknown> = {}) =>
  pushMessage(url, 'contact-sync-user', {
    ...(data !== undefined ? { data } : {}),
    messageId: '1234',
    attributes: {},
    ...extra,
  });

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('functions: Pub/Sub messages', function () {
  this.timeout(120_000);
  let h: Harness;
  let seed: TenantSeed;
  const queue = new RecordingQueue();

  before(async () => {
    h = await startHarness({ queue });
    seed = await h.seedTenant('acme');
    await connectUser(h, seed, 'alice', h.createFolder('Sales'));
  });
  after(() => h?.close());

  const good = () => ({
    tenantId: 'acme',
    userId: 'alice',
    trigger: 'schedule',
    runId: `run-${Date.now()}`,
    requestedAt: h.clock.now(),
  });

  const malformed: [string, string | undefined, RegExp][] = [
    ['no data', undefined, /not a Pub\/Sub message|no message data/],
    ['not base64', '%%%not base64%%%', /not base64/],
    ['base64 of invalid UTF-8', Buffer.from([0xff, 0xfe, 0x7b]).toString('base64'), /not UTF-8/],
    ['base64 of not JSON', b64('tenantId=acme'), /not JSON/],
    ['JSON, not an object', b64('"acme"'), /invalid/],
    ['missing fields', b64(JSON.stringify({ tenantId: 'acme' })), /userId is required/],
    [
      'wrong types',
      b64(
        JSON.stringify({
          tenantId: 'acme',
          userId: 'alice',
          trigger: 'schedule',
          runId: 'r',
          requestedAt: '1',
        }),
      ),
      /requestedAt is invalid/,
    ],
    [
      'a bad id',
      b64(
        JSON.stringify({ tenantId: '..', userId: 'alice', trigger: 'schedule', runId: 'r', requestedAt: 1 }),
      ),
      /tenantId is invalid/,
    ],
    [
      'a user id Firestore reserves',
      b64(
        JSON.stringify({
          tenantId: 'acme',
          userId: '__x__',
          trigger: 'schedule',
          runId: 'r',
          requestedAt: 1,
        }),
      ),
      /userId is invalid/,
    ],
    [
      'a tenant id Firestore reserves',
      b64(
        JSON.stringify({
          tenantId: '__x__',
          userId: 'alice',
          trigger: 'schedule',
          runId: 'r',
          requestedAt: 1,
        }),
      ),
      /tenantId is invalid/,
    ],
    [
      'an unknown trigger',
      b64(JSON.stringify({ tenantId: 'acme', userId: 'alice', trigger: 'now', runId: 'r', requestedAt: 1 })),
      /trigger is invalid/,
    ],
    [
      'oversize',
      b64(JSON.stringify({ ...{ tenantId: 'acme', userId: 'alice' }, pad: 'x'.repeat(8000) })),
      /oversize/,
    ],
  ];

  for (const fn of ['syncUser', 'tickTenant'] as const)
    describe(fn, () => {
      for (const [what, data, reason] of malformed) {
        if (fn === 'tickTenant' && /fields|types|trigger|user id/.test(what)) continue;
        it(`acknowledges ${what} as malformed, writing and publishing nothing`, async () => {
          const before = await snapshotDocuments(h.db);
          const published = queue.sent.length;
          const logged = h.logs.length;
          const r = await push(h.urls[fn], data);
          assert.ok(r.status >= 200 && r.status < 300, `acknowledged (${r.status} ${r.text})`);
          const lines = h.logs.slice(logged);
          assert.equal(lines.length, 1, JSON.stringify(lines));
          assert.equal(lines[0]!.severity, 'WARNING');
          assert.equal(lines[0]!.message, `${fn}: malformed message acknowledged`);
          assert.match(String(lines[0]!.reason), reason);
          assert.equal(lines[0]!.messageId, '1234');
          assert.deepEqual(await snapshotDocuments(h.db), before);
          assert.equal(queue.sent.length, published);
        });
      }
    });

  describe('deadLetter', () => {
    const dead = (data: string, messageId: string, attributes: Record<string, string> = {}) =>
      pushMessage(
        h.urls.deadLetter,
        'contact-sync-dead',
        {
          data,
          messageId,
          publishTime: '2026-12-05T06:00:00.000Z',
          attributes: { CloudPubSubDeadLetterSourceDeliveryCount: '5', ...attributes },
        },
        'projects/demo/subscriptions/dead-push',
      );

    it('records a sync request once under its tenant, however often it is delivered', async () => {
      const job = good();
      for (let i = 0; i < 2; i++) {
        const r = await dead(b64(JSON.stringify(job)), 'dead-1');
        assert.ok(r.status >= 200 && r.status < 300, `${r.status} ${r.text}`);
      }
      const letters = (await h.app.deadLetters.recent('acme', 10)).filter((l) => l.messageId === 'dead-1');
      assert.equal(letters.length, 1);
      assert.deepEqual(
        { ...letters[0]!, recordedAt: 0 },
        {
          messageId: 'dead-1',
          tenantId: 'acme',
          userId: 'alice',
          kind: 'sync:schedule',
          runId: job.runId,
          publishedAt: Date.parse('2026-12-05T06:00:00.000Z'),
          recordedAt: 0,
          deliveryAttempt: 5,
        },
      );
    });

    it('acknowledges what names no tenant it may write under, writing nothing', async () => {
      const before = await snapshotDocuments(h.db);
      for (const [data, attributes] of [
        [b64('{not json'), {}],
        [b64(JSON.stringify({ hello: 'world' })), {}],
        [b64(JSON.stringify({ hello: 'world' })), { tenantId: '__x__' }],
        ['%%%', { tenantId: 'acme' }],
      ] as [string, Record<string, string>][]) {
        const r = await dead(data, `dead-${Math.random()}`, attributes);
        assert.ok(r.status >= 200 && r.status < 300, `${r.status} ${r.text}`);
      }
      assert.deepEqual(await snapshotDocuments(h.db), before);
    });
  });

  it('acknowledges a body that is not a Pub/Sub push at all', async () => {
    const before = await snapshotDocuments(h.db);
    for (const json of [{}, { message: 'x' }, [1, 2], { data: { message: { data: 42 } } }]) {
      const r = await call(`${h.urls.syncUser}/projects/demo/topics/contact-sync-user`, {
        method: 'POST',
        json,
      });
      assert.ok(r.status >= 200 && r.status < 300, `${JSON.stringify(json)}: ${r.status} ${r.text}`);
    }
    assert.deepEqual(await snapshotDocuments(h.db), before);
  });

  it('acknowledges a malformed Eventarc CloudEvent (binary mode) too', async () => {
    const r = await call(h.urls.syncUser, {
      method: 'POST',
      headers: {
        'ce-id': 'e1',
        'ce-specversion': '1.0',
        'ce-source': '//pubsub.googleapis.com/projects/demo/topics/contact-sync-user',
        'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
      },
      json: {
        message: { data: b64('{not json'), messageId: 'e1' },
        subscription: 'projects/demo/subscriptions/s',
      },
    });
    assert.ok(r.status >= 200 && r.status < 300, `${r.status} ${r.text}`);
    assert.match(String(h.logs.at(-1)?.reason), /not JSON/);
  });

  it('tickTenant publishes one request per due connection', async () => {
    const before = queue.sent.length;
    const r = await push(h.urls.tickTenant, b64(JSON.stringify({ tenantId: 'acme' })));
    assert.equal(r.status, 204, r.text);
    const sent = queue.sent.slice(before);
    assert.equal(sent.length, 1);
    assert.deepEqual(
      { tenantId: sent[0]!.tenantId, userId: sent[0]!.userId, trigger: sent[0]!.trigger },
      { tenantId: 'acme', userId: 'alice', trigger: 'schedule' },
    );
    const none = await push(h.urls.tickTenant, b64(JSON.stringify({ tenantId: 'initech' })));
    assert.equal(none.status, 204);
    assert.equal(queue.sent.length, before + 1);
  });

  it('syncUser acknowledges a request for a connection that does not exist, writing nothing', async () => {
    const before = await snapshotDocuments(h.db);
    const r = await push(h.urls.syncUser, b64(JSON.stringify({ ...good(), userId: 'nobody' })));
    assert.equal(r.status, 204, r.text);
    assert.equal(h.logs.at(-1)?.message, 'syncUser: skipped');
    assert.equal(h.logs.at(-1)?.reason, 'missing');
    assert.deepEqual(await snapshotDocuments(h.db), before);
  });

  it('syncUser asks for redelivery (non-2xx, no stack, no message text) while the same run holds the lease', async () => {
    const request = good();
    const lease = await h.app.connections.acquireLease(
      { ...request, trigger: 'schedule' } as never,
      'other',
      h.clock.now(),
      60_000,
    );
    assert.ok(lease.ok);
    try {
      const r = await push(h.urls.syncUser, b64(JSON.stringify(request)));
      assert.equal(r.status, 500);
      assert.doesNotMatch(r.text, /\bat [^\n]*:\d+:\d+/);
      assert.ok(r.text.length < 200, r.text);
      assert.equal(h.logs.at(-1)?.message, 'syncUser: retry');
    } finally {
      h.clock.advance(61_000);
    }
  });

  it('no log line carries personal data or a message body', () => {
    const logged = JSON.stringify(h.logs);
    assert.ok(!logged.includes('alice'), 'user ids appear only as digests');
    assert.ok(!logged.includes('demo.user@example.com'));
    assert.ok(!logged.includes('xxxxxxxx'), 'no message content');
  });
});
