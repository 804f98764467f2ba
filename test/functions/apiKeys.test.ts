// Tenant API keys: a key opens its own tenant only. Wrong, missing and other tenants' keys are refused
// alike, an unknown tenant answers exactly as a known one with a wrong key, and nothing is written.
import assert from 'node:assert/strict';
import { hashApiKey } from '../../shared/apiKeys.js';
import type { Harness, TenantSeed } from './harness.js';
import { call, connectUser, snapshotDocuments, startHarness } from './harness.js';

describe('functions: tenant API keys', function () {
  this.timeout(120_000);
  let h: Harness;
  let acme: TenantSeed;
  let globex: TenantSeed;
  let folder: string;

  before(async () => {
    h = await startHarness();
    acme = await h.seedTenant('acme');
    globex = await h.seedTenant('globex');
    folder = h.createFolder('Sales');
    await connectUser(h, acme, 'alice', folder);
    await connectUser(h, globex, 'bob', folder);
  });
  after(() => h?.close());

  /** Every API-key endpoint, asked about `tenantId`/`userId`. */
  const endpoints = (tenantId: string, userId: string) => [
    { name: 'syncNow', url: h.urls.syncNow, method: 'POST', json: { tenantId, userId } },
    {
      name: 'syncNow dry run',
      url: h.urls.syncNow,
      method: 'POST',
      json: { tenantId, userId, dryRun: true },
    },
    { name: 'syncStatus', url: `${h.urls.syncStatus}?tenantId=${tenantId}&userId=${userId}`, method: 'GET' },
    {
      name: 'syncStatus run',
      url: `${h.urls.syncStatus}?tenantId=${tenantId}&userId=${userId}&runId=r1`,
      method: 'GET',
    },
    {
      name: 'syncSettings GET',
      url: `${h.urls.syncSettings}?tenantId=${tenantId}&userId=${userId}`,
      method: 'GET',
    },
    {
      name: 'syncSettings PUT',
      url: `${h.urls.syncSettings}?tenantId=${tenantId}&userId=${userId}`,
      method: 'PUT',
      json: { crmGroupId: folder, intervalMinutes: 30, policy: 'crm-wins', enabled: false },
    },
    {
      name: 'oauthStart',
      url: h.urls.oauthStart,
      method: 'POST',
      json: { tenantId, userId, crmGroupId: folder },
    },
  ];

  const cases: { what: string; key: () => string | undefined; header?: () => string }[] = [
    { what: 'no key', key: () => undefined },
    { what: 'a wrong key', key: () => 'not-the-key' },
    { what: "another tenant's key", key: () => globex.apiKey },
    {
      what: "the key's digest instead of the key",
      key: () => undefined,
      header: () => `Bearer ${'0'.repeat(64)}`,
    },
    {
      what: 'a Basic header',
      key: () => undefined,
      header: () => `Basic ${Buffer.from(`acme:${acme.apiKey}`).toString('base64')}`,
    },
    { what: 'the key without the Bearer scheme', key: () => undefined, header: () => acme.apiKey },
  ];

  for (const c of cases)
    it(`${c.what} opens nothing, and nothing is written`, async () => {
      for (const e of endpoints('acme', 'alice')) {
        const before = await snapshotDocuments(h.db);
        const r = await call(e.url, {
          method: e.method,
          ...(e.json ? { json: e.json } : {}),
          ...(c.key() !== undefined ? { apiKey: c.key() } : {}),
          ...(c.header ? { headers: { authorization: c.header() } } : {}),
        });
        assert.equal(r.status, 401, `${e.name}: ${r.text}`);
        assert.equal(r.headers.get('www-authenticate'), 'Bearer');
        assert.equal((r.json as { error: { code: string } }).error.code, 'auth', e.name);
        assert.deepEqual(await snapshotDocuments(h.db), before, `${e.name} wrote nothing`);
      }
    });

  it('an unknown tenant answers exactly like a known tenant with a wrong key', async () => {
    const unknowns = endpoints('initech', 'alice');
    for (const [i, known] of endpoints('acme', 'alice').entries()) {
      const unknown = unknowns[i]!;
      const a = await call(known.url, {
        method: known.method,
        ...(known.json ? { json: known.json } : {}),
        apiKey: 'guess',
      });
      const b = await call(unknown.url, {
        method: unknown.method,
        ...(unknown.json ? { json: unknown.json } : {}),
        apiKey: 'guess',
      });
      assert.equal(a.status, b.status, known.name);
      assert.equal(a.text, b.text, known.name);
    }
  });

  it("a tenant's own key does not reach another tenant's user", async () => {
    for (const e of endpoints('globex', 'bob')) {
      const r = await call(e.url, {
        method: e.method,
        ...(e.json ? { json: e.json } : {}),
        apiKey: acme.apiKey,
      });
      assert.equal(r.status, 401, e.name);
    }
    // ...while asking its own tenant about that user id learns only that its own tenant has no such user.
    const own = await call(`${h.urls.syncStatus}?tenantId=acme&userId=bob`, { apiKey: acme.apiKey });
    assert.equal(own.status, 404);
    assert.deepEqual(own.json, { error: { code: 'not-found', message: 'no such connection' } });
  });

  it('the right key opens its tenant', async () => {
    const r = await call(`${h.urls.syncStatus}?tenantId=acme&userId=alice`, { apiKey: acme.apiKey });
    assert.equal(r.status, 200, r.text);
    assert.equal((r.json as { googleEmail: string }).googleEmail, 'demo.user@example.com');
  });

  it('no API key or its digest appears in the logs', () => {
    const logged = JSON.stringify(h.logs);
    for (const key of [acme.apiKey, globex.apiKey]) {
      assert.ok(!logged.includes(key));
      assert.ok(!logged.includes(hashApiKey(key)));
    }
    assert.ok(!logged.includes('demo.user@example.com'), 'no email address is logged');
    assert.ok(!logged.includes('alice'), 'user ids are logged only as a digest');
  });
});
