import assert from 'node:assert/strict';
import { seedContacts } from '../../../../infra/standins/creatio/index.js';
import { filter, start, supervisor, type OData, type Started } from './helpers.js';

// Behaviour at volume only: how fast the stand-in answers is the benchmark's business (npm run bench),
// never a timed assertion that fails on a loaded machine.
const N = 25_000;

describe('Creatio stand-in: volume (25,000 contacts; reference §3, §8)', function () {
  this.timeout(120_000);
  let t: Started;
  let api: OData;
  let folderId: string;

  before(async () => {
    t = await start();
    api = await supervisor(t.s);
    folderId = t.s.ui.createFolder({ name: 'Big' }).Id as string;
    seedContacts(t.s.ui, { count: N, folderId, communications: true });
    t.clock.advance(60_000);
    for (let i = 0; i < 10; i++)
      t.s.ui.updateContact(
        t.s.ui.rows('Contact', `$filter=GivenName eq 'Bulk${i * 1000}'`)[0]!.Id as string,
        { JobTitle: 'Changed' },
      );
  });
  after(async () => t.s.close());

  it('seeds 25,000 contacts with communications and memberships', () => {
    assert.equal(t.s.ui.count('ContactCommunication'), 2 * N + 0);
    assert.equal(t.s.ui.count('ContactInFolder'), N);
  });

  it('§3 a $filter on FolderId', async () => {
    const r = await api.get(
      `ContactInFolder?${filter(`FolderId eq ${folderId}`)}&$select=ContactId&$count=true&$top=10`,
    );
    assert.equal(r.json['@odata.count'], N);
  });

  it('§3 a $filter on ModifiedOn for recent changes', async () => {
    const since = new Date(t.clock.now() - 1).toISOString();
    for (let i = 0; i < 200; i++) {
      const r = await api.get(
        `Contact?${filter(`ModifiedOn ge ${since}`)}&$orderby=ModifiedOn,Id&$select=Id`,
      );
      assert.equal(r.json.value.length, 10);
    }
  });

  it('§3 per-contact lookups of ContactCommunication by ContactId', async () => {
    const ids = t.s.ui.rows('Contact', '$top=300&$select=Id').map((r) => r.Id as string);
    for (const id of ids) {
      const r = await api.get(`ContactCommunication?${filter(`ContactId eq ${id}`)}&$select=Number`);
      assert.equal(r.status, 200);
    }
  });

  it('§3 listing pages of 20,000, and the default cap is 20,000 with no nextLink', async () => {
    const first = await api.get('Contact?$orderby=ModifiedOn,Id&$count=true');
    assert.equal(first.json.value.length, 20_000);
    assert.equal(first.json['@odata.nextLink'], undefined);
    assert.equal(first.json['@odata.count'], N + 1);
    const second = await api.get(
      'Contact?$orderby=ModifiedOn,Id&$skip=20000&$top=20000&$select=Id,Name,Email,ModifiedOn',
    );
    assert.equal(second.json.value.length, N + 1 - 20_000);
  });

  it('§4 a batch of 100 membership lookups', async () => {
    const ids = t.s.ui.rows('Contact', '$top=100&$skip=5000&$select=Id').map((r) => r.Id as string);
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
  });

  it('§6.4 deleting the folder with 25,000 memberships empties it', async () => {
    assert.equal((await api.del(`ContactFolder(${folderId})`)).status, 204);
    assert.equal(t.s.ui.count('ContactInFolder'), 0);
  });
});
