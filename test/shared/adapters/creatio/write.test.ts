// Writing the CRM side against the Creatio stand-in: creates with rows and membership, minimal
// updates, repeated creates, group changes and the lookups writes need.
import assert from 'node:assert/strict';
import { parseVersion } from '../../../../shared/adapters/creatio/version.js';
import { COMMUNICATION_TYPE, countryId } from '../../../../infra/standins/creatio/index.js';
import type { Written } from '../../../../shared/ports.js';
import { contactsEqual, normalizeContact, type Contact } from '../../../../shared/sync/index.js';
import { contact, ops, useEnv, type Env } from './helpers.js';

const ID = '7c1d3f58-2d7a-4f5e-9d7e-0d3c2b1a0f01';
const ID2 = '7c1d3f58-2d7a-4f5e-9d7e-0d3c2b1a0f02';

const rich = (): Contact =>
  contact({
    givenName: 'Ann',
    middleName: 'Marie',
    familyName: 'Able',
    emails: [
      { address: 'ann@work.example', type: 'work' },
      { address: 'ann@home.example', type: 'home' },
      { address: 'ann@other.example', type: 'other' },
    ],
    phones: [
      { number: '+1 555 0101', type: 'mobile' },
      { number: '+1 555 0102', type: 'work' },
      { number: '+1 555 0103', type: 'home' },
      { number: '+1 555 0104', type: 'mobile' },
    ],
    company: 'Acme Ltd',
    jobTitle: 'Engineer',
    department: 'Research',
    addresses: [
      {
        type: 'work',
        street: '1 Main St',
        city: 'Springfield',
        region: 'Illinois',
        postalCode: '62701',
        country: 'United States',
      },
      {
        type: 'home',
        street: '2 Elm St',
        city: 'Shelbyville',
        region: '',
        postalCode: '62565',
        country: 'United States',
      },
    ],
    birthday: '--02-29',
    notes: 'Met at the fair.\nLikes tea.',
  });

