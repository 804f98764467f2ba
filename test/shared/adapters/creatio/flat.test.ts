// What the CRM side writes through the flat Contact columns Creatio mirrors into rows itself
// (unbilled), what still needs rows, and the echo of our writes: read back equal, not re-read.
import assert from 'node:assert/strict';
import { COMMUNICATION_TYPE } from '../../../../infra/standins/creatio/index.js';
import { normalizeContact, type Contact } from '../../../../shared/sync/index.js';
import { contact, useEnv, type Env } from './helpers.js';

const ID = '7c1d3f58-2d7a-4f5e-9d7e-0d3c2b1a0f11';

const rows = (e: Env, set: 'ContactCommunication' | 'ContactAddress' | 'ContactAnniversary') =>
  e.s.ui.rows(set, `$filter=ContactId eq ${ID}&$orderby=Id`) as Record<string, unknown>[];

/** Billed calls (sub-requests and plain calls) a step costs. */
async function billed<T>(e: Env, step: () => Promise<T>): Promise<{ value: T; calls: number }> {
  const before = e.s.stats().apiCalls;
  const value = await step();
  return { value, calls: e.s.stats().apiCalls - before };
}

describe('Creatio side: flat columns and the echo of our writes', function () {
  this.timeout(60_000);
  const env = useEnv();

  async function createAndCheck(e: Env, c: Contact): Promise<number> {
    const side = e.side();
    await side.readChanges(null, { full: true });
    const { value, calls } = await billed(e, () =>
      side.create([{ key: 'k', id: ID, contact: c, marker: null }]),
    );
    assert.ok(value.get('k')!.ok, JSON.stringify(value.get('k')));
    const got = await e.side().fetch([ID]);
    assert.deepEqual(got.records[0]!.contact, normalizeContact(c));
    return calls;
  }

  it('a lone work email goes through Contact.Email: one primary Email row, two billed calls in all', async () => {
    const { e } = env;
    const calls = await createAndCheck(
      e,
      contact({ givenName: 'Ann', emails: [{ address: 'ann@x.example', type: 'work' }] }),
    );
    assert.equal(calls, 2, 'the Contact and its membership, nothing read back');
    assert.equal(e.s.ui.get('Contact', ID)!.Email, 'ann@x.example');
    const comms = rows(e, 'ContactCommunication');
    assert.equal(comms.length, 1);
    assert.equal(comms[0]!.CommunicationTypeId, COMMUNICATION_TYPE.Email);
    assert.equal(comms[0]!.Primary, true);
  });

  it('a work, a mobile and a home phone go through Phone, MobilePhone and HomePhone and read back in order', async () => {
    const { e } = env;
    const calls = await createAndCheck(
      e,
      contact({
        givenName: 'Ann',
        phones: [
          { number: '+1 555 0101', type: 'work' },
          { number: '+1 555 0102', type: 'mobile' },
          { number: '+1 555 0103', type: 'home' },
        ],
      }),
    );
    assert.equal(calls, 2);
    const row = e.s.ui.get('Contact', ID)!;
    assert.deepEqual(
      [row.Phone, row.MobilePhone, row.HomePhone],
      ['+1 555 0101', '+1 555 0102', '+1 555 0103'],
    );
    const types = rows(e, 'ContactCommunication').map((r) => r.CommunicationTypeId);
    assert.deepEqual(
      new Set(types),
      new Set([COMMUNICATION_TYPE.WorkPhone, COMMUNICATION_TYPE.MobilePhone, COMMUNICATION_TYPE.HomePhone]),
    );
  });

  it('phones the columns cannot carry (a second mobile, a fax, an order the columns do not give) are rows after them', async () => {
    const { e } = env;
    const calls = await createAndCheck(
      e,
      contact({
        givenName: 'Ann',
        phones: [
          { number: '+1 555 0102', type: 'mobile' },
          { number: '+1 555 0101', type: 'work' },
          { number: '+1 555 0104', type: 'mobile' },
          { number: '+1 555 0105', type: 'fax' },
        ],
      }),
    );
    assert.equal(calls, 2 + 3, 'the mobile phone is flat, three rows');
    assert.equal(rows(e, 'ContactCommunication').length, 4);
  });

  it('the first address goes through the flat address columns (the primary ContactAddress), the others are rows', async () => {
    const { e } = env;
    const home = {
      type: 'home' as const,
      street: '2 Elm St',
      city: '',
      region: '',
      postalCode: '62565',
      country: '',
    };
    const work = {
      type: 'work' as const,
      street: '1 Main St',
      city: '',
      region: '',
      postalCode: '62701',
      country: '',
    };
    const calls = await createAndCheck(e, contact({ givenName: 'Ann', addresses: [home, work] }));
    assert.equal(
      calls,
      2 + 1 + 1,
      'the Contact, its membership, one address row, and the AddressType list once per run',
    );
    const addresses = rows(e, 'ContactAddress');
    assert.equal(addresses.length, 2);
    assert.equal(addresses.find((a) => a.Primary === true)!.Address, '2 Elm St');
  });

  it('the birthday goes through BirthDate, which Creatio mirrors into a Birthday anniversary', async () => {
    const { e } = env;
    const calls = await createAndCheck(e, contact({ givenName: 'Ann', birthday: '1990-02-03' }));
    assert.equal(calls, 2);
    const ann = rows(e, 'ContactAnniversary');
    assert.deepEqual(
      ann.map((r) => r.Date),
      ['1990-02-03T00:00:00Z'],
    );
  });

  it('several emails are rows, the first one primary', async () => {
    const { e } = env;
    const c = contact({
      givenName: 'Ann',
      emails: [
        { address: 'ann@home.example', type: 'home' },
        { address: 'ann@work.example', type: 'work' },
      ],
    });
    const calls = await createAndCheck(e, c);
    assert.equal(calls, 2 + 2);
    assert.equal(e.s.ui.get('Contact', ID)!.Email, 'ann@home.example');
  });

  const everything = (): Contact =>
    contact({
      givenName: 'Ann',
      familyName: 'Able',
      emails: [{ address: 'ann@x.example', type: 'work' }],
      phones: [
        { number: '+1 555 0101', type: 'work' },
        { number: '+1 555 0102', type: 'mobile' },
      ],
      addresses: [
        { type: 'home', street: '2 Elm St', city: 'Shelbyville', region: '', postalCode: '1', country: '' },
      ],
      birthday: '--02-29',
    });

  it('after a create, the next incremental read recognises the echo without reading the contact', async () => {
    const { e } = env;
    const side = e.side();
    const first = await side.readChanges(null, { full: true });
    e.clock.advance(60_000);
    await side.create([{ key: 'k', id: ID, contact: everything(), marker: null }]);
    e.clock.advance(60_000);
    const side2 = e.side();
    const gets = () => e.s.stats().odata.get.Contact ?? 0;
    e.s.resetStats();
    const next = await side2.readChanges(side.settleCursor(first.cursor), { full: false });
    assert.deepEqual(next.records, []);
    assert.equal(gets(), 0, 'no Contact query: its ModifiedOn rides the member page');
    assert.equal(e.s.stats().odata.get.ContactCommunication ?? 0, 0);
    // A person's later edit of a mirrored row is reported.
    e.clock.advance(60_000);
    const phone = rows(e, 'ContactCommunication').find((r) => r.Number === '+1 555 0101')!;
    e.s.ui.updateCommunication(phone.Id as string, { Number: '+1 555 0109' });
    const third = await e.side().readChanges(side2.settleCursor(next.cursor), { full: false });
    assert.deepEqual(
      third.records.map((r) => r.id),
      [ID],
    );
    assert.equal(third.records[0]!.contact.phones[0]!.number, '+1 555 0109');
  });

  it('after an update, the next incremental read recognises the echo; an update of a flat-created contact is no second write', async () => {
    const { e } = env;
    const side = e.side();
    const first = await side.readChanges(null, { full: true });
    const created = (await side.create([{ key: 'k', id: ID, contact: everything(), marker: null }])).get(
      'k',
    )!;
    assert.ok(created.ok);
    const cursor = side.settleCursor(first.cursor);
    e.clock.advance(60_000);
    const side2 = e.side();
    const mid = await side2.readChanges(cursor, { full: false });
    assert.deepEqual(mid.records, []);
    const changed = {
      ...everything(),
      phones: [{ number: '+1 555 0199', type: 'work' as const }],
      jobTitle: 'Boss',
    };
    const upd = await side2.update([
      {
        id: ID,
        contact: changed,
        fields: ['phones', 'jobTitle'],
        held: changed,
        extra: created.value.extra ?? null,
        version: created.value.version,
      },
    ]);
    assert.ok(upd.get(ID)!.ok, JSON.stringify(upd.get(ID)));
    const written = upd.get(ID)!;
    assert.ok(written.ok && written.value.version !== null, 'the version comes from the replies');
    const back = await e.side().fetch([ID]);
    assert.deepEqual(back.records[0]!.contact, normalizeContact(changed));
    assert.equal(written.value.version, back.records[0]!.version);
    e.clock.advance(60_000);
    e.s.resetStats();
    const next = await e.side().readChanges(side2.settleCursor(mid.cursor), { full: false });
    assert.deepEqual(next.records, []);
    const st = e.s.stats();
    assert.equal(st.apiCalls, 2, 'the member page and the address change query: nothing re-read');
  });

  it('an update is not read back; its echo is skipped by the next read and by the 24-hour full read', async () => {
    const { e } = env;
    const side = e.side();
    const first = await side.readChanges(null, { full: true });
    const created = (await side.create([{ key: 'k', id: ID, contact: everything(), marker: null }])).get(
      'k',
    )!;
    assert.ok(created.ok);
    e.clock.advance(60_000);
    const side2 = e.side();
    const mid = await side2.readChanges(side.settleCursor(first.cursor), { full: false });
    e.s.resetStats();
    const changed = { ...everything(), jobTitle: 'Boss' };
    const upd = (
      await side2.update([
        {
          id: ID,
          held: changed,
          contact: changed,
          fields: ['jobTitle'],
          extra: null,
          version: created.value.version,
        },
      ])
    ).get(ID)!;
    assert.ok(upd.ok && upd.value.version !== null);
    assert.equal(e.s.stats().apiCalls, 1, 'one PATCH, nothing read');
    assert.equal(upd.value.extra, undefined, 'the rows are untouched: the link keeps its extra');
    e.clock.advance(60_000);
    e.s.resetStats();
    const next = await e.side().readChanges(side2.settleCursor(mid.cursor), { full: false });
    assert.deepEqual(next.records, []);
    assert.equal(e.s.stats().apiCalls, 2);
    // A day later the full read finds it at the version the update gave: unchanged, its rows unread
    // (an address makes rows whose deletion leaves no trace, so this one is read; without it, not).
    e.clock.advance(24 * 3600_000);
    e.s.resetStats();
    const full = await e
      .side()
      .readChanges(next.cursor, { full: false, known: async () => new Map([[ID, upd.value.version!]]) });
    assert.equal(full.complete, true);
    assert.deepEqual(
      full.records.map((r) => r.id),
      [ID],
      'a contact with an address has its rows read by the full read',
    );
    assert.deepEqual(full.unchanged, []);
    assert.equal(full.records[0]!.version, upd.value.version, 'and reads back at the version we kept');
  });

  it('the full read reports a member at its link version unchanged without reading its rows', async () => {
    const { e } = env;
    const side = e.side();
    const first = await side.readChanges(null, { full: true });
    const plain = { ...everything(), addresses: [], birthday: '', company: 'Acme' };
    const created = (await side.create([{ key: 'k', id: ID, contact: plain, marker: null }])).get('k')!;
    assert.ok(created.ok);
    e.clock.advance(25 * 3600_000);
    e.s.resetStats();
    const full = await e.side().readChanges(side.settleCursor(first.cursor), {
      full: false,
      known: async () => new Map([[ID, created.value.version!]]),
    });
    assert.equal(full.complete, true);
    assert.deepEqual(full.records, []);
    assert.deepEqual(full.unchanged, [ID]);
    assert.equal(e.s.stats().apiCalls, 1, 'the member page alone');
    // Renaming the account it points at is seen through the names expanded into that page.
    e.clock.advance(60_000);
    const account = e.s.ui.get('Contact', ID)!.AccountId as string;
    e.s.ui.update('Account', account, { Name: 'Renamed Ltd' });
    const again = await e.side().readChanges(null, {
      full: true,
      known: async () => new Map([[ID, created.value.version!]]),
    });
    assert.deepEqual(
      again.records.map((r) => r.contact.company),
      ['Renamed Ltd'],
    );
  });
});
