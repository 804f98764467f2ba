import assert from 'node:assert/strict';
import { RAM_LIMIT_PREFIX } from '../../../../infra/standins/creatio/index.js';
import { filter, start, supervisor, type OData, type Started } from './helpers.js';

describe('Creatio stand-in: $expand of lookups (reference §1, §3)', () => {
  let t: Started;
  let api: OData;
  let folderId: string;
  let ann: string;

  before(async () => {
    t = await start();
    api = await supervisor(t.s);
    const account = t.s.ui.insert('Account', { Name: 'Acme' });
    folderId = t.s.ui.createFolder({ name: 'Group' }).Id as string;
    ann = t.s.ui.createContact({ Name: 'Ann Able', Email: 'ann@example.com', AccountId: account.Id })
      .Id as string;
    const bob = t.s.ui.createContact({ Name: 'Bob Baker' }).Id as string;
    t.s.ui.addToFolder(folderId, ann);
    t.s.ui.addToFolder(folderId, bob);
  });
  after(async () => t.s.close());

  const members = (options: string) =>
    api.get(`ContactInFolder?${filter(`FolderId eq ${folderId}`)}&$orderby=CreatedOn&${options}`);

  it('§1 a lookup navigation comes inline as an object, with the nested $select honoured', async () => {
    const r = await members('$select=Id,ContactId&$expand=Contact($select=Id,Name,Email)');
    assert.equal(r.status, 200);
    const [first] = r.json.value as Record<string, unknown>[];
    assert.deepEqual(Object.keys(first!).sort(), ['Contact', 'ContactId', 'Id']);
    assert.deepEqual(first!.Contact, { Id: ann, Name: 'Ann Able', Email: 'ann@example.com' });
    assert.match(r.json['@odata.context'], /#ContactInFolder\(Id,ContactId,Contact\(Id,Name,Email\)\)$/);
  });

  it('§1 without a nested $select the whole related entity comes; nested $expand reaches its lookups', async () => {
    const r = await members('$select=Id&$expand=Contact($select=Name;$expand=Account($select=Name))');
    const [first, second] = r.json.value as { Contact: { Name: string; Account: unknown } }[];
    assert.deepEqual(first!.Contact, { Name: 'Ann Able', Account: { Name: 'Acme' } });
    assert.equal(second!.Contact.Account, null, 'an empty lookup expands to null');
    const whole = await members('$top=1&$expand=Contact');
    assert.equal((whole.json.value[0].Contact as { Email: string }).Email, 'ann@example.com');
    assert.ok('ModifiedOn' in whole.json.value[0].Contact);
  });

  it('§1 a single entity takes $expand too', async () => {
    const r = await api.get(`Contact(${ann})?$select=Name&$expand=Account($select=Name)`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.Account, { Name: 'Acme' });
  });

  it('an unknown navigation is a 400 naming it; an option inside an expansion the stand-in lacks is a 501', async () => {
    const bad = await members('$expand=Nobody');
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /Nobody/);
    const badSelect = await members('$expand=Contact($select=Nope)');
    assert.equal(badSelect.status, 400);
    assert.match(badSelect.json.error.message, /Nope/);
    const top = await members('$expand=Contact($top=1)');
    assert.equal(top.status, 501);
  });

  it('§3 $top/$skip page expanded rows under the same reply cap', async () => {
    const a = await members('$top=1&$skip=1&$count=true&$select=Id&$expand=Contact($select=Name)');
    assert.equal(a.json['@odata.count'], 2);
    assert.deepEqual(
      a.json.value.map((v: { Contact: { Name: string } }) => v.Contact.Name),
      ['Bob Baker'],
    );
  });

  describe('RAM limit', () => {
    let small: Started;
    after(async () => small?.s.close());

    it('§3 an expanded row weighs more: a page under the limit plain hits it expanded', async () => {
      small = await start({ ramLimitRows: 4, ramLimitMb: 128 });
      const a = await supervisor(small.s);
      const f = small.s.ui.createFolder({ name: 'G' }).Id as string;
      for (let i = 0; i < 3; i++)
        small.s.ui.addToFolder(f, small.s.ui.createContact({ Name: `R${i}` }).Id as string);
      const url = `ContactInFolder?${filter(`FolderId eq ${f}`)}&$select=Id`;
      assert.equal((await a.get(url)).status, 200);
      const r = await a.get(`${url}&$expand=Contact($select=Name)`);
      assert.equal(r.status, 500);
      assert.ok(r.json.error.message.startsWith(`${RAM_LIMIT_PREFIX} 128 MB`));
      assert.equal((await a.get(`${url}&$expand=Contact($select=Name)&$top=2`)).status, 200);
    });
  });
});