async function createOne(e: Env, c: Contact, id = ID): Promise<Written> {
  const r = (await e.side().create([{ key: 'k', id, contact: c, marker: null }])).get('k')!;
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

const commRows = (e: Env, id: string) =>
  e.s.ui.rows('ContactCommunication', `$filter=ContactId eq ${id}&$orderby=Id`) as {
    Id: string;
    Number: string;
    ModifiedOn: string;
    CommunicationTypeId: string;
  }[];

describe('Creatio side: writing', function () {
  this.timeout(60_000);
  const env = useEnv();

  it('a contact with three emails and four phones (and the rest) round-trips, in the group, as rows', async () => {
    const { e } = env;
    const w = await createOne(e, rich());
    assert.equal(w.id, ID);
    assert.equal(parseVersion(w.version)!.at, e.clock.now());
    const got = await e.side().fetch([ID]);
    assert.equal(got.records.length, 1);
    const rec = got.records[0]!;
    assert.deepEqual(rec.contact, normalizeContact(rich()));
    assert.ok(rec.inGroup);
    assert.equal(rec.version, w.version);
    assert.equal(w.extra, null, 'a create is remembered from its replies, its rows are not read back');

    const row = e.s.ui.get('Contact', ID)!;
    assert.equal(row.Name, 'Ann Marie Able');
    assert.equal(row.Email, 'ann@work.example', 'the first email is the primary one');
    assert.equal(row.BirthDate, '1604-02-29T00:00:00Z');
    const comms = commRows(e, ID);
    assert.equal(comms.filter((r) => r.CommunicationTypeId === COMMUNICATION_TYPE.Email).length, 3);
    assert.equal(comms.length, 7);
    assert.equal(e.s.ui.rows('ContactInFolder', `$filter=ContactId eq ${ID}`).length, 1);
    const addresses = e.s.ui.rows('ContactAddress', `$filter=ContactId eq ${ID}`);
    assert.equal(addresses.length, 2);
    assert.ok(
      addresses.every((a) => a.CountryId === countryId('United States')),
      'an existing country is reused',
    );
  });

  it('updating one phone changes only that row', async () => {
    const { e } = env;
    const w = await createOne(e, rich());
    const before = commRows(e, ID);
    e.clock.advance(60_000);
    e.s.resetStats();
    const next = rich();
    next.phones[1] = { number: '+1 555 0199', type: 'work' };
    const side = e.side();
    const r = (
      await side.update([
        { id: ID, version: w.version, extra: w.extra ?? null, fields: ['phones'], contact: next, held: next },
      ])
    ).get(ID)!;
    assert.ok(r.ok);
    const after = commRows(e, ID);
    assert.deepEqual(
      after.map((x) => x.Id),
      before.map((x) => x.Id),
      'no row added or removed',
    );
    const changed = after.filter(
      (x, i) => x.ModifiedOn !== before[i]!.ModifiedOn || x.Number !== before[i]!.Number,
    );
    assert.deepEqual(
      changed.map((x) => x.Number),
      ['+1 555 0199'],
    );
    assert.equal(ops(e.s, 'patch', 'ContactCommunication'), 1);
    assert.equal(ops(e.s, 'post', 'ContactCommunication') + ops(e.s, 'delete', 'ContactCommunication'), 0);
    assert.equal(ops(e.s, 'patch', 'Contact'), 0);
    const back = (await e.side().fetch([ID])).records[0]!;
    assert.ok(contactsEqual(back.contact, normalizeContact(next)));
    assert.equal(r.value.version, back.version);
    assert.equal(r.value.extra, null, 'the row ids after a change of rows are read by the next update');
  });

  it('updates only the named fields, with a Name consistent with the parts', async () => {
    const { e } = env;
    const w = await createOne(e, rich());
    e.clock.advance(60_000);
    e.s.ui.updateContact(ID, { JobTitle: 'Changed in the CRM' });
    const next = { ...rich(), givenName: 'Annie', jobTitle: 'ignored: not named' };
    const r = (
      await e
        .side()
        .update([
          { id: ID, version: null, extra: w.extra ?? null, fields: ['givenName'], contact: next, held: next },
        ])
    ).get(ID)!;
    assert.ok(r.ok);
    const row = e.s.ui.get('Contact', ID)!;
    assert.deepEqual(
      [row.GivenName, row.Name, row.JobTitle],
      ['Annie', 'Annie Marie Able', 'Changed in the CRM'],
    );
  });

  it('an update with a stale or missing extra reads the rows, and still changes only what differs', async () => {
    const { e } = env;
    const w = await createOne(e, rich());
    // Someone deletes a secondary email in the CRM: our extra still lists it.
    const secondary = commRows(e, ID).find((x) => x.Number === 'ann@other.example')!;
    e.s.ui.deleteCommunication(secondary.Id);
    const next = rich();
    next.emails = next.emails.slice(0, 1);
    for (const extra of [w.extra ?? null, null]) {
      const r = (
        await e
          .side()
          .update([{ id: ID, version: null, extra, fields: ['emails'], contact: next, held: next }])
      ).get(ID)!;
      assert.ok(r.ok, JSON.stringify(r));
    }
    const back = (await e.side().fetch([ID])).records[0]!;
    assert.deepEqual(back.contact.emails, [{ address: 'ann@work.example', type: 'work' }]);
  });

  it('moving another email to the front makes it the primary one (flat Email) and reads back in order', async () => {
    const { e } = env;
    const w = await createOne(e, rich());
    const next = rich();
    next.emails = [next.emails[2]!, next.emails[0]!, next.emails[1]!];
    const r = (
      await e
        .side()
        .update([
          { id: ID, version: null, extra: w.extra ?? null, fields: ['emails'], contact: next, held: next },
        ])
    ).get(ID)!;
    assert.ok(r.ok);
    assert.equal(e.s.ui.get('Contact', ID)!.Email, 'ann@other.example');
    assert.deepEqual((await e.side().fetch([ID])).records[0]!.contact.emails, next.emails);
  });

  it('a create that is repeated (its reply was lost) meets its own Id and is reported created, never duplicated', async () => {
    const { e } = env;
    let batches = 0;
    const side = e.side({
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        // The first batch of creates reaches Creatio, but its answer is lost on the way back.
        if (
          String(input).endsWith('$batch') &&
          String(init?.body).includes('"url":"Contact"') &&
          ++batches === 1
        )
          throw new TypeError('fetch failed');
        return res;
      },
    });
    const r = (await side.create([{ key: 'k', id: ID, contact: rich(), marker: null }])).get('k')!;
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(batches, 2);
    assert.equal(e.s.ui.rows('Contact', `$filter=Surname eq 'Able'`).length, 1);
    assert.equal(commRows(e, ID).length, 7);
    assert.equal(e.s.ui.rows('ContactInFolder', `$filter=ContactId eq ${ID}`).length, 1);
    // A later run creating the same pair again (its earlier outcome unknown) is also told "created".
    const again = (await e.side().create([{ key: 'k2', id: ID, contact: rich(), marker: null }])).get('k2')!;
    assert.ok(again.ok);
    assert.equal(again.value.id, ID);
    assert.equal(e.s.ui.rows('Contact', `$filter=Surname eq 'Able'`).length, 1);
    assert.equal(commRows(e, ID).length, 7);
  });

  it('an Account, Department, City and Region are found by name (any case) or created once', async () => {
    const { e } = env;
    e.s.ui.insert('Account', { Name: 'ACME LTD' });
    await createOne(e, rich(), ID);
    const second = { ...rich(), emails: [], company: 'New Co' };
    await createOne(e, second, ID2);
    assert.equal(e.s.ui.rows('Account', `$filter=Name eq 'Acme Ltd'`).length, 1);
    assert.equal(e.s.ui.rows('Account', `$filter=Name eq 'New Co'`).length, 1);
    assert.equal(e.s.ui.rows('Department', `$filter=Name eq 'Research'`).length, 1);
    assert.equal(e.s.ui.rows('City', `$filter=Name eq 'Springfield'`).length, 1);
    assert.equal(e.s.ui.rows('Region', `$filter=Name eq 'Illinois'`).length, 1);
    const recs = (await e.side().fetch([ID, ID2])).records;
    assert.deepEqual(recs.map((r) => r.contact.company).sort(), ['ACME LTD', 'New Co']);
  });

  it('addToGroup checks the listing first; removeFromGroup deletes every membership row, duplicates included', async () => {
    const { e } = env;
    const a = e.s.ui.createContact({ GivenName: 'Ann', Surname: 'Able' }).Id as string;
    const b = e.s.ui.createContact({ GivenName: 'Bob', Surname: 'Baker' }).Id as string;
    e.s.ui.addToFolder(e.folderId, a);
    e.s.ui.addToFolder(e.folderId, a);
    const side = e.side();
    await side.readChanges(null, { full: false });
    // A third duplicate appears after the listing was read.
    e.s.ui.addToFolder(e.folderId, a);
    e.s.resetStats();
    const added = await side.addToGroup([a, b]);
    assert.deepEqual(
      [...added.values()].map((r) => r.ok),
      [true, true],
    );
    assert.equal(ops(e.s, 'post', 'ContactInFolder'), 1, 'only b needed a row');
    const removed = await side.removeFromGroup([a, b]);
    assert.deepEqual(
      [...removed.values()].map((r) => r.ok),
      [true, true],
    );
    assert.equal(e.s.ui.rows('ContactInFolder', `$filter=FolderId eq ${e.folderId}`).length, 0);
    // Leaving a group one already left is the goal reached.
    assert.ok((await side.removeFromGroup([a])).get(a)!.ok);
  });

  it('writes to a contact that no longer exists come back not-found, per item', async () => {
    const { e } = env;
    await createOne(e, rich(), ID);
    const gone = e.s.ui.createContact({ GivenName: 'Gone', Surname: 'Soon' }).Id as string;
    e.s.ui.deleteContact(gone);
    const side = e.side();
    const upd = await side.update([
      {
        id: gone,
        version: null,
        extra: null,
        fields: ['jobTitle'],
        contact: contact({ jobTitle: 'x' }),
        held: contact({}),
      },
      {
        id: ID,
        version: null,
        extra: null,
        fields: ['jobTitle'],
        contact: { ...rich(), jobTitle: 'Boss' },
        held: rich(),
      },
    ]);
    assert.equal(upd.get(gone)!.ok, false);
    assert.equal((upd.get(gone) as { error: { kind: string } }).error.kind, 'not-found');
    assert.ok(upd.get(ID)!.ok);
    const add = await side.addToGroup([gone]);
    assert.equal((add.get(gone) as { error: { kind: string } }).error.kind, 'not-found');
  });

  it('a create with an id that is not a GUID is refused for that item only', async () => {
    const { e } = env;
    const r = await e.side().create([
      { key: 'bad', id: "x' or 1 eq 1", contact: rich(), marker: null },
      { key: 'good', id: ID, contact: rich(), marker: null },
    ]);
    assert.equal((r.get('bad') as { error: { kind: string } }).error.kind, 'validation');
    assert.ok(r.get('good')!.ok);
  });

  it('our own writes are not reported as changes by the next incremental read', async () => {
    const { e } = env;
    const side = e.side();
    const first = await side.readChanges(null, { full: false });
    e.clock.advance(60_000);
    await side.create([{ key: 'k', id: ID, contact: rich(), marker: null }]);
    const side2 = e.side();
    const next = await side2.readChanges(side.settleCursor(first.cursor), { full: false });
    assert.deepEqual(next.records, []);
    assert.deepEqual(next.members, [ID]);
    // A later edit by a person is reported.
    e.clock.advance(60_000);
    e.s.ui.updateContact(ID, { JobTitle: 'Edited' });
    const third = await e.side().readChanges(side2.settleCursor(next.cursor), { full: false });
    assert.deepEqual(
      third.records.map((r) => r.id),
      [ID],
    );
  });
});
