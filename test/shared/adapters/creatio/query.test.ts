// Escaping: user data is one literal in a $filter, whatever quotes, " and " or " or " it holds.
import assert from 'node:assert/strict';
import {
  anyOf,
  chunkForFilter,
  collectionUrl,
  guid,
  str,
} from '../../../../shared/adapters/creatio/query.js';
import { SyncError } from '../../../../shared/errors.js';
import { contact, useEnv } from './helpers.js';

const ID = '5e0c8a1f-9a7b-4c3d-8e2f-1a2b3c4d5e6f';
const NASTY = [
  "O'Brien",
  "Smith' or Name ne '",
  "Acme' and Name eq 'Acme",
  "x') or (Name ne 'x",
  '50% off & more #1 + co',
  "''",
];

describe('Creatio queries: escaping', () => {
  it('quotes strings with an inner quote doubled', () => {
    assert.equal(str("O'Brien"), "'O''Brien'");
    assert.equal(str("''"), "''''''");
    assert.equal(str('plain'), "'plain'");
  });

  it('accepts only GUIDs as GUID literals', () => {
    assert.equal(guid('5E0C8A1F-9A7B-4C3D-8E2F-1A2B3C4D5E6F'), ID);
    for (const bad of ["x' or 1 eq 1", `${ID} or Id ne null`, '', `(${ID})`])
      assert.throws(
        () => guid(bad),
        (e: unknown) => e instanceof SyncError && e.kind === 'bad-request',
      );
  });

  it('percent-encodes every option value, so & # + and spaces cannot break the query string', () => {
    const url = collectionUrl('Account', {
      filter: `Name eq ${str('a&b #c +d')}`,
      select: ['Id', 'Name'],
      top: 5,
    });
    assert.equal(url, "Account?$filter=Name%20eq%20'a%26b%20%23c%20%2Bd'&$select=Id,Name&$top=5");
    const q = new URLSearchParams(url.split('?')[1]);
    assert.equal(q.get('$filter'), "Name eq 'a&b #c +d'");
  });

  it('splits long or-filters within the budget; each part is a whole filter', () => {
    const ids = Array.from(
      { length: 250 },
      (_, i) => `5e0c8a1f-9a7b-4c3d-8e2f-${String(i).padStart(12, '0')}`,
    );
    const parts = chunkForFilter(ids, (id) => `Id eq ${id}`, 2000);
    assert.equal(parts.flat().length, 250);
    for (const p of parts) assert.ok(encodeURIComponent(anyOf('Id', p)).length <= 2000 + 20);
  });
});

describe('Creatio queries: user data cannot change a filter (against the stand-in)', () => {
  const env = useEnv();

  for (const [n, company] of NASTY.entries())
    it(`a company named ${JSON.stringify(company)} finds or creates exactly that account`, async () => {
      const { e } = env;
      for (const name of ['Acme', 'Smith', 'x']) e.s.ui.insert('Account', { Name: name });
      const id = `${ID.slice(0, -1)}${n}`;
      const r = (
        await e.side().create([{ key: 'k', id, marker: null, contact: contact({ givenName: 'Q', company }) }])
      ).get('k')!;
      assert.ok(r.ok, JSON.stringify(r));
      const accountId = e.s.ui.get('Contact', id)!.AccountId as string;
      assert.equal(e.s.ui.get('Account', accountId)!.Name, company);
      assert.equal(e.s.ui.count('Account'), 4);
      // Found again, not created twice.
      await e
        .side()
        .create([{ key: 'k', id: `${ID.slice(0, -2)}9${n}`, marker: null, contact: contact({ company }) }]);
      assert.equal(e.s.ui.count('Account'), 4);
    });

  it('an email with quotes, and, or matches only itself in a lookup', async () => {
    const { e } = env;
    const a = e.s.ui.createContact({ GivenName: 'Ann', Email: 'ann@example.com' }).Id as string;
    const odd = "o'neil' or Number ne 'x@example.com";
    const b = e.s.ui.createContact({ GivenName: 'Odd' }).Id as string;
    e.s.ui.addCommunication(b, { type: 'Email', number: odd });
    const side = e.side();
    assert.deepEqual(
      await side.lookup({ ids: [], markers: [], emails: ["nobody' or Number ne '"], inDoubt: [] }),
      [],
    );
    assert.deepEqual(
      (await side.lookup({ ids: [], markers: [], emails: [odd], inDoubt: [] })).map((r) => r.id),
      [b],
    );
    assert.deepEqual(
      (await side.lookup({ ids: [`${a}) or (Id ne null`], markers: [], emails: [], inDoubt: [] })).map(
        (r) => r.id,
      ),
      [],
    );
  });

  it('a city, region and department with quotes are found or created as written', async () => {
    const { e } = env;
    const c = contact({
      givenName: 'Q',
      department: "R&D' or Name ne '",
      addresses: [
        {
          type: 'home',
          street: "1 King's Rd",
          city: "Saint-Jean' and Name eq 'x",
          region: "Val d'Oise",
          postalCode: '1',
          country: "Côte d'Ivoire",
        },
      ],
    });
    const r = (await e.side().create([{ key: 'k', id: ID, marker: null, contact: c }])).get('k')!;
    assert.ok(r.ok);
    const back = (await e.side().fetch([ID])).records[0]!;
    assert.deepEqual(back.contact.addresses, c.addresses);
    assert.equal(back.contact.department, c.department);
  });
});
