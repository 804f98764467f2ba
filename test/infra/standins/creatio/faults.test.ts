import assert from 'node:assert/strict';
import { RAM_LIMIT_PREFIX, startCreatioStandin } from '../../../../infra/standins/creatio/index.js';
import { login, odata, start, supervisor, type OData, type Started } from './helpers.js';

describe('Creatio stand-in: faults, limits and counters (reference §3, §8, §9)', () => {
  let t: Started;
  let api: OData;
  afterEach(async () => t.s.close());

  describe('with defaults', () => {
    beforeEach(async () => {
      t = await start();
      api = await supervisor(t.s);
    });

    it('§3 an injected RAM-limit fault answers 500 whose message begins with the documented text', async () => {
      t.s.faults.add({ match: { method: 'GET', path: '/0/odata/Contact' }, ramLimit: true });
      const r = await api.get('Contact');
      assert.equal(r.status, 500);
      assert.ok(r.json.error.message.startsWith(`${RAM_LIMIT_PREFIX} 512 MB`));
      assert.ok(r.json.error.innererror.message.startsWith(RAM_LIMIT_PREFIX));
      assert.equal((await api.get('Contact')).status, 200, 'times defaults to 1');
    });

    it('§8 an injected 500/502/503 answers that status for `times` matching requests, then recovers', async () => {
      const h = t.s.faults.add({ match: { path: /\/Contact\b/ }, status: 503, times: 2 });
      assert.equal((await api.get('Contact?$top=1')).status, 503);
      assert.equal((await api.get('ContactFolder?$top=1')).status, 200, 'other paths are untouched');
      assert.equal((await api.get('Contact?$top=1')).status, 503);
      assert.equal(h.remaining(), 0);
      assert.equal((await api.get('Contact?$top=1')).status, 200);
      t.s.faults.add({ status: 502 });
      const bad = await api.get('Contact?$top=1');
      assert.equal(bad.status, 502);
      assert.match(bad.headers.get('content-type')!, /html/);
      t.s.faults.add({ status: 500 });
      const err = await api.get('Contact?$top=1');
      assert.equal(err.status, 500);
      assert.equal(typeof err.json.error.message, 'string');
      assert.equal(t.s.stats().faultsInjected, 4);
    });

    it('§8 a fault that matches a $batch sub-request fails that sub-request only', async () => {
      t.s.faults.add({ match: { method: 'POST', path: '/0/odata/ContactInFolder' }, status: 500 });
      const r = await api.batch(
        [
          { id: '1', method: 'GET', url: 'Contact?$top=1' },
          { id: '2', method: 'POST', url: 'ContactInFolder', body: {} },
          { id: '3', method: 'GET', url: 'Contact?$top=1' },
        ],
        'continue-on-error',
      );
      assert.deepEqual(
        r.json.responses.map((x: { status: number }) => x.status),
        [200, 500, 200],
      );
    });

    it('§8 a delay fault makes the answer slow', async () => {
      t.s.faults.add({ match: { path: '/0/odata/Contact' }, delayMs: 150 });
      const t0 = performance.now();
      assert.equal((await api.get('Contact?$top=1')).status, 200);
      assert.ok(performance.now() - t0 >= 140);
    });

    it('§2.1 an expireSessions fault makes that request see an expired login', async () => {
      t.s.faults.add({ expireSessions: true });
      assert.equal((await api.get('Contact?$top=1')).status, 401);
    });

    it('§8 stats() counts requests by kind and resetStats() clears them', async () => {
      await api.get('Contact?$top=1');
      await api.get('ContactInFolder?$top=1');
      await api.post('Contact', { Name: 'x' });
      await odata(t.s, undefined).get('Contact');
      const s = t.s.stats();
      assert.equal(s.login, 1);
      assert.equal(s.odata.get.Contact, 1);
      assert.equal(s.odata.get.ContactInFolder, 1);
      assert.equal(s.odata.post.Contact, 1);
      assert.equal(s.unauthorized, 1);
      assert.equal(s.apiCalls, 3);
      assert.equal(s.total, 5);
      t.s.resetStats();
      assert.equal(t.s.stats().total, 0);
      assert.equal(t.s.stats().daily.calls, 3, 'the daily counter is server state and survives resetStats');
    });
  });

  it('§3 a query whose reply would exceed ramLimitRows answers the RAM-limit 500', async () => {
    t = await start({ ramLimitRows: 3, ramLimitMb: 256 });
    api = await supervisor(t.s);
    for (let i = 0; i < 5; i++) t.s.ui.createContact({ Name: `R${i}` });
    const r = await api.get('Contact');
    assert.equal(r.status, 500);
    assert.ok(r.json.error.message.startsWith(`${RAM_LIMIT_PREFIX} 256 MB`));
    assert.equal((await api.get('Contact?$top=3')).status, 200, 'a smaller $top stays under the limit');
  });

  it('§8 latencyMs is added to every request', async () => {
    t = await start({ latencyMs: 80 });
    const t0 = performance.now();
    await login(t.s);
    assert.ok(performance.now() - t0 >= 75);
  });

  it('§8 the daily call counter counts each sub-request and resets at 00:00 UTC; the soft cap does not refuse', async () => {
    t = await start({ dailyCallLimit: 3 });
    api = await supervisor(t.s);
    await api.batch([1, 2, 3].map((i) => ({ id: String(i), method: 'GET', url: 'Contact?$top=1' })));
    assert.equal((await api.get('Contact?$top=1')).status, 200);
    const s = t.s.stats().daily;
    assert.deepEqual([s.calls, s.limit, s.overLimit], [4, 3, true]);
    t.clock.advance(15 * 3_600_000 + 1);
    assert.equal(t.s.stats().daily.calls, 0);
  });

  it('§8 (assumption) with dailyCallLimitMode "reject" calls past the limit answer 429', async () => {
    t = await start({ dailyCallLimit: 1, dailyCallLimitMode: 'reject' });
    api = await supervisor(t.s);
    assert.equal((await api.get('Contact?$top=1')).status, 200);
    assert.equal((await api.get('Contact?$top=1')).status, 429);
    const r = await api.batch([{ id: '1', method: 'GET', url: 'Contact?$top=1' }]);
    assert.equal(r.json.responses[0].status, 429);
  });

  it('§2.1 defaults: Supervisor/Supervisor on 127.0.0.1, and advance() moves the default clock', async () => {
    const s = await startCreatioStandin();
    t = { s, clock: undefined as never };
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(s.odataUrl, `${s.url}/0/odata`);
    assert.equal((await odata(s, await login(s)).get('Contact?$top=1')).status, 200);
    const before = s.clock.now();
    s.clock.advance(61 * 60_000);
    assert.ok(s.clock.now() - before >= 61 * 60_000);
  });
});
