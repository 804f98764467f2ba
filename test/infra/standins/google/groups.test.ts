// Contact groups, checked against reference §2 and §7.
import assert from 'node:assert/strict';
import type { GoogleStandin } from '../../../../infra/standins/google/index.js';
import { ALICE, BOB, api, person, start, type Api } from './helpers.js';

describe('Google stand-in: contact groups', function () {
  this.timeout(20_000);
  let standin: GoogleStandin;
  let alice: Api;

  beforeEach(async () => {
    standin = await start();
    alice = api(standin, standin.issueAccessToken(ALICE));
  });
  afterEach(() => standin.close());

  const newGroup = async (name: string, clientData?: { key: string; value: string }[]) => {
    const res = await alice.post('/v1/contactGroups', { contactGroup: { name, clientData } });
    assert.equal(res.status, 200, res.text);
    return res.body as { resourceName: string; etag: string; name: string };
  };
  const contact = (given: string) =>
    String(standin.user.createContact(ALICE, person(given, 'Member')).resourceName);

  it('§7 every account has the system groups myContacts and starred', async () => {
    const res = await alice.get('/v1/contactGroups');
    const byName = new Map(
      res.body.contactGroups.map((g: { resourceName: string; groupType: string }) => [
        g.resourceName,
        g.groupType,
      ]),
    );
    assert.equal(byName.get('contactGroups/myContacts'), 'SYSTEM_CONTACT_GROUP');
    assert.equal(byName.get('contactGroups/starred'), 'SYSTEM_CONTACT_GROUP');
    assert.equal(typeof res.body.nextSyncToken, 'string');
  });

  it('§2 contactGroups.list pages by 30 by default', async () => {
    for (let i = 0; i < 35; i++) standin.user.createGroup(ALICE, `Group ${i}`);
    const first = await alice.get('/v1/contactGroups');
    assert.equal(first.body.contactGroups.length, 30);
    assert.equal(typeof first.body.nextPageToken, 'string');
    const second = await alice.get('/v1/contactGroups', { pageToken: first.body.nextPageToken });
    assert.equal(second.body.contactGroups.length, 35 + 3 - 30);
  });

  it('§7 groupFields defaults to metadata,groupType,memberCount,name: clientData only when asked', async () => {
    const g = await newGroup('Tagged', [{ key: 'owner', value: 'crm' }]);
    const byDefault = await alice.get(`/v1/${g.resourceName}`);
    assert.equal(byDefault.body.clientData, undefined);
    assert.equal(byDefault.body.name, 'Tagged');
    assert.equal(byDefault.body.groupType, 'USER_CONTACT_GROUP');
    const asked = await alice.get(`/v1/${g.resourceName}`, { groupFields: 'clientData,name' });
    assert.deepEqual(asked.body.clientData, [{ key: 'owner', value: 'crm' }]);
    const listed = await alice.get('/v1/contactGroups');
    assert.ok(listed.body.contactGroups.every((x: { clientData?: unknown }) => x.clientData === undefined));
  });

  it('§7 a duplicate group name gives 409 ALREADY_EXISTS, per user', async () => {
    await newGroup("bpm'online");
    const dup = await alice.post('/v1/contactGroups', { contactGroup: { name: "bpm'online" } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.status, 'ALREADY_EXISTS');
    const bob = api(standin, standin.issueAccessToken(BOB));
    assert.equal((await bob.post('/v1/contactGroups', { contactGroup: { name: "bpm'online" } })).status, 200);
  });

  it('§7 renaming a group onto an existing name is a 409 too', async () => {
    await newGroup('A');
    const b = await newGroup('B');
    const res = await alice.put(`/v1/${b.resourceName}`, {
      contactGroup: { resourceName: b.resourceName, etag: b.etag, name: 'A' },
    });
    assert.equal(res.status, 409);
  });

  it('§7 get fills memberResourceNames up to maxMembers (default 0); memberCount is always the total', async () => {
    const g = await newGroup('Three');
    const members = [contact('A'), contact('B'), contact('C')];
    await alice.post(`/v1/${g.resourceName}/members:modify`, { resourceNamesToAdd: members });
    const none = await alice.get(`/v1/${g.resourceName}`);
    assert.equal(none.body.memberResourceNames, undefined);
    assert.equal(none.body.memberCount, 3);
    const two = await alice.get(`/v1/${g.resourceName}`, { maxMembers: 2 });
    assert.equal(two.body.memberResourceNames.length, 2);
    assert.equal(two.body.memberCount, 3);
    const batch = await alice.get('/v1/contactGroups:batchGet', {
      resourceNames: [g.resourceName, 'contactGroups/nope'],
      maxMembers: 10,
    });
    assert.deepEqual(
      [...batch.body.responses[0].contactGroup.memberResourceNames].sort(),
      [...members].sort(),
    );
    assert.equal(batch.body.responses[1].status.code, 5);
  });

  it('§7 lists never fill members', async () => {
    const g = await newGroup('Listed');
    await alice.post(`/v1/${g.resourceName}/members:modify`, { resourceNamesToAdd: [contact('A')] });
    const res = await alice.get('/v1/contactGroups', { groupFields: 'name,memberCount' });
    const listed = res.body.contactGroups.find(
      (x: { resourceName: string }) => x.resourceName === g.resourceName,
    );
    assert.equal(listed.memberCount, 1);
    assert.equal(listed.memberResourceNames, undefined);
  });

  it('§2 members:modify takes at most 1000 names combined', async () => {
    const g = await newGroup('Big');
    const names = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `people/c${from + i + 1}`);
    const over = await alice.post(`/v1/${g.resourceName}/members:modify`, {
      resourceNamesToAdd: names(600),
      resourceNamesToRemove: names(401, 600),
    });
    assert.equal(over.status, 400);
    const atLimit = await alice.post(`/v1/${g.resourceName}/members:modify`, {
      resourceNamesToAdd: names(600),
      resourceNamesToRemove: names(400, 600),
    });
    assert.equal(atLimit.status, 200);
    assert.equal(atLimit.body.notFoundResourceNames.length, 1000);
  });

  it('§7 members:modify reports notFoundResourceNames and canNotRemoveLastContactGroupResourceNames', async () => {
    const g = await newGroup('Mixed');
    const a = contact('A');
    const res = await alice.post(`/v1/${g.resourceName}/members:modify`, {
      resourceNamesToAdd: [a, 'people/c99'],
    });
    assert.deepEqual(res.body, { notFoundResourceNames: ['people/c99'] });
    const last = await alice.post('/v1/contactGroups/myContacts/members:modify', {
      resourceNamesToRemove: [a],
    });
    assert.deepEqual(last.body, {}, 'a is still in the user group, so leaving myContacts is fine');
    const stuck = await alice.post(`/v1/${g.resourceName}/members:modify`, { resourceNamesToRemove: [a] });
    assert.deepEqual(stuck.body, { canNotRemoveLastContactGroupResourceNames: [a] });
  });

  it('§7 only myContacts and starred among system groups accept additions', async () => {
    const a = contact('A');
    assert.equal(
      (await alice.post('/v1/contactGroups/starred/members:modify', { resourceNamesToAdd: [a] })).status,
      200,
    );
    const friends = await alice.post('/v1/contactGroups/friends/members:modify', { resourceNamesToAdd: [a] });
    assert.equal(friends.status, 400);
  });

  it('§2 deleting a group keeps its contacts unless deleteContacts=true', async () => {
    const keep = await newGroup('Keep');
    const drop = await newGroup('Drop');
    const a = contact('A');
    const b = contact('B');
    await alice.post(`/v1/${keep.resourceName}/members:modify`, { resourceNamesToAdd: [a] });
    await alice.post(`/v1/${drop.resourceName}/members:modify`, { resourceNamesToAdd: [b] });
    assert.equal((await alice.del(`/v1/${keep.resourceName}`)).status, 200);
    assert.equal((await alice.get(`/v1/${a}`, { personFields: 'names' })).status, 200);
    assert.equal((await alice.del(`/v1/${drop.resourceName}`, { deleteContacts: true })).status, 200);
    assert.equal((await alice.get(`/v1/${b}`, { personFields: 'names' })).status, 404);
    assert.equal((await alice.get(`/v1/${keep.resourceName}`)).status, 404);
  });

  it('§7 group metadata.deleted appears only on list calls with a syncToken', async () => {
    const g = await newGroup('Doomed');
    const first = await alice.get('/v1/contactGroups');
    await alice.del(`/v1/${g.resourceName}`);
    const inc = await alice.get('/v1/contactGroups', { syncToken: first.body.nextSyncToken });
    assert.deepEqual(
      inc.body.contactGroups.map((x: { resourceName: string; metadata: { deleted?: boolean } }) => [
        x.resourceName,
        x.metadata.deleted,
      ]),
      [[g.resourceName, true]],
    );
    const full = await alice.get('/v1/contactGroups');
    assert.ok(
      !full.body.contactGroups.some((x: { resourceName: string }) => x.resourceName === g.resourceName),
    );
  });

  it('§7 update changes the name by default (updateGroupFields defaults to name)', async () => {
    const g = await newGroup('Old', [{ key: 'k', value: 'v' }]);
    const res = await alice.put(`/v1/${g.resourceName}`, {
      contactGroup: { name: 'New' },
      readGroupFields: 'name,clientData',
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name, 'New');
    assert.deepEqual(res.body.clientData, [{ key: 'k', value: 'v' }]);
  });
});
