// The stand-in is a model of Google: each test checks one documented (or reported) behaviour of
// the People API, citing the section of reference/google-people-api.md it comes from.
import assert from 'node:assert/strict';
import type { GoogleStandin } from '../../../../infra/standins/google/index.js';
import { ALICE, api, person, start, type Api } from './helpers.js';

describe('Google stand-in: people', function () {
  this.timeout(20_000);
  let standin: GoogleStandin;
  let alice: Api;

  beforeEach(async () => {
    standin = await start();
    alice = api(standin, standin.issueAccessToken(ALICE));
  });
  afterEach(() => standin.close());

  const create = async (body: unknown, personFields?: string) => {
    const res = await alice.post('/v1/people:createContact', body, personFields ? { personFields } : {});
    assert.equal(res.status, 200, res.text);
    return res.body;
  };

  describe('§5 person shape', () => {
    it('§5 createContact assigns people/c<digits> (≤27 chars), a top-level etag and a CONTACT source', async () => {
      const p = await create(person('Ada', 'Lovelace'));
      assert.match(p.resourceName, /^people\/c\d+$/);
      assert.ok(p.resourceName.length <= 27);
      assert.equal(typeof p.etag, 'string');
      const [source] = p.metadata.sources;
      assert.equal(source.type, 'CONTACT');
      assert.equal(typeof source.id, 'string');
      assert.equal(typeof source.etag, 'string');
      assert.ok(!Number.isNaN(Date.parse(source.updateTime)));
    });

    it('§5 computes displayName, displayNameLastFirst, formattedType, canonicalForm and formattedValue', async () => {
      const p = await create({
        names: [{ givenName: 'Ada', familyName: 'Lovelace' }],
        emailAddresses: [{ value: 'ada@example.com', type: 'work' }],
        phoneNumbers: [
          { value: '+44 20 7946 0000', type: 'mobile' },
          { value: '(202) 555-0101', type: 'homeFax' },
          { value: 'ext. 12', type: 'work' },
        ],
        addresses: [
          {
            streetAddress: '1 Main St',
            city: 'Springfield',
            region: 'IL',
            postalCode: '62701',
            country: 'US',
            type: 'home',
          },
        ],
      });
      assert.equal(p.names[0].displayName, 'Ada Lovelace');
      assert.equal(p.names[0].displayNameLastFirst, 'Lovelace, Ada');
      assert.equal(p.emailAddresses[0].formattedType, 'Work');
      assert.equal(p.phoneNumbers[0].canonicalForm, '+442079460000');
      assert.equal(p.phoneNumbers[1].canonicalForm, '+12025550101');
      assert.equal(p.phoneNumbers[1].formattedType, 'Home Fax');
      assert.equal(p.phoneNumbers[2].canonicalForm, undefined);
      assert.equal(p.addresses[0].formattedValue, '1 Main St\nSpringfield, IL 62701\nUS');
    });

    it('§5 stores clientData, externalIds, userDefined, organizations, birthdays, biographies and urls', async () => {
      const body = {
        clientData: [{ key: 'crmId', value: 'C-1' }],
        externalIds: [{ value: 'C-1', type: 'account' }],
        userDefined: [{ key: 'Tier', value: 'Gold' }],
        organizations: [{ name: 'Example Corp', title: 'CTO' }],
        birthdays: [{ date: { year: 1815, month: 12, day: 10 } }],
        biographies: [{ value: 'Analyst' }],
        urls: [{ value: 'https://example.com', type: 'work' }],
      };
      const { resourceName } = await create(body);
      const got = await alice.get(`/v1/${resourceName}`, {
        personFields: 'clientData,externalIds,userDefined,organizations,birthdays,biographies,urls',
      });
      assert.equal(got.status, 200);
      assert.equal(got.body.clientData[0].value, 'C-1');
      assert.equal(got.body.externalIds[0].type, 'account');
      assert.equal(got.body.userDefined[0].key, 'Tier');
      assert.equal(got.body.organizations[0].title, 'CTO');
      assert.deepEqual(got.body.birthdays[0].date, { year: 1815, month: 12, day: 10 });
      assert.equal(got.body.biographies[0].contentType, 'TEXT_PLAIN');
      assert.equal(got.body.urls[0].formattedType, 'Work');
    });

    it('§3 only the requested personFields come back (resourceName and etag always)', async () => {
      const { resourceName } = await create(
        person('Ada', 'Lovelace', { emailAddresses: [{ value: 'a@example.com' }] }),
      );
      const got = await alice.get(`/v1/${resourceName}`, { personFields: 'emailAddresses' });
      assert.deepEqual(Object.keys(got.body).sort(), ['emailAddresses', 'etag', 'resourceName']);
    });

    it('§3 people.get without personFields is a 400', async () => {
      const { resourceName } = await create(person('Ada', 'Lovelace'));
      const got = await alice.get(`/v1/${resourceName}`);
      assert.equal(got.status, 400);
      assert.equal(got.body.error.status, 'INVALID_ARGUMENT');
      assert.match(got.body.error.message, /personFields mask is required/);
    });

    it('§7 a contact created with no membership joins myContacts (stand-in assumption)', async () => {
      const p = await create(person('Ada', 'Lovelace'), 'memberships');
      assert.deepEqual(
        p.memberships.map((m: { contactGroupMembership: unknown }) => m.contactGroupMembership),
        [{ contactGroupId: 'myContacts', contactGroupResourceName: 'contactGroups/myContacts' }],
      );
    });

    it('§8 two names on one contact give "Cannot have more than one person.names per source."', async () => {
      const res = await alice.post('/v1/people:createContact', {
        names: [{ givenName: 'A' }, { givenName: 'B' }],
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.message, 'Cannot have more than one person.names per source.');
      const bio = await alice.post('/v1/people:createContact', {
        biographies: [{ value: 'a' }, { value: 'b' }],
      });
      assert.equal(bio.body.error.message, 'Cannot have more than one person.biographies per source.');
    });

    it('§2 an unknown Person key is rejected like Google’s JSON parser does', async () => {
      const res = await alice.post('/v1/people:createContact', { name: [{ givenName: 'typo' }] });
      assert.equal(res.status, 400);
      assert.match(res.body.error.message, /Unknown name "name" at 'person': Cannot find field/);
    });

    it('§2 people/me returns the authenticated account’s own profile', async () => {
      const me = await alice.get('/v1/people/me', { personFields: 'names,emailAddresses' });
      assert.equal(me.status, 200);
      assert.match(me.body.resourceName, /^people\/\d+$/);
      assert.equal(me.body.emailAddresses[0].value, ALICE);
      assert.equal(me.body.names[0].givenName, 'Alice');
    });
  });

  describe('§6 updates, masks and etags', () => {
    it('§6 update without any etag gives the reported "must set person.etag" 400', async () => {
      const p = await create(person('Ada', 'Lovelace'));
      const res = await alice.patch(`/v1/${p.resourceName}:updateContact`, person('Ada', 'King'), {
        updatePersonFields: 'names',
      });
      assert.equal(res.status, 400);
      assert.equal(
        res.body.error.message,
        'Request must set person.etag or person.metadata.sources.etag for the source that is being updated.',
      );
    });

    it('§8 a stale etag gives 400 FAILED_PRECONDITION with the reported message', async () => {
      const p = await create(person('Ada', 'Lovelace'));
      const first = await alice.patch(
        `/v1/${p.resourceName}:updateContact`,
        { ...person('Ada', 'King'), etag: p.etag },
        { updatePersonFields: 'names' },
      );
      assert.equal(first.status, 200);
      const stale = await alice.patch(
        `/v1/${p.resourceName}:updateContact`,
        { ...person('Ada', 'Byron'), etag: p.etag },
        { updatePersonFields: 'names' },
      );
      assert.equal(stale.status, 400);
      assert.equal(stale.body.error.status, 'FAILED_PRECONDITION');
      assert.equal(
        stale.body.error.message,
        'Request person.etag is different than the current person.etag. Clear local cache and get the latest person.',
      );
    });

    it('§6 either the top-level etag or metadata.sources[].etag is accepted', async () => {
      const p = await create(person('Ada', 'Lovelace'));
      const bySource = await alice.patch(
        `/v1/${p.resourceName}:updateContact`,
        {
          ...person('Ada', 'King'),
          metadata: {
            sources: [{ type: 'CONTACT', id: p.metadata.sources[0].id, etag: p.metadata.sources[0].etag }],
          },
        },
        { updatePersonFields: 'names' },
      );
      assert.equal(bySource.status, 200, bySource.text);
      const byTop = await alice.patch(
        `/v1/${p.resourceName}:updateContact`,
        { ...person('Ada', 'Byron'), etag: bySource.body.etag },
        { updatePersonFields: 'names' },
      );
      assert.equal(byTop.status, 200, byTop.text);
    });

    it('§6 the etag rotates on every mutation, membership changes included', async () => {
      const p = await create(person('Ada', 'Lovelace'), 'metadata');
      const seen = new Set<string>([p.etag, p.metadata.sources[0].etag]);
      const upd = await alice.patch(
        `/v1/${p.resourceName}:updateContact`,
        { ...person('Ada', 'King'), etag: p.etag },
        { updatePersonFields: 'names', personFields: 'metadata' },
      );
      assert.ok(!seen.has(upd.body.etag) && !seen.has(upd.body.metadata.sources[0].etag));
      seen.add(upd.body.etag);
      const mod = await alice.post('/v1/contactGroups/starred/members:modify', {
        resourceNamesToAdd: [p.resourceName],
      });
      assert.equal(mod.status, 200);
      const afterMembership = await alice.get(`/v1/${p.resourceName}`, { personFields: 'memberships' });
      assert.ok(!seen.has(afterMembership.body.etag), 'members:modify must change the person etag');
      seen.add(afterMembership.body.etag);
      standin.user.updateContact(ALICE, p.resourceName, { emailAddresses: [{ value: 'ada@example.com' }] });
      const afterUi = await alice.get(`/v1/${p.resourceName}`, { personFields: 'emailAddresses' });
      assert.ok(!seen.has(afterUi.body.etag), 'a user edit in the UI must change the etag');
    });

    it('§6 masked fields are replaced wholesale, unmasked fields are kept, masked-but-absent fields are cleared', async () => {
      const p = await create({
        names: [{ givenName: 'Ada', familyName: 'Lovelace' }],
        phoneNumbers: [{ value: '+1 202 555 0101' }, { value: '+1 202 555 0102' }],
        emailAddresses: [{ value: 'ada@example.com' }],
        organizations: [{ name: 'Example Corp' }],
      });
      const res = await alice.patch(
        `/v1/${p.resourceName}:updateContact`,
        { etag: p.etag, phoneNumbers: [{ value: '+1 202 555 0199' }] },
        {
          updatePersonFields: 'phoneNumbers,emailAddresses',
          personFields: 'names,phoneNumbers,emailAddresses,organizations',
        },
      );
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        res.body.phoneNumbers.map((x: { value: string }) => x.value),
        ['+1 202 555 0199'],
      );
      assert.equal(res.body.emailAddresses, undefined, 'masked but absent means cleared');
      assert.equal(res.body.names[0].givenName, 'Ada');
      assert.equal(res.body.organizations[0].name, 'Example Corp');
    });

    it('§6 a malformed update mask gives 400 "Invalid FieldMask"; an unknown path is refused too', async () => {
      const p = await create(person('Ada', 'Lovelace'));
      const bad = await alice.patch(
        `/v1/${p.resourceName}:updateContact`,
        { etag: p.etag },
        { updatePersonFields: '"emailAddresses": []' },
      );
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /Invalid FieldMask/);
      const unknown = await alice.patch(
        `/v1/${p.resourceName}:updateContact`,
        { etag: p.etag },
        { updatePersonFields: 'photos' },
      );
      assert.equal(unknown.status, 400);
      const missing = await alice.patch(`/v1/${p.resourceName}:updateContact`, { etag: p.etag });
      assert.match(missing.body.error.message, /^updatePersonFields mask is required/);
    });

    it('§7 updating memberships to none is a 400', async () => {
      const p = await create(person('Ada', 'Lovelace'));
      const res = await alice.patch(
        `/v1/${p.resourceName}:updateContact`,
        { etag: p.etag, memberships: [] },
        { updatePersonFields: 'memberships' },
      );
      assert.equal(res.status, 400);
    });

    it('§6 sending memberships replaces the full membership list', async () => {
      const g = await alice.post('/v1/contactGroups', { contactGroup: { name: 'Customers' } });
      const p = await create(person('Ada', 'Lovelace'));
      const res = await alice.patch(
        `/v1/${p.resourceName}:updateContact`,
        {
          etag: p.etag,
          memberships: [{ contactGroupMembership: { contactGroupResourceName: g.body.resourceName } }],
        },
        { updatePersonFields: 'memberships', personFields: 'memberships' },
      );
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        res.body.memberships.map(
          (m: { contactGroupMembership: { contactGroupResourceName: string } }) =>
            m.contactGroupMembership.contactGroupResourceName,
        ),
        [g.body.resourceName],
      );
    });

    it('§2 deleteContact returns an empty body and the contact is gone', async () => {
      const p = await create(person('Ada', 'Lovelace'));
      const del = await alice.del(`/v1/${p.resourceName}:deleteContact`);
      assert.equal(del.status, 200);
      assert.deepEqual(del.body, {});
      const got = await alice.get(`/v1/${p.resourceName}`, { personFields: 'names' });
      assert.equal(got.status, 404);
      assert.equal(got.body.error.status, 'NOT_FOUND');
    });
  });

  describe('§2 batch limits', () => {
    const contacts = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ contactPerson: person(`P${i}`, 'Batch') }));

    it('§2 batchCreateContacts accepts 200 and answers createdPeople[]', async () => {
      const res = await alice.post('/v1/people:batchCreateContacts', {
        contacts: contacts(200),
        readMask: 'names',
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.createdPeople.length, 200);
      assert.match(res.body.createdPeople[0].person.resourceName, /^people\/c\d+$/);
      assert.equal(res.body.createdPeople[0].person.names[0].givenName, 'P0');
    });

    it('§2 batchCreateContacts with 201 contacts is a 400 and creates nothing', async () => {
      const res = await alice.post('/v1/people:batchCreateContacts', {
        contacts: contacts(201),
        readMask: 'names',
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.status, 'INVALID_ARGUMENT');
      assert.equal(standin.user.listContacts(ALICE).length, 0);
    });

    it('§5 an account holds at most its contact limit: a batch past it is refused whole, a single create too', async () => {
      standin.user.setContactLimit(ALICE, 3);
      const refused = await alice.post('/v1/people:batchCreateContacts', {
        contacts: contacts(4),
        readMask: '',
      });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.status, 'FAILED_PRECONDITION');
      assert.equal(standin.user.listContacts(ALICE).length, 0, 'nothing written');
      const fits = await alice.post('/v1/people:batchCreateContacts', {
        contacts: contacts(3),
        readMask: '',
      });
      assert.equal(fits.status, 200);
      const one = await alice.post('/v1/people:createContact', person('Extra', 'One'));
      assert.equal(one.status, 400);
      assert.equal(one.body.error.status, 'FAILED_PRECONDITION');
      const count = await alice.get('/v1/people/me/connections', { personFields: 'metadata', pageSize: '1' });
      assert.equal(count.body.totalItems, 3, 'the count a client can read');
    });

    it('§2 batchCreateContacts requires readMask; an empty one skips the read-back', async () => {
      const missing = await alice.post('/v1/people:batchCreateContacts', { contacts: contacts(1) });
      assert.equal(missing.status, 400);
      const empty = await alice.post('/v1/people:batchCreateContacts', {
        contacts: contacts(1),
        readMask: '',
      });
      assert.equal(empty.status, 200);
      assert.deepEqual(Object.keys(empty.body.createdPeople[0].person).sort(), ['etag', 'resourceName']);
    });

    it('§2 batchUpdateContacts needs updateMask and readMask and answers an updateResult map', async () => {
      const created = await alice.post('/v1/people:batchCreateContacts', {
        contacts: contacts(2),
        readMask: 'names',
      });
      const [a, b] = created.body.createdPeople.map(
        (r: { person: { resourceName: string; etag: string } }) => r.person,
      );
      const body = {
        contacts: {
          [a.resourceName]: { etag: a.etag, ...person('A2', 'X') },
          [b.resourceName]: { etag: b.etag, ...person('B2', 'X') },
        },
      };
      assert.equal(
        (await alice.post('/v1/people:batchUpdateContacts', { ...body, readMask: 'names' })).status,
        400,
      );
      assert.equal(
        (await alice.post('/v1/people:batchUpdateContacts', { ...body, updateMask: 'names' })).status,
        400,
      );
      const ok = await alice.post('/v1/people:batchUpdateContacts', {
        ...body,
        updateMask: 'names',
        readMask: 'names',
      });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.updateResult[a.resourceName].person.names[0].givenName, 'A2');
      assert.equal(ok.body.updateResult[b.resourceName].person.names[0].givenName, 'B2');
    });

    it('§2 batchUpdateContacts with a stale etag fails as a whole with the §8 stale-etag error', async () => {
      const created = await alice.post('/v1/people:batchCreateContacts', {
        contacts: contacts(2),
        readMask: 'names',
      });
      const [a, b] = created.body.createdPeople.map(
        (r: { person: { resourceName: string; etag: string } }) => r.person,
      );
      const res = await alice.post('/v1/people:batchUpdateContacts', {
        contacts: {
          [a.resourceName]: { etag: a.etag, ...person('A2', 'X') },
          [b.resourceName]: { etag: 'stale', ...person('B2', 'X') },
        },
        updateMask: 'names',
        readMask: 'names',
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.status, 'FAILED_PRECONDITION');
      const untouched = await alice.get(`/v1/${a.resourceName}`, { personFields: 'names' });
      assert.equal(untouched.body.names[0].givenName, 'P0');
    });

    it('§2 batchUpdateContacts with 201 contacts is a 400', async () => {
      const map = Object.fromEntries(
        Array.from({ length: 201 }, (_, i) => [`people/c${1000 + i}`, { etag: 'x' }]),
      );
      const res = await alice.post('/v1/people:batchUpdateContacts', {
        contacts: map,
        updateMask: 'names',
        readMask: 'names',
      });
      assert.equal(res.status, 400);
    });

    it('§2 batchDeleteContacts accepts up to 500 names and refuses 501', async () => {
      const created = await alice.post('/v1/people:batchCreateContacts', {
        contacts: contacts(3),
        readMask: '',
      });
      const names = created.body.createdPeople.map(
        (r: { person: { resourceName: string } }) => r.person.resourceName,
      );
      const tooMany = await alice.post('/v1/people:batchDeleteContacts', {
        resourceNames: Array.from({ length: 501 }, (_, i) => `people/c${i + 1}`),
      });
      assert.equal(tooMany.status, 400);
      const ok = await alice.post('/v1/people:batchDeleteContacts', { resourceNames: names });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body, {});
      assert.equal(standin.user.listContacts(ALICE).length, 0);
    });

    it('§2 getBatchGet allows 200 names, refuses 201 and reports unknown names per item', async () => {
      const p = await create(person('Ada', 'Lovelace'));
      const res = await alice.get('/v1/people:batchGet', {
        resourceNames: [p.resourceName, 'people/c123'],
        personFields: 'names',
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.responses[0].person.names[0].givenName, 'Ada');
      assert.equal(res.body.responses[1].status.code, 5);
      assert.equal(res.body.responses[1].requestedResourceName, 'people/c123');
      const names = Array.from({ length: 201 }, (_, i) => `people/c${i + 1}`);
      assert.equal(
        (await alice.get('/v1/people:batchGet', { resourceNames: names, personFields: 'names' })).status,
        400,
      );
    });
  });

  describe('§2 searchContacts', () => {
    beforeEach(async () => {
      await create(
        person('Ada', 'Lovelace', {
          emailAddresses: [{ value: 'ada@analytical.example' }],
          organizations: [{ name: 'Engine Works' }],
        }),
      );
      await create(person('Charles', 'Babbage', { phoneNumbers: [{ value: '+44 20 7946 0001' }] }));
    });
    const names = (res: { body: { results?: { person: { names: { givenName: string }[] } }[] } }) =>
      (res.body.results ?? []).map((r) => r.person.names[0]!.givenName);

    it('§2 the empty-query warm-up request answers an empty result', async () => {
      const res = await alice.get('/v1/people:searchContacts', { query: '', readMask: 'names' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {});
    });

    it('§2 search is a case-insensitive prefix match on names, emails, phones and organization', async () => {
      assert.deepEqual(
        names(await alice.get('/v1/people:searchContacts', { query: 'LOVE', readMask: 'names' })),
        ['Ada'],
      );
      assert.deepEqual(
        names(await alice.get('/v1/people:searchContacts', { query: 'ada@ana', readMask: 'names' })),
        ['Ada'],
      );
      assert.deepEqual(
        names(await alice.get('/v1/people:searchContacts', { query: '+44 20 79', readMask: 'names' })),
        ['Charles'],
      );
      assert.deepEqual(
        names(await alice.get('/v1/people:searchContacts', { query: 'engine', readMask: 'names' })),
        ['Ada'],
      );
      assert.deepEqual(
        names(await alice.get('/v1/people:searchContacts', { query: 'ove', readMask: 'names' })),
        [],
        'not an infix match',
      );
    });

    it('§2 searchContacts requires readMask', async () => {
      const res = await alice.get('/v1/people:searchContacts', { query: 'a' });
      assert.equal(res.status, 400);
    });
  });
});
