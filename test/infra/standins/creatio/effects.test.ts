import assert from 'node:assert/strict';
import {
  ADDRESS_TYPE,
  COMMUNICATION_TYPE,
  FOLDER_TYPE,
  countryId,
} from '../../../../infra/standins/creatio/index.js';
import { filter, login, odata, start, supervisor, type OData, type Started } from './helpers.js';

const T0 = Date.UTC(2024, 4, 23, 9, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

describe('Creatio stand-in: server-side effects (reference §6)', () => {
  let t: Started;
  let api: OData;
  beforeEach(async () => {
    t = await start({
      users: [
        { userName: 'Supervisor', password: 'Supervisor' },
        { userName: 'Kyiv', password: 'pw', timeZoneOffsetMinutes: 180 },
      ],
    });
    api = await supervisor(t.s);
  });
  afterEach(async () => t.s.close());

  const contact = async (id: string) => (await api.get(`Contact(${id})`)).json;
  const comms = async (contactId: string) =>
    (await api.get(`ContactCommunication?${filter(`ContactId eq ${contactId}`)}&$orderby=CreatedOn,Number`))
      .json.value as Record<string, unknown>[];

  describe('§6.1 Name and its parts', () => {
    it('§6.1 when only Name is written it is split into GivenName, MiddleName and Surname', async () => {
      const r = await api.post('Contact', { Name: 'John Ronald Reuel Tolkien' });
      assert.deepEqual(
        [r.json.GivenName, r.json.MiddleName, r.json.Surname],
        ['John', 'Ronald Reuel', 'Tolkien'],
      );
    });

    it('§6.1 when only the parts change Name is rebuilt as "GivenName MiddleName Surname" (default order)', async () => {
      const id = (await api.post('Contact', { Name: 'Ada Lovelace' })).json.Id;
      await api.patch(`Contact(${id})`, { Surname: 'King', MiddleName: 'Augusta' });
      assert.equal((await contact(id)).Name, 'Ada Augusta King');
    });

    it('§6.1 when Name and a part change in one save neither is derived', async () => {
      const id = (await api.post('Contact', { Name: 'Ada Lovelace' })).json.Id;
      await api.patch(`Contact(${id})`, { Name: 'Countess of Lovelace', Surname: 'Byron' });
      const c = await contact(id);
      assert.deepEqual([c.Name, c.GivenName, c.Surname], ['Countess of Lovelace', 'Ada', 'Byron']);
    });

    it('§6.1 the order is the ContactFieldConverter setting: "Surname GivenName MiddleName" is an option', async () => {
      const sgm = await start({ nameOrder: 'Surname GivenName MiddleName' });
      try {
        const r = await (await supervisor(sgm.s)).post('Contact', { Name: 'Shevchenko Taras Hryhorovych' });
        assert.deepEqual(
          [r.json.Surname, r.json.GivenName, r.json.MiddleName],
          ['Shevchenko', 'Taras', 'Hryhorovych'],
        );
        const j = sgm.s.ui.createContact({ GivenName: 'Lesya', Surname: 'Ukrainka' });
        assert.equal(j.Name, 'Ukrainka Lesya');
      } finally {
        await sgm.s.close();
      }
    });
  });

  describe('§6.2 communications', () => {
    it('§6.2 a flat Email on a new Contact becomes a primary ContactCommunication row of type Email', async () => {
      const id = (
        await api.post('Contact', { Name: 'Ann', Email: 'ann@example.com', MobilePhone: '+1 555 0001' })
      ).json.Id;
      const rows = await comms(id);
      const byType = new Map(rows.map((r) => [r.CommunicationTypeId, r]));
      assert.equal(byType.get(COMMUNICATION_TYPE.Email)!.Number, 'ann@example.com');
      assert.equal(byType.get(COMMUNICATION_TYPE.Email)!.Primary, true);
      assert.equal(byType.get(COMMUNICATION_TYPE.MobilePhone)!.Number, '+1 555 0001');
    });

    it('§6.2 changing the flat Email updates the primary row instead of adding one', async () => {
      const id = (await api.post('Contact', { Name: 'Ann', Email: 'old@example.com' })).json.Id;
      await api.patch(`Contact(${id})`, { Email: 'new@example.com' });
      const rows = await comms(id);
      assert.deepEqual(
        rows.map((r) => r.Number),
        ['new@example.com'],
      );
    });

    for (const [column, type] of [
      ['Phone', COMMUNICATION_TYPE.WorkPhone],
      ['MobilePhone', COMMUNICATION_TYPE.MobilePhone],
      ['HomePhone', COMMUNICATION_TYPE.HomePhone],
    ] as const) {
      it(`§6.2 a flat ${column} becomes a primary row of its type; changing it updates that row`, async () => {
        const id = (await api.post('Contact', { Name: 'Ann', [column]: '+1 555 0001' })).json.Id;
        const [row] = await comms(id);
        assert.equal((await comms(id)).length, 1);
        assert.equal(row!.CommunicationTypeId, type);
        assert.equal(row!.Number, '+1 555 0001');
        assert.equal(row!.Primary, true);
        await api.patch(`Contact(${id})`, { [column]: '+1 555 0002' });
        const after = await comms(id);
        assert.deepEqual(
          after.map((r) => [r.Id, r.Number, r.Primary]),
          [[row!.Id, '+1 555 0002', true]],
        );
      });
    }

    it('§6.2 (observed in code) clearing the flat Email leaves the communication row in place', async () => {
      const id = (await api.post('Contact', { Name: 'Ann', Email: 'ann@example.com' })).json.Id;
      await api.patch(`Contact(${id})`, { Email: '' });
      assert.deepEqual(
        (await comms(id)).map((r) => r.Number),
        ['ann@example.com'],
      );
    });

    it('§6.2 a newly inserted row becomes primary for its type, demotes the others and updates the flat column', async () => {
      const id = (await api.post('Contact', { Name: 'Ann', Email: 'first@example.com' })).json.Id;
      t.clock.advance(1000);
      const r = await api.post('ContactCommunication', {
        ContactId: id,
        CommunicationTypeId: COMMUNICATION_TYPE.Email,
        Number: 'second@example.com',
      });
      assert.equal(r.json.Primary, true);
      assert.equal((await contact(id)).Email, 'second@example.com');
      const first = (await comms(id)).find((x) => x.Number === 'first@example.com')!;
      assert.equal(first.IsCreatedBySynchronization, false, 'demoted (the legacy primary marker)');
    });

    it('§6.2 after a save, other rows of the same contact with the same type and Number are deleted', async () => {
      const id = (await api.post('Contact', { Name: 'Ann', Email: 'dup@example.com' })).json.Id;
      const r = await api.post('ContactCommunication', {
        ContactId: id,
        CommunicationTypeId: COMMUNICATION_TYPE.Email,
        Number: 'dup@example.com',
      });
      const rows = await comms(id);
      assert.deepEqual(
        rows.map((x) => x.Id),
        [r.json.Id],
      );
    });

    it('§6.2 rows of a different type with the same Number are kept', async () => {
      const id = (await api.post('Contact', { Name: 'Ann', MobilePhone: '+1 555 0001' })).json.Id;
      await api.post('ContactCommunication', {
        ContactId: id,
        CommunicationTypeId: COMMUNICATION_TYPE.HomePhone,
        Number: '+1 555 0001',
      });
      assert.equal((await comms(id)).length, 2);
    });

    it('§6.2 saving a ContactCommunication row sets the parent Contact.ModifiedOn to UTC now', async () => {
      const id = (await api.post('Contact', { Name: 'Ann' })).json.Id;
      t.clock.advance(1_800_000);
      await api.post('ContactCommunication', {
        ContactId: id,
        CommunicationTypeId: COMMUNICATION_TYPE.OtherPhone,
        Number: '123',
      });
      assert.equal((await contact(id)).ModifiedOn, iso(T0 + 1_800_000));
      t.clock.advance(60_000);
      const row = (await comms(id))[0]!;
      await api.patch(`ContactCommunication(${row.Id})`, { Number: '456' });
      assert.equal((await contact(id)).ModifiedOn, iso(T0 + 1_860_000));
    });

    it('§6.2 deleting the primary row clears the flat column and sets Contact.ModifiedOn', async () => {
      const id = (await api.post('Contact', { Name: 'Ann', Email: 'ann@example.com' })).json.Id;
      t.clock.advance(60_000);
      const row = (await comms(id))[0]!;
      assert.equal((await api.del(`ContactCommunication(${row.Id})`)).status, 204);
      const c = await contact(id);
      assert.equal(c.Email, '');
      assert.equal(c.ModifiedOn, iso(T0 + 60_000));
    });

    it('§6.2 (observed in code) deleting a row that is not the primary one leaves Contact.ModifiedOn alone', async () => {
      const id = (await api.post('Contact', { Name: 'Ann', Email: 'old@example.com' })).json.Id;
      await api.post('ContactCommunication', {
        ContactId: id,
        CommunicationTypeId: COMMUNICATION_TYPE.Email,
        Number: 'new@example.com',
      });
      const before = (await contact(id)).ModifiedOn;
      t.clock.advance(60_000);
      const demoted = (await comms(id)).find((x) => x.Number === 'old@example.com')!;
      await api.del(`ContactCommunication(${demoted.Id})`);
      assert.equal((await contact(id)).ModifiedOn, before);
    });

    it('§6.2 ExternalCommunicationType holds free text; changing the type clears it', async () => {
      const id = (await api.post('Contact', { Name: 'Ann' })).json.Id;
      const r = await api.post('ContactCommunication', {
        ContactId: id,
        CommunicationTypeId: COMMUNICATION_TYPE.OtherPhone,
        Number: '777',
        ExternalCommunicationType: 'pager',
      });
      assert.equal(r.json.ExternalCommunicationType, 'pager');
      await api.patch(`ContactCommunication(${r.json.Id})`, { CommunicationTypeId: COMMUNICATION_TYPE.Fax });
      assert.equal((await api.get(`ContactCommunication(${r.json.Id})`)).json.ExternalCommunicationType, '');
    });
  });

  describe('§6.1 ModifiedOn of a Contact', () => {
    it('§6.1 saving a Contact sets ModifiedOn to UTC now and ModifiedById to the acting user', async () => {
      const id = (await api.post('Contact', { Name: 'Ann' })).json.Id;
      t.clock.advance(90_000);
      await odata(t.s, await login(t.s, 'Kyiv', 'pw')).patch(`Contact(${id})`, { JobTitle: 'CEO' });
      const c = await contact(id);
      assert.equal(c.ModifiedOn, iso(T0 + 90_000));
      assert.notEqual(c.ModifiedById, c.CreatedById);
    });

    it('§6.1 (assumption) ModifiedOn sent by a client is ignored', async () => {
      const r = await api.post('Contact', { Name: 'Ann', ModifiedOn: '2000-01-01T00:00:00Z' });
      assert.equal((await contact(r.json.Id)).ModifiedOn, iso(T0));
    });

    it('§6.1 BirthDate is mirrored into a Birthday ContactAnniversary, updated in place; clearing leaves it (assumption)', async () => {
      const id = (await api.post('Contact', { Name: 'Ann', BirthDate: '1990-02-03' })).json.Id;
      const rows = async () =>
        (await api.get(`ContactAnniversary?${filter(`ContactId eq ${id}`)}`)).json.value as Record<
          string,
          unknown
        >[];
      const [first] = await rows();
      assert.equal(first!.AnniversaryTypeId, '173d56d2-fdca-df11-9b2a-001d60e938c6');
      // Date columns answer as a date-time at midnight UTC, as BirthDate does.
      assert.equal(first!.Date, '1990-02-03T00:00:00Z');
      await api.patch(`Contact(${id})`, { BirthDate: '1991-04-05' });
      assert.deepEqual(
        (await rows()).map((r) => [r.Id, r.Date]),
        [[first!.Id, '1991-04-05T00:00:00Z']],
      );
      await api.patch(`Contact(${id})`, { BirthDate: null });
      assert.equal((await rows()).length, 1);
    });

    it('§6.1 the flat address is written to the primary ContactAddress, created if missing', async () => {
      const r = await api.post('Contact', {
        Name: 'Ann',
        Address: '1 Main St',
        Zip: '12345',
        AddressTypeId: ADDRESS_TYPE.Home,
        CountryId: countryId('Canada'),
      });
      const rows = (await api.get(`ContactAddress?${filter(`ContactId eq ${r.json.Id}`)}`)).json.value;
      assert.equal(rows.length, 1);
      assert.deepEqual(
        [rows[0].Address, rows[0].Zip, rows[0].Primary, rows[0].AddressTypeId],
        ['1 Main St', '12345', true, ADDRESS_TYPE.Home],
      );
    });

    it('§6.1 changing a flat address column updates the primary ContactAddress in place', async () => {
      const id = (await api.post('Contact', { Name: 'Ann', Address: '1 Main St', Zip: '12345' })).json.Id;
      const rows = async () =>
        (await api.get(`ContactAddress?${filter(`ContactId eq ${id}`)}`)).json.value as Record<
          string,
          unknown
        >[];
      const [before] = await rows();
      await api.patch(`Contact(${id})`, { Address: '2 Elm St' });
      assert.deepEqual(
        (await rows()).map((a) => [a.Id, a.Address, a.Zip, a.Primary]),
        [[before!.Id, '2 Elm St', '12345', true]],
      );
    });
  });

  describe('§6.4 static groups', () => {
    let folderId: string;
    let contactId: string;
    beforeEach(async () => {
      folderId = (await api.post('ContactFolder', { Name: 'Sync', FolderTypeId: FOLDER_TYPE.Static })).json
        .Id;
      contactId = (await api.post('Contact', { Name: 'Member' })).json.Id;
    });

    it('§6.4 inserting a ContactInFolder row does not change Contact.ModifiedOn', async () => {
      t.clock.advance(1_800_000);
      const r = await api.post('ContactInFolder', { FolderId: folderId, ContactId: contactId });
      assert.equal(r.status, 201);
      assert.equal((await contact(contactId)).ModifiedOn, iso(T0));
    });

    it('§6.4 deleting a ContactInFolder row bumps Contact.ModifiedOn (UTC user: UTC now)', async () => {
      const row = (await api.post('ContactInFolder', { FolderId: folderId, ContactId: contactId })).json.Id;
      t.clock.advance(60_000);
      await api.del(`ContactInFolder(${row})`);
      assert.equal((await contact(contactId)).ModifiedOn, iso(T0 + 60_000));
    });

    it('§6.4 the membership-delete bump writes the acting user’s local time (UTC+3 user: 3 h ahead)', async () => {
      const row = (await api.post('ContactInFolder', { FolderId: folderId, ContactId: contactId })).json.Id;
      t.clock.advance(60_000);
      await odata(t.s, await login(t.s, 'Kyiv', 'pw')).del(`ContactInFolder(${row})`);
      assert.equal((await contact(contactId)).ModifiedOn, iso(T0 + 60_000 + 3 * 3_600_000));
    });

    it('§6.4 (observed in code) the membership-delete bump leaves ModifiedById unchanged', async () => {
      const row = (await api.post('ContactInFolder', { FolderId: folderId, ContactId: contactId })).json.Id;
      const before = (await contact(contactId)).ModifiedById;
      await odata(t.s, await login(t.s, 'Kyiv', 'pw')).del(`ContactInFolder(${row})`);
      assert.equal((await contact(contactId)).ModifiedById, before);
    });

    it('§6.4 there is no unique constraint on (FolderId, ContactId)', async () => {
      assert.equal(
        (await api.post('ContactInFolder', { FolderId: folderId, ContactId: contactId })).status,
        201,
      );
      assert.equal(
        (await api.post('ContactInFolder', { FolderId: folderId, ContactId: contactId })).status,
        201,
      );
      const r = await api.get(
        `ContactInFolder?${filter(`FolderId eq ${folderId} and ContactId eq ${contactId}`)}`,
      );
      assert.equal(r.json.value.length, 2);
    });

    it('§6.4 deleting a Contact deletes its ContactInFolder, ContactCommunication and ContactAddress rows', async () => {
      const id = (await api.post('Contact', { Name: 'Doomed', Email: 'd@example.com', Address: 'Somewhere' }))
        .json.Id;
      await api.post('ContactInFolder', { FolderId: folderId, ContactId: id });
      assert.equal((await api.del(`Contact(${id})`)).status, 204);
      for (const set of ['ContactInFolder', 'ContactCommunication', 'ContactAddress'])
        assert.equal((await api.get(`${set}?${filter(`ContactId eq ${id}`)}`)).json.value.length, 0, set);
    });

    it('§6.4 deleting a folder deletes its membership rows, never the contacts', async () => {
      await api.post('ContactInFolder', { FolderId: folderId, ContactId: contactId });
      assert.equal((await api.del(`ContactFolder(${folderId})`)).status, 204);
      assert.equal(
        (await api.get(`ContactInFolder?${filter(`FolderId eq ${folderId}`)}`)).json.value.length,
        0,
      );
      assert.equal((await api.get(`Contact(${contactId})`)).status, 200);
    });

    it('§6.4 (assumption) a dynamic folder refuses membership inserts with a 400 error', async () => {
      const dyn = (await api.post('ContactFolder', { Name: 'Dyn', FolderTypeId: FOLDER_TYPE.Dynamic })).json
        .Id;
      const r = await api.post('ContactInFolder', { FolderId: dyn, ContactId: contactId });
      assert.equal(r.status, 400);
      assert.match(r.json.error.message, /dynamic/);
    });

    it('§6.4 a folder created without FolderTypeId is static', async () => {
      const r = await api.post('ContactFolder', { Name: 'Plain' });
      assert.equal(r.json.FolderTypeId, FOLDER_TYPE.Static);
    });

    it('§6.4 listing static folders with the documented request works', async () => {
      const r = await api.get(
        `ContactFolder?${filter(`FolderTypeId eq ${FOLDER_TYPE.Static}`)}&$select=Id,Name,ParentId`,
      );
      assert.deepEqual(
        r.json.value.map((f: { Name: string }) => f.Name),
        ['Sync'],
      );
    });
  });

  describe('seeded lookups', () => {
    it('§6.2 CommunicationType is seeded with the reference GUIDs', async () => {
      const r = await api.get('CommunicationType?$select=Id');
      const seeded = new Set(r.json.value.map((x: { Id: string }) => x.Id));
      for (const id of Object.values(COMMUNICATION_TYPE)) assert.ok(seeded.has(id), id);
    });

    it('§6.4 FolderType is seeded with Static, Dynamic and Favorite GUIDs', async () => {
      const r = await api.get('FolderType?$select=Id&$orderby=Id');
      assert.deepEqual(
        r.json.value.map((x: { Id: string }) => x.Id),
        Object.values(FOLDER_TYPE).sort(),
      );
    });

    it('§6.3 AddressType is seeded with Home, Business, Shipping, Other (GUIDs are ours)', async () => {
      const r = await api.get('AddressType?$select=Id,Name');
      assert.deepEqual(r.json.value.map((x: { Name: string }) => x.Name).sort(), [
        'Business',
        'Home',
        'Other',
        'Shipping',
      ]);
      assert.ok(
        r.json.value.every(
          (x: { Id: string; Name: keyof typeof ADDRESS_TYPE }) => ADDRESS_TYPE[x.Name] === x.Id,
        ),
      );
    });
  });

  describe('UI edits behave as API edits', () => {
    it('§6 a UI edit of the flat Email mirrors and stamps ModifiedOn like the API', async () => {
      t.s.resetStats();
      const c = t.s.ui.createContact({ Name: 'Ui Person', Email: 'ui@example.com' });
      t.clock.advance(5_000);
      const u = t.s.ui.updateContact(c.Id as string, { Email: 'ui2@example.com' });
      assert.equal(t.s.stats().apiCalls, 0, 'UI edits are not API calls');
      assert.equal(u.ModifiedOn, iso(T0 + 5_000));
      assert.deepEqual(
        (await comms(c.Id as string)).map((r) => r.Number),
        ['ui2@example.com'],
      );
    });

    it('§6.4 a UI removal from a folder by a UTC+3 user bumps ModifiedOn 3 h ahead', async () => {
      const f = t.s.ui.createFolder({ name: 'UiFolder' });
      const c = t.s.ui.createContact({ Name: 'Ui Member' });
      t.s.ui.addToFolder(f.Id as string, c.Id as string);
      assert.equal(t.s.ui.as('Kyiv').removeFromFolder(f.Id as string, c.Id as string), 1);
      assert.equal(t.s.ui.get('Contact', c.Id as string)!.ModifiedOn, iso(T0 + 3 * 3_600_000));
    });

    it('§6.2 UI communications added on a new contact become primary and fill the flat column', () => {
      const c = t.s.ui.createContact({
        Name: 'Ui Comms',
        communications: [{ type: 'MobilePhone', number: '+44 1' }],
      });
      assert.equal(c.MobilePhone, '+44 1');
      assert.equal(t.s.ui.rows('ContactCommunication', `$filter=ContactId eq ${c.Id as string}`).length, 1);
    });
  });
});
