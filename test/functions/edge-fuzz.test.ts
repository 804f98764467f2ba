// A property of the whole HTTP edge: whatever arrives (any method, headers, content type, encoding,
// size, ids, nested JSON, with or without a valid key), every function answers either a success or a
// 4xx error (JSON, or a page for a browser step that did not ask for JSON), never a 5xx, and a refused
// request writes nothing and publishes nothing. Bounded: EDGE_FUZZ_RUNS requests (default 60).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { FunctionName } from '../../functions/index.js';
import type { Harness, TenantSeed } from './harness.js';
import { RecordingQueue, connectUser, snapshotDocuments, startHarness } from './harness.js';

const RUNS = Number(process.env.EDGE_FUZZ_RUNS ?? 60);

interface Reply {
  status: number;
  type: string;
  text: string;
}

function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: Buffer | null,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, signal: AbortSignal.timeout(30_000) }, (res) => {
      let text = '';
      res.on('data', (b: Buffer) => (text += b.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', text }),
      );
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? undefined : reject(e)));
    // A declared length, so a GET with a body is framed as one request (Node would not chunk it).
    if (body !== null) req.setHeader('content-length', body.length);
    req.end(body ?? undefined);
  });
}

const ids = fc.oneof(
  fc.constantFrom('acme', 'alice', 'other', '__x__', '.', '..', 'a/b', '', 'x'.repeat(129), 'ä', '%2F'),
  fc.string({ maxLength: 20 }),
);

const jsonBody = fc.oneof(
  fc.record(
    {
      tenantId: ids,
      userId: ids,
      crmGroupId: ids,
      dryRun: fc.jsonValue({ maxDepth: 2 }),
      intervalMinutes: fc.oneof(fc.integer(), fc.double()),
      policy: fc.constantFrom('newest-wins', 'crm-wins', 'x'),
      enabled: fc.jsonValue({ maxDepth: 1 }),
      message: fc.record({
        data: fc.oneof(fc.base64String({ maxLength: 200 }), fc.string()),
        messageId: fc.string(),
      }),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 6 }),
);

/** Deeply nested JSON, as an attacker would send it (made as text: too deep for JSON.stringify). */
const nested = fc
  .tuple(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom(['[', ']'], ['{"a":', '}']))
  .map(([n, [open, close]]) => Buffer.from(`${open!.repeat(n)}1${close!.repeat(n)}`));

const bodyBytes = fc.oneof(
  { weight: 4, arbitrary: jsonBody.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 200_000 }).map((n) => Buffer.alloc(n, 0x7b)) },
  { weight: 1, arbitrary: nested },
  { weight: 1, arbitrary: jsonBody.map((v) => gzipSync(JSON.stringify(v) ?? 'null')) },
);

describe('functions: the HTTP edge under random requests', function () {
  this.timeout(600_000);
  let h: Harness;
  let seed: TenantSeed;
  const queue = new RecordingQueue();

  before(async () => {
    h = await startHarness({ queue });
    seed = await h.seedTenant('acme');
    await connectUser(h, seed, 'alice', h.createFolder('Sales'));
  });
  after(() => h?.close());

  it('answers every request with a success or a 4xx error, never a 5xx, and writes nothing when refusing', async () => {
    const names: FunctionName[] = [
      'syncNow',
      'syncStatus',
      'syncSettings',
      'oauthStart',
      'oauthCallback',
      'syncUser',
      'tickTenant',
    ];
    const requestArb = fc.record({
      fn: fc.constantFrom(...names),
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
      query: fc.array(
        fc.tuple(
          fc.constantFrom('tenantId', 'userId', 'runId', 'ticket', 'state', 'code', 'error', 'x'),
          ids,
        ),
        {
          maxLength: 4,
        },
      ),
      contentType: fc.option(
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-16',
          'application/cloudevents+json',
          'application/x-www-form-urlencoded',
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/octet-stream',
          'nonsense',
        ),
      ),
      encoding: fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip')),
      accept: fc.option(fc.constantFrom('application/json', 'text/html', '*/*')),
      key: fc.constantFrom('valid', 'wrong', 'none', 'malformed'),
      extra: fc.option(fc.constantFrom('origin', 'cookie', 'ce-headers')),
      body: fc.option(bodyBytes),
    });

    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const headers: Record<string, string> = {};
        if (r.contentType !== null) headers['content-type'] = r.contentType;
        if (r.encoding !== null) headers['content-encoding'] = r.encoding;
        if (r.accept !== null) headers.accept = r.accept;
        if (r.key === 'valid') headers.authorization = `Bearer ${seed.apiKey}`;
        if (r.key === 'wrong') headers.authorization = 'Bearer not-the-key';
        if (r.key === 'malformed') headers.authorization = 'Basic \u00ff';
        if (r.extra === 'origin') headers.origin = 'https://evil.example';
        if (r.extra === 'cookie') headers.cookie = 'contact_sync_consent=x; contact_sync_consent=y';
        if (r.extra === 'ce-headers')
          Object.assign(headers, { 'ce-type': 'x', 'ce-specversion': '1.0', 'ce-source': 's', 'ce-id': '1' });
        const query = new URLSearchParams(r.query).toString();
        const url = `${h.urls[r.fn]}/${query ? `?${query}` : ''}`;
        const before = await snapshotDocuments(h.db);
        const published = queue.sent.length;
        const reply = await send(url, r.method, headers, r.body);
        const what = `${r.method} ${r.fn} -> ${reply.status} ${reply.text.slice(0, 200)}`;
        assert.ok(reply.status >= 200 && reply.status < 500, what);
        if (reply.status < 400) return;
        if (r.method !== 'HEAD') {
          if (/application\/json/.test(reply.type)) {
            const body = JSON.parse(reply.text) as { error?: { code?: unknown; message?: unknown } };
            assert.equal(typeof body.error?.code, 'string', what);
            assert.equal(typeof body.error?.message, 'string', what);
          } else {
            // A person's browser on a connect step gets a page instead.
            assert.match(reply.type, /text\/html/, what);
            assert.ok(r.fn === 'oauthStart' || r.fn === 'oauthCallback', what);
            assert.notEqual(r.accept, 'application/json', what);
          }
        }
        assert.deepEqual(await snapshotDocuments(h.db), before, `${what}: nothing written`);
        assert.equal(queue.sent.length, published, `${what}: nothing published`);
      }),
      { numRuns: RUNS, seed: process.env.EDGE_FUZZ_SEED ? Number(process.env.EDGE_FUZZ_SEED) : undefined },
    );
  });
});
