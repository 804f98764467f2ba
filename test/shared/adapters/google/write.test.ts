// Writing through GooglePeopleSide against the stand-in: batch creates with marker and group,
// updates that keep what we do not map, stale etags, rejected batches and group membership.
import assert from 'node:assert/strict';
import type { GooglePeopleSide } from '../../../../shared/adapters/google/index.js';
import type { SideRecord } from '../../../../shared/sync/index.js';
import {
  ALICE,
  MY_CONTACTS,
  calls,
  contact,
  harness,
  membership,
  personJson,
  type Harness,
} from './helpers.js';

describe('GooglePeopleSide: writes', function () {
  let h: Harness;
  let rt: string;
  let side: GooglePeopleSide;
  let group: string;

  beforeEach(async () => {
    h = await harness();
    rt = await h.connect();
    side = h.side(rt).side;
    await side.readChanges(null, { full: false });
    group = side.groupResourceName!;
  });
  afterEach(() => h.close());

  const record = async (id: string): Promise<SideRecord> => (await side.fetch([id])).records[0]!;

  it('creates in batches of 200, in the group, stamped with the marker, keyed by item key', async () => {
    h.standin.resetStats();
    const items = Array.from({ length: 450 }, (_, i) => ({
      key: `link-${i}`,
      id: null,
      contact: contact(`Given${i}`, 'Made', {
        phones: [{ number: `+1 555 01${String(i).padStart(2, '0')}`, type: 'fax' as const }],
      }),
      marker: `crm-${i}`,
    }));
    const out = await side.create(items);
    assert.equal(calls(h.standin, 'people.batchCreateContacts'), 3);
    assert.equal(out.size, 450);
    const r = out.get('link-7')!;
    assert.ok(r.ok);
    const stored = h.standin.user.getContact(ALICE, r.value.id)!;
    assert.equal(stored.etag, r.value.version);
    const data = (stored.clientData as Record<string, unknown>[]).map((c) => [c.key, c.value]);
    assert.deepEqual(data, [['contactSync.crmId', 'crm-7']]);
    const groups = (
      stored.memberships as { contactGroupMembership: { contactGroupResourceName: string } }[]
    ).map((m) => m.contactGroupMembership.contactGroupResourceName);
    assert.deepEqual(groups.sort(), [group, MY_CONTACTS].sort());
    assert.equal((stored.phoneNumbers as { type: string }[])[0]!.type, 'otherFax');
    const read = await record(r.value.id);
    assert.equal(read.marker, 'crm-7');
    assert.equal(read.extra ?? null, r.value.extra ?? null);
  });

  it('a create Google refuses (our group was deleted meanwhile) fails as validation, in bounded calls', async () => {
    const items = [1, 2, 3].map((i) => ({
      key: `k${i}`,
      id: null,
      contact: contact(`Ok${i}`, 'Person'),
      marker: null,
    }));
    const other = h.side(rt, { groupName: 'Doomed' }).side;
    await other.readChanges(null, { full: false });
    h.standin.user.deleteGroup(ALICE, other.groupResourceName!);
    h.standin.resetStats();
    const out = await other.create(items);
    assert.ok([...out.values()].every((r) => !r.ok && r.error.kind === 'validation'));
    // Narrowed down by halves, each half refused again: at most 2n - 1 calls, nothing created.
    assert.ok(calls(h.standin, 'people.batchCreateContacts') <= 5);
    assert.equal(h.standin.user.listContacts(ALICE).length, 0);
  });

  it('an update writes only the masked fields and keeps honorifics, custom phone labels and a second organization', async () => {
    const p = h.standin.user.createContact(ALICE, {
      names: [
        { givenName: 'Ada', familyName: 'Lovelace', honorificPrefix: 'Dr.', phoneticGivenName: 'A-da' },
      ],
      emailAddresses: [{ value: 'Ada@Example.com', type: 'Conference', displayName: 'Ada L.' }],
      phoneNumbers: [
        { value: '+44 20 7946 0000', type: 'Assistant line' },
        { value: '+44 20 7946 0001', type: 'workMobile' },
      ],
      organizations: [
        { name: 'Analytical Engines', title: 'Programmer', location: 'London' },
        { name: 'Royal Society', title: 'Fellow' },
      ],
      urls: [{ value: 'https://example.com/ada', type: 'homePage' }],
      memberships: [membership(group), membership(MY_CONTACTS)],
    });
    const rec = await record(p.resourceName as string);
    const next = {
      ...rec.contact,
      givenName: 'Augusta',
      jobTitle: 'Lead programmer',
      phones: [...rec.contact.phones, { number: '+44 20 7946 0002', type: 'mobile' as const }],
    };
    h.standin.resetStats();
    const out = await side.update([
      {
        id: rec.id,
        version: rec.version,
        extra: rec.extra ?? null,
        fields: ['givenName', 'jobTitle', 'phones'],
        held: rec.contact,
        contact: next,
      },
    ]);
    const r = out.get(rec.id)!;
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(calls(h.standin, 'people.batchUpdateContacts'), 1);
    const stored = h.standin.user.getContact(ALICE, rec.id)!;
    assert.equal(stored.etag, r.value.version);
    const names = (stored.names as Record<string, unknown>[])[0]!;
    assert.equal(names.givenName, 'Augusta');
    assert.equal(names.honorificPrefix, 'Dr.');
    assert.equal(names.phoneticGivenName, 'A-da');
    const phones = (stored.phoneNumbers as Record<string, unknown>[]).map((x) => [x.value, x.type]);
    assert.deepEqual(phones, [
      ['+44 20 7946 0000', 'Assistant line'],
      ['+44 20 7946 0001', 'workMobile'],
      ['+44 20 7946 0002', 'mobile'],
    ]);
    const orgs = (stored.organizations as Record<string, unknown>[]).map((o) => [
      o.name,
      o.title,
      o.location,
    ]);
    assert.deepEqual(orgs, [
      ['Analytical Engines', 'Lead programmer', 'London'],
      ['Royal Society', 'Fellow', undefined],
    ]);
    // Fields outside the mask are untouched, data we never map included.
    const emails = (stored.emailAddresses as Record<string, unknown>[])[0]!;
    assert.deepEqual(
      [emails.value, emails.type, emails.displayName],
      ['Ada@Example.com', 'Conference', 'Ada L.'],
    );
    assert.equal((stored.urls as Record<string, unknown>[])[0]!.value, 'https://example.com/ada');
    // The extra returned is what the next read gives, so an echo changes nothing in the link.
    assert.equal((await record(rec.id)).extra, r.value.extra);
  });

  /** An update of the family name sent with no etag, as after a membership change rotated it. */
  const renameAfterMembershipChange = (rec: SideRecord) =>
    side.update([
      {
        id: rec.id,
        version: null,
        extra: rec.extra ?? null,
        fields: ['familyName'],
        held: rec.contact,
        contact: { ...rec.contact, familyName: 'King' },
      },
    ]);

  it('version null (a membership change rotated the etag): the etag is read first, unmapped data still kept', async () => {
    const p = h.standin.user.createContact(
      ALICE,
      personJson('Ada', 'Lovelace', {
        names: [{ givenName: 'Ada', familyName: 'Lovelace', honorificSuffix: 'FRS' }],
        memberships: [membership(MY_CONTACTS)],
      }),
    );
    const id = p.resourceName as string;
    const rec = await record(id);
    await side.addToGroup([id]);
    h.standin.resetStats();
    const out = await renameAfterMembershipChange(rec);
    assert.ok(out.get(id)?.ok);
    assert.equal(calls(h.standin, 'people.getBatchGet'), 1);
    const names = (h.standin.user.getContact(ALICE, id)!.names as Record<string, unknown>[])[0]!;
    assert.deepEqual([names.familyName, names.honorificSuffix], ['King', 'FRS']);
  });

  it('version null, and the field edited since it was read: stale, nothing written over the edit', async () => {
    const p = h.standin.user.createContact(ALICE, personJson('Ada', 'Lovelace'));
    const id = p.resourceName as string;
    const rec = await record(id);
    await side.addToGroup([id]);
    // The user edits the name after the run read it; the membership change left no etag to catch it.
    h.standin.user.updateContact(ALICE, id, { names: [{ givenName: 'Ada', familyName: 'Byron' }] });
    h.standin.resetStats();
    const out = await renameAfterMembershipChange(rec);
    assert.equal((out.get(id) as { error: { kind: string } }).error.kind, 'stale');
    assert.equal(calls(h.standin, 'people.batchUpdateContacts'), 0);
    const names = (h.standin.user.getContact(ALICE, id)!.names as Record<string, unknown>[])[0]!;
    assert.equal(names.familyName, 'Byron');
  });

  it('a stale etag comes back as stale for that item only; the rest of the batch is written', async () => {
    const made = await side.create(
      [1, 2, 3].map((i) => ({ key: `k${i}`, id: null, contact: contact(`G${i}`, 'F'), marker: null })),
    );
    const recs = await Promise.all(
      [...made.values()].map((r) => (r.ok ? record(r.value.id) : Promise.reject(r))),
    );
    // The user edits the second one after we read it.
    h.standin.user.updateContact(ALICE, recs[1]!.id, { biographies: [{ value: 'user edit' }] });
    h.standin.resetStats();
    const out = await side.update(
      recs.map((r) => ({
        id: r.id,
        version: r.version,
        extra: r.extra ?? null,
        fields: ['jobTitle'],
        held: r.contact,
        contact: { ...r.contact, jobTitle: 'Boss' },
      })),
    );
    assert.deepEqual(
      recs.map((r) => (out.get(r.id)!.ok ? 'ok' : (out.get(r.id) as { error: { kind: string } }).error.kind)),
      ['ok', 'stale', 'ok'],
    );
    assert.equal(calls(h.standin, 'people.batchUpdateContacts'), 2);
    assert.equal(calls(h.standin, 'people.getBatchGet'), 1);
    const stale = h.standin.user.getContact(ALICE, recs[1]!.id)!;
    assert.equal(stale.organizations, undefined);
    assert.equal((stale.biographies as Record<string, unknown>[])[0]!.value, 'user edit');
  });

  it('an update of a deleted contact is not-found; items with different fields go in separate calls', async () => {
    const made = await side.create(
      [1, 2, 3].map((i) => ({ key: `k${i}`, id: null, contact: contact(`G${i}`, 'F'), marker: null })),
    );
    const recs = await Promise.all(
      [...made.values()].map((r) => (r.ok ? record(r.value.id) : Promise.reject(r))),
    );
    h.standin.user.deleteContact(ALICE, recs[0]!.id);
    h.standin.resetStats();
    const out = await side.update([
      {
        id: recs[0]!.id,
        version: recs[0]!.version,
        extra: null,
        fields: ['notes'],
        held: recs[0]!.contact,
        contact: { ...recs[0]!.contact, notes: 'x' },
      },
      {
        id: recs[1]!.id,
        version: recs[1]!.version,
        extra: null,
        fields: ['notes'],
        held: recs[1]!.contact,
        contact: { ...recs[1]!.contact, notes: 'y' },
      },
      {
        id: recs[2]!.id,
        version: recs[2]!.version,
        extra: null,
        fields: ['birthday'],
        held: recs[2]!.contact,
        contact: { ...recs[2]!.contact, birthday: '--02-29' },
      },
    ]);
    assert.deepEqual(out.get(recs[0]!.id), {
      ok: false,
      error: { kind: 'not-found', message: 'google contact no longer exists' },
    });
    assert.ok(out.get(recs[1]!.id)?.ok);
    assert.ok(out.get(recs[2]!.id)?.ok);
    assert.deepEqual(
      (h.standin.user.getContact(ALICE, recs[2]!.id)!.birthdays as Record<string, unknown>[])[0]!.date,
      {
        month: 2,
        day: 29,
      },
    );
    // notes: rejected once (deleted item), then the survivor; birthday: one call.
    assert.equal(calls(h.standin, 'people.batchUpdateContacts'), 3);
  });

  it('group membership: add and remove in calls of 1,000; unknown ids are not-found', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 1200; i++)
      ids.push(h.standin.user.createContact(ALICE, personJson(`P${i}`, 'Q')).resourceName as string);
    h.standin.resetStats();
    const added = await side.addToGroup([...ids, 'people/c0000000000000000001']);
    assert.equal(calls(h.standin, 'contactGroups.members.modify'), 2);
    assert.equal([...added.values()].filter((r) => r.ok).length, 1200);
    assert.equal(added.get('people/c0000000000000000001')?.ok, false);
    assert.equal(h.standin.user.getGroup(ALICE, group)!.memberCount, 1200);
    const removed = await side.removeFromGroup(ids.slice(0, 10));
    assert.ok([...removed.values()].every((r) => r.ok));
    assert.equal(h.standin.user.getGroup(ALICE, group)!.memberCount, 1190);
  });

  it('a contact whose only group is ours is given My Contacts before it leaves', async () => {
    const id = h.standin.user.createContact(
      ALICE,
      personJson('Only', 'Ours', { memberships: [membership(group)] }),
    ).resourceName as string;
    const out = await side.removeFromGroup([id]);
    assert.ok(out.get(id)?.ok);
    const groups = (
      h.standin.user.getContact(ALICE, id)!.memberships as {
        contactGroupMembership: { contactGroupResourceName: string };
      }[]
    ).map((m) => m.contactGroupMembership.contactGroupResourceName);
    assert.deepEqual(groups, [MY_CONTACTS]);
  });

  it('writes of one account go out one at a time, even when called together', async () => {
    const made = await side.create([{ key: 'k', id: null, contact: contact('A', 'B'), marker: null }]);
    const id = (made.get('k') as { value: { id: string } }).value.id;
    h.standin.faults.add({ match: { method: 'contactGroups.members.modify' }, delayMs: 150, times: 1 });
    const order: string[] = [];
    await Promise.all([
      side.removeFromGroup([id]).then(() => order.push('remove')),
      side.addToGroup([id]).then(() => order.push('add')),
    ]);
    assert.deepEqual(order, ['remove', 'add']);
    assert.equal((await record(id)).inGroup, true);
  });
});
