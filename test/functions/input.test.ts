// Input handling at the edge: wrong methods, content types, malformed and oversized bodies, bad ids and
// query strings are answered with clear JSON errors (no stack traces, no echo of the input), before
// anything is read from or written to the store.
import assert from 'node:assert/strict';
import type { Answer, Harness, TenantSeed } from './harness.js';
import { RecordingQueue, call, connectUser, snapshotDocuments, startHarness } from './harness.js';

const STACK = /\bat [^\n]*:\d+:\d+|node_modules|\.ts:\d+/;

describe('functions: input handling', function () {
  this.timeout(120_000);
  let h: Harness;
  let seed: TenantSeed;
  let folder: string;
  const queue = new RecordingQueue();

  before(async () => {
    h = await startHarness({ queue });
    seed = await h.seedTenant('acme');
    folder = h.createFolder('Sales');
    await connectUser(h, seed, 'alice', folder);
  });
  after(() => h?.close());

  const expectError = async (
    what: string,
    request: () => Promise<Answer>,
    status: number,
    code: string,
    message?: RegExp,
  ): Promise<Answer> => {
    const before = await snapshotDocuments(h.db);
    const published = queue.sent.length;
    const r = await request();
    assert.equal(r.status, status, `${what}: ${r.text}`);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/, what);
    const body = r.json as { error: { code: string; message: string } };
    assert.equal(body?.error?.code, code, `${what}: ${r.text}`);
    assert.equal(typeof body.error.message, 'string');
    assert.deepEqual(Object.keys(body), ['error'], what);
    if (message) assert.match(body.error.message, message, what);
    assert.doesNotMatch(r.text, STACK, `${what}: no stack trace`);
    assert.deepEqual(await snapshotDocuments(h.db), before, `${what}: nothing written`);
    assert.equal(queue.sent.length, published, `${what}: nothing published`);
    return r;
  };

  const post = (url: string, body: string, contentType = 'application/json', apiKey = seed.apiKey) =>
    call(url, { method: 'POST', body, headers: { 'content-type': contentType }, apiKey });

  describe('methods and content types', () => {
    it('answers 405 with Allow for a wrong method', async () => {
      const r = await expectError(
        'GET syncNow',
        () => call(h.urls.syncNow, { apiKey: seed.apiKey }),
        405,
        'method-not-allowed',
      );
      assert.equal(r.headers.get('allow'), 'POST');
      for (const [url, method, allow] of [
        [`${h.urls.syncStatus}?tenantId=acme&userId=alice`, 'POST', 'GET'],
        [`${h.urls.syncSettings}?tenantId=acme&userId=alice`, 'DELETE', 'GET, PUT'],
        [h.urls.oauthStart, 'PUT', 'GET, POST'],
        [h.urls.oauthCallback, 'POST', 'GET'],
      ] as const) {
        const a = await expectError(
          `${method} ${url}`,
          () => call(url, { method, apiKey: seed.apiKey, headers: { accept: 'application/json' } }),
          405,
          'method-not-allowed',
        );
        assert.equal(a.headers.get('allow'), allow);
      }
    });

    it('answers 415 for a body that is not JSON', async () => {
      const body = JSON.stringify({ tenantId: 'acme', userId: 'alice' });
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])
        await expectError(type, () => post(h.urls.syncNow, body, type), 415, 'unsupported-media-type');
      await expectError(
        'latin-1 JSON',
        () => post(h.urls.syncNow, body, 'application/json; charset=iso-8859-1'),
        415,
        'unsupported-media-type',
      );
    });
  });

  describe('bodies', () => {
    it('answers 400 for malformed JSON, without echoing it', async () => {
      for (const body of [
        '{"tenantId":',
        '{tenantId: "acme"}',
        "{'a':1}",
        '{"a":1}}',
        '\u0000',
        '"acme"',
        '42',
        'null',
      ])
        await expectError(
          `body ${JSON.stringify(body)}`,
          () => post(h.urls.syncNow, body),
          400,
          'malformed-json',
          /not valid JSON/,
        );
      const secretish = '{"tenantId":"acme","userId":"alice@example.com",';
      const r = await post(h.urls.syncNow, secretish);
      assert.ok(!r.text.includes('alice@example.com'));
      assert.ok(!JSON.stringify(h.logs).includes('alice@example.com'), 'the body is not logged');
    });

    it('answers 400 for JSON that is not the expected object', async () => {
      const cases: [string, unknown, RegExp][] = [
        ['an array', [{ tenantId: 'acme', userId: 'alice' }], /JSON object/],
        ['an empty object', {}, /tenantId is required/],
        ['a missing user', { tenantId: 'acme' }, /userId is required/],
        ['a number id', { tenantId: 'acme', userId: 7 }, /userId is invalid/],
        ['a string flag', { tenantId: 'acme', userId: 'alice', dryRun: 'yes' }, /dryRun is invalid/],
        [
          'an unknown field',
          { tenantId: 'acme', userId: 'alice', everything: true },
          /unknown field everything/,
        ],
        ['a nested id', { tenantId: { $gt: '' }, userId: 'alice' }, /tenantId is invalid/],
      ];
      for (const [what, json] of cases)
        await expectError(
          what,
          () => call(h.urls.syncNow, { method: 'POST', json, apiKey: seed.apiKey }),
          400,
          'bad-request',
          cases.find((c) => c[0] === what)![2],
        );
      await expectError(
        'an empty body',
        () => post(h.urls.syncNow, ''),
        400,
        'bad-request',
        /body is required/,
      );
    });

    it('answers 413 for a body over 16 KB', async () => {
      const json = { tenantId: 'acme', userId: 'alice', pad: 'x'.repeat(17 * 1024) };
      await expectError(
        '17 KB',
        () => call(h.urls.syncNow, { method: 'POST', json, apiKey: seed.apiKey }),
        413,
        'payload-too-large',
      );
      await expectError(
        '2 MB',
        () =>
          call(h.urls.oauthStart, {
            method: 'POST',
            json: { ...json, pad: 'x'.repeat(2 << 20) },
            apiKey: seed.apiKey,
          }),
        413,
        'payload-too-large',
      );
    });

    it('validates settings: interval 5-1440, a known policy, booleans', async () => {
      const url = `${h.urls.syncSettings}?tenantId=acme&userId=alice`;
      const good = { crmGroupId: folder, intervalMinutes: 30, policy: 'crm-wins', enabled: true };
      for (const [what, json] of [
        ['interval 4', { ...good, intervalMinutes: 4 }],
        ['interval 1441', { ...good, intervalMinutes: 1441 }],
        ['interval 7.5', { ...good, intervalMinutes: 7.5 }],
        ['interval "30"', { ...good, intervalMinutes: '30' }],
        ['policy', { ...good, policy: 'oldest-wins' }],
        ['enabled', { ...good, enabled: 'true' }],
        ['no group', { ...good, crmGroupId: undefined }],
      ] as const)
        await expectError(
          what,
          () => call(url, { method: 'PUT', json, apiKey: seed.apiKey }),
          400,
          'bad-request',
        );
      for (const [what, crmGroupId, message] of [
        ['unknown group', '9dc5f6e6-0000-0000-0000-00000000beef', /no such CRM group/],
        ['not a GUID', 'sales', /no such CRM group/],
        ['dynamic group', h.createFolder('Filter', true), /not static/],
      ] as const)
        await expectError(
          what,
          () => call(url, { method: 'PUT', json: { ...good, crmGroupId }, apiKey: seed.apiKey }),
          400,
          'validation',
          message,
        );
      // The tenant ticks every 15 minutes: a 10-minute interval would silently run every 15.
      await expectError(
        'interval under the tick',
        () => call(url, { method: 'PUT', json: { ...good, intervalMinutes: 10 }, apiKey: seed.apiKey }),
        400,
        'validation',
        /ticks every 15 minutes; the smallest interval it allows is 15/,
      );
      const saved = await call(url, { method: 'PUT', json: good, apiKey: seed.apiKey });
      assert.equal(saved.status, 200, saved.text);
      assert.deepEqual(saved.json, good);
      assert.deepEqual((await call(url, { apiKey: seed.apiKey })).json, good);
    });
  });

  describe('ids and query strings', () => {
    const badIds = [
      '',
      '.',
      '..',
      'a/b',
      'a b',
      'ä',
      'x'.repeat(129),
      '../tenants',
      'a%2Fb',
      '__proto__/x',
      // Reserved by Firestore: an id that starts and ends with __.
      '__x__',
      '____',
      '__.__',
    ];

    it('refuses ids outside [A-Za-z0-9._@-]{1,128}, . and .., and ids Firestore reserves (__x__)', async () => {
      for (const id of badIds) {
        await expectError(
          `tenant ${JSON.stringify(id)}`,
          () =>
            call(h.urls.syncNow, {
              method: 'POST',
              json: { tenantId: id, userId: 'alice' },
              apiKey: seed.apiKey,
            }),
          400,
          'bad-request',
        );
        await expectError(
          `user ${JSON.stringify(id)}`,
          () =>
            call(`${h.urls.syncStatus}?tenantId=acme&userId=${encodeURIComponent(id)}`, {
              apiKey: seed.apiKey,
            }),
          400,
          'bad-request',
        );
      }
      for (const field of ['tenantId', 'userId', 'crmGroupId'])
        await expectError(
          `oauthStart ${field} __x__`,
          () =>
            call(h.urls.oauthStart, {
              method: 'POST',
              json: { tenantId: 'acme', userId: 'bob', crmGroupId: folder, [field]: '__x__' },
              apiKey: seed.apiKey,
            }),
          400,
          'bad-request',
          new RegExp(`${field} is invalid`),
        );
      await expectError(
        'syncSettings PUT crmGroupId __x__',
        () =>
          call(`${h.urls.syncSettings}?tenantId=acme&userId=alice`, {
            method: 'PUT',
            json: { crmGroupId: '__x__', intervalMinutes: 15, policy: 'newest-wins', enabled: true },
            apiKey: seed.apiKey,
          }),
        400,
        'bad-request',
      );
      const ok = await call(`${h.urls.syncStatus}?tenantId=acme&userId=${'x'.repeat(128)}`, {
        apiKey: seed.apiKey,
      });
      assert.equal(ok.status, 404, 'a well-formed unknown id is simply not found');
    });

    it('refuses repeated, nested and unknown query parameters', async () => {
      for (const q of [
        'tenantId=acme&tenantId=globex&userId=alice',
        'tenantId[x]=acme&userId=alice',
        'tenantId=acme&userId=alice&debug=1',
        'tenantId=acme',
      ])
        await expectError(
          q,
          () => call(`${h.urls.syncStatus}?${q}`, { apiKey: seed.apiKey }),
          400,
          'bad-request',
        );
    });

    it('refuses an unknown run id with 404', async () => {
      await expectError(
        'run',
        () => call(`${h.urls.syncStatus}?tenantId=acme&userId=alice&runId=nope`, { apiKey: seed.apiKey }),
        404,
        'not-found',
        /no such run/,
      );
    });
  });
});
