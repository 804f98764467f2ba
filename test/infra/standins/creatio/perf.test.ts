import assert from 'node:assert/strict';
import { seedContacts } from '../../../../infra/standins/creatio/index.js';
import { filter, start, supervisor, type OData, type Started } from './helpers.js';

// Loose wall-clock bounds: they catch accidental O(n²) work, not small regressions.
const N = 25_000;

describe('Creatio stand-in: volume (25,000 contacts; reference §3, §8)', function () {
  this.timeout(120_000);
  let t: Started;
  let api: OData;
  let folderId: string;
  let seedMs: number;

  before(async () => {
    t = await start();
    api = await supervisor(t.s);
    folderId = t.s.ui.createFolder({ name: 'Big' }).Id as string;
    const t0 = performance.now();
    seedContacts(t.s.ui, { count: N, folderId, communications: true });
    seedMs = performance.now() - t0;
    t.clock.advance(60_000);
    for (let i = 0; i < 10; i++)
      t.s.ui.updateContact(
        t.s.ui.rows('Contact', `$filter=GivenName eq 'Bulk${i * 1000}'`)[0]!.Id as string,
        { JobTitle: 'Changed' },
      );
  });
  after(async () => t.s.close());

  it('seeds 25,000 contacts with communications and memberships without quadratic work', () => {
    assert.equal(t.s.ui.count('ContactCommunication'), 2 * N + 0);
    assert.equal(t.s.ui.count('ContactInFolder'), N);
    assert.ok(seedMs < 30_000, `seeding took ${Math.round(seedMs)} ms`);
  });

  it('§3 a $filter on FolderId answers from an index', async () => {
    const t0 = performance.now();
    const r = await api.get(
      `ContactInFolder?${filter(`FolderId eq ${folderId}`)}&$select=ContactId&$count=true&$top=10`,
    );
    assert.equal(r.json['@odata.count'], N);
    assert.ok(performance.now() - t0 < 2_000);
  });

  it('§3 a $filter on ModifiedOn for recent changes answers from an index', async () => {
    const since = new Date(t.clock.now() - 1).toISOString();
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) {
      const r = await api.get(
        `Contact?${filter(`ModifiedOn ge ${since}`)}&$orderby=ModifiedOn,Id&$select=Id`,
      );
      assert.equal(r.json.value.length, 10);
    }
    assert.ok(performance.now() - t0 < 5_000, '200 incremental polls');
  });

  it('§3 per-contact lookups of ContactCommunication by ContactId stay fast (no scan per query)', async () => {
    const ids = t.s.ui.rows('Contact', '$top=300&$select=Id').map((r) => r.Id as string);
    const t0 = performance.now();
    for (const id of ids) {
      const r = await api.get(`ContactCommunication?${filter(`ContactId eq ${id}`)}&$select=Number`);
      assert.equal(r.status, 200);
    }
    assert.ok(performance.now() - t0 < 5_000);
  });

  it('§3 listing pages of 20,000 is fast, and the default cap is 20,000 with no nextLink', async () => {
    const t0 = performance.now();
    const first = await api.get('Contact?$orderby=ModifiedOn,Id&$count=true');
    assert.equal(first.json.value.length, 20_000);
    assert.equal(first.json['@odata.nextLink'], undefined);
    assert.equal(first.json['@odata.count'], N + 1);
    const second = await api.get(
      'Contact?$orderby=ModifiedOn,Id&$skip=20000&$top=20000&$select=Id,Name,Email,ModifiedOn',
    );
    assert.equal(second.json.value.length, N + 1 - 20_000);
    assert.ok(performance.now() - t0 < 10_000, `two pages took ${Math.round(performance.now() - t0)} ms`);
  });

  it('§4 a batch of 100 membership lookups is fast', async () => {
    const ids = t.s.ui.rows('Contact', '$top=100&$skip=5000&$select=Id').map((r) => r.Id as string);
    const t0 = performance.now();
    const r = await api.batch(
      ids.map((id, i) => ({
        id: String(i),
        method: 'GET',
        url: `ContactInFolder?$filter=ContactId eq ${id} and FolderId eq ${folderId}`,
      })),
    );
    assert.ok(
      r.json.responses.every(
        (x: { status: number; body: { value: unknown[] } }) => x.status === 200 && x.body.value.length === 1,
      ),
    );
    assert.ok(performance.now() - t0 < 2_000);
  });

  it('§6.4 deleting the folder with 25,000 memberships is not quadratic', async () => {
    const t0 = performance.now();
    assert.equal((await api.del(`ContactFolder(${folderId})`)).status, 204);
    assert.equal(t.s.ui.count('ContactInFolder'), 0);
    assert.ok(performance.now() - t0 < 5_000);
  });
});
