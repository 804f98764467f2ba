// Transient failures: 5xx, 429 and slow answers are retried with bounded exponential backoff;
// errors map to the product's kinds; Creatio's own messages never reach ours.
import assert from 'node:assert/strict';
import { SyncError } from '../../../../shared/errors.js';
import { validateFolder } from '../../../../shared/adapters/creatio/index.js';
import { contact, startEnv, useEnv } from './helpers.js';

const kind = (k: string) => (err: unknown) => err instanceof SyncError && err.kind === k;

describe('Creatio side: faults and retries', function () {
  this.timeout(60_000);
  const env = useEnv();

  for (const status of [500, 502, 503] as const)
    it(`a ${status} on a plain request is retried with growing waits, then the call goes through`, async () => {
      const { e } = env;
      e.s.faults.add({ match: { method: 'GET', path: '/0/odata/ContactInFolder' }, status, times: 2 });
      const ch = await e.side().readChanges(null, { full: false });
      assert.equal(ch.complete, true);
      assert.deepEqual(e.waits, [250, 500]);
    });

  it('a lasting 503 fails as unavailable after a bounded number of tries', async () => {
    const { e } = env;
    e.s.faults.add({
      match: { method: 'GET', path: '/0/odata/ContactInFolder' },
      status: 503,
      times: Infinity,
    });
    e.s.resetStats();
    await assert.rejects(e.side().readChanges(null, { full: false }), kind('unavailable'));
    assert.deepEqual(e.waits, [250, 500, 1000]);
    assert.equal(e.s.stats().faultsInjected, 4);
  });

  it('the wait budget bounds retries as well as the number of tries', async () => {
    const { e } = env;
    e.s.faults.add({
      match: { method: 'GET', path: '/0/odata/ContactInFolder' },
      status: 503,
      times: Infinity,
    });
    await assert.rejects(
      e.side({ retry: { attempts: 10, budgetMs: 1_000 } }).readChanges(null, { full: false }),
      kind('unavailable'),
    );
    assert.ok(e.waits.reduce((a, b) => a + b, 0) <= 1_000);
  });

  it('a slow answer times out and is retried', async () => {
    const { e } = env;
    e.s.faults.add({ match: { method: 'GET', path: '/0/odata/ContactInFolder' }, delayMs: 600, times: 1 });
    const ch = await e.side({ timeoutMs: 200 }).readChanges(null, { full: false });
    assert.equal(ch.complete, true);
    assert.deepEqual(e.waits, [250]);
  });

  it('a connection that cannot be made is unavailable, without leaking details', async () => {
    const { e } = env;
    const side = e.side({ baseUrl: 'http://127.0.0.1:1' });
    await assert.rejects(side.readChanges(null, { full: false }), (err: unknown) => {
      assert.ok(kind('unavailable')(err));
      assert.equal((err as Error).message, 'Creatio could not be reached');
      return true;
    });
  });

  it('429 (daily limit in reject mode) is throttled after bounded retries', async () => {
    const e = await startEnv({ dailyCallLimit: 0, dailyCallLimitMode: 'reject' });
    try {
      await assert.rejects(e.side().readChanges(null, { full: false }), kind('throttled'));
      assert.equal(e.waits.length, 3);
    } finally {
      await e.s.close();
    }
  });

  it('a 5xx on the whole batch of a create is retried without duplicating anything', async () => {
    const { e } = env;
    e.s.faults.add({ match: { method: 'POST', path: '/0/odata/$batch' }, status: 502, times: 1 });
    const id = 'a4a4a4a4-0000-4000-8000-000000000001';
    const r = (
      await e.side().create([
        {
          key: 'k',
          id,
          marker: null,
          contact: contact({ givenName: 'Ann', emails: [{ address: 'a@x.com', type: 'work' }] }),
        },
      ])
    ).get('k')!;
    assert.ok(r.ok);
    assert.equal(e.s.ui.rows('Contact', `$filter=Id eq ${id}`).length, 1);
    assert.equal(e.s.ui.rows('ContactCommunication', `$filter=ContactId eq ${id}`).length, 1);
  });

  it('a sub-request refused with 400 fails its item as validation; the message keeps Creatio text out', async () => {
    const { e } = env;
    const side = e.side({
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (!String(input).endsWith('$batch') || !String(init?.body).includes('"url":"Contact"')) return res;
        const body = (await res.json()) as { responses: { id: string; status: number; body?: unknown }[] };
        body.responses[0] = {
          ...body.responses[0]!,
          status: 400,
          body: { error: { code: '', message: 'Value ann@secret.example is not valid' } },
        };
        return new Response(JSON.stringify(body), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        });
      },
    });
    const r = (
      await side.create([
        {
          key: 'k',
          id: 'a4a4a4a4-0000-4000-8000-000000000002',
          marker: null,
          contact: contact({ givenName: 'Ann' }),
        },
      ])
    ).get('k')!;
    assert.equal(r.ok, false);
    const err = (r as { error: { kind: string; message: string } }).error;
    assert.equal(err.kind, 'validation');
    assert.ok(!err.message.includes('secret'));
  });

  it('an answer that is not the expected shape is bad-response', async () => {
    const { e } = env;
    const side = e.side({
      fetch: async (input, init) =>
        String(input).includes('ContactInFolder')
          ? new Response(JSON.stringify({ value: [{ Id: 'not-a-guid' }] }), {
              status: 200,
              headers: { 'Content-Type': 'application/json' },
            })
          : fetch(input, init),
    });
    await assert.rejects(side.readChanges(null, { full: false }), kind('bad-response'));
  });
});

describe('Creatio: validating the group a user picks', () => {
  const env = useEnv();
  const conn = () => ({
    baseUrl: env.e.s.url,
    auth: { mode: 'cookie' as const, userName: 'Supervisor', password: 'Supervisor' },
    clock: env.e.clock,
  });

  it('ok for a static folder, not-static for a dynamic one, not-found for a missing or malformed id', async () => {
    const { e } = env;
    const dynamic = e.s.ui.createFolder({ name: 'Active', dynamic: true }).Id as string;
    assert.equal(await validateFolder(conn(), e.folderId), 'ok');
    assert.equal(await e.side().validateFolder(e.folderId), 'ok');
    assert.equal(await validateFolder(conn(), dynamic), 'not-static');
    assert.equal(await validateFolder(conn(), 'c0ffee00-0000-4000-8000-000000000000'), 'not-found');
    assert.equal(await validateFolder(conn(), "x' or 1 eq 1"), 'not-found');
  });

  it('a side cannot be built for a group id that is not a GUID', () => {
    assert.throws(() => env.e.side({ folderId: 'nope' }), kind('config'));
  });
});
