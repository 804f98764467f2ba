// Reading through GooglePeopleSide against the stand-in: the group, full and incremental listings,
// tombstones, echoes of our own writes, fetch and lookup. Requests are counted by the stand-in.
import assert from 'node:assert/strict';
import type { SideChanges } from '../../../../shared/ports.js';
import {
  ALICE,
  GROUP,
  apiCalls,
  calls,
  contact,
  groupsNamed,
  harness,
  membership,
  personJson,
  seedMembers,
  type Harness,
} from './helpers.js';

describe('GooglePeopleSide: the group', function () {
  let h: Harness;
  let rt: string;
  beforeEach(async () => {
    h = await harness();
    rt = await h.connect();
  });
  afterEach(() => h.close());

  it('a first sync creates the group once, and later runs do not look it up again', async () => {
    const { side } = h.side(rt);
    const first = await side.readChanges(null, { full: false });
    assert.equal(groupsNamed(h.standin, GROUP).length, 1);
    assert.equal(first.complete, true);
    assert.equal(first.memberCount, 0);
    h.standin.resetStats();
    const next = h.side(rt).side;
    const again = await next.readChanges(side.settleCursor(first.cursor), { full: false });
    assert.equal(again.complete, false);
    assert.equal(calls(h.standin, 'contactGroups.list'), 0);
    assert.equal(calls(h.standin, 'contactGroups.create'), 0);
    assert.equal(next.groupResourceName, side.groupResourceName);
  });

  it('a dropped connection on the group create is settled by listing again: one group', async () => {
    h.standin.faults.add({ match: { method: 'contactGroups.create' }, drop: true, times: 1 });
    const { side } = h.side(rt);
    await side.readChanges(null, { full: false });
    assert.equal(groupsNamed(h.standin, GROUP).length, 1);
    assert.equal(calls(h.standin, 'contactGroups.create'), 2);
    assert.equal(calls(h.standin, 'contactGroups.list'), 2);
  });

  it('a create that happened although its answer was lost is reused, not repeated', async () => {
    h.standin.faults.add({ match: { method: 'contactGroups.create' }, dropAfter: true, times: 1 });
    const { side } = h.side(rt);
    await side.readChanges(null, { full: false });
    assert.equal(groupsNamed(h.standin, GROUP).length, 1);
    assert.equal(calls(h.standin, 'contactGroups.create'), 1);
    assert.equal(calls(h.standin, 'contactGroups.list'), 2);
  });

  it('a 409 (made meanwhile) re-lists and reuses the existing group', async () => {
    h.standin.faults.add({ match: { method: 'contactGroups.create' }, delayMs: 200, times: 1 });
    const { side } = h.side(rt);
    const reading = side.readChanges(null, { full: false });
    await new Promise((r) => setTimeout(r, 100));
    const made = h.standin.user.createGroup(ALICE, GROUP);
    await reading;
    assert.equal(side.groupResourceName, made.resourceName);
    assert.equal(groupsNamed(h.standin, GROUP).length, 1);
    assert.equal(calls(h.standin, 'contactGroups.list'), 2);
  });

  it('an existing group of that name is used, and other groups are left alone', async () => {
    h.standin.user.createGroup(ALICE, 'Prospects');
    const existing = h.standin.user.createGroup(ALICE, GROUP);
    const { side } = h.side(rt);
    await side.readChanges(null, { full: false });
    assert.equal(side.groupResourceName, existing.resourceName);
    assert.equal(calls(h.standin, 'contactGroups.create'), 0);
  });

  it('the group name is configurable', async () => {
    const { side } = h.side(rt, { groupName: 'CRM Sync' });
    await side.readChanges(null, { full: false });
    assert.equal(groupsNamed(h.standin, 'CRM Sync').length, 1);
    assert.equal(groupsNamed(h.standin, GROUP).length, 0);
  });
});

describe('GooglePeopleSide: listings', function () {
  let h: Harness;
  let rt: string;
  let group: string;
  beforeEach(async () => {
    h = await harness();
    rt = await h.connect();
    group = h.standin.user.createGroup(ALICE, GROUP).resourceName as string;
  });
  afterEach(() => h.close());

  it('after 1,000 contacts, an incremental read with 3 changes reads only the changes', async () => {
    const ids = seedMembers(h.standin, group, 1000);
    for (let i = 0; i < 50; i++) h.standin.user.createContact(ALICE, personJson(`Outside${i}`, 'Person'));
    const { side } = h.side(rt);
    const full = await side.readChanges(null, { full: false });
    assert.equal(full.records.length, 1000);
    assert.equal(full.memberCount, 1000);
    assert.ok(full.records.every((r) => r.inGroup));
    h.standin.user.updateContact(ALICE, ids[10]!, { names: [{ givenName: 'Changed', familyName: 'One' }] });
    h.standin.user.updateContact(ALICE, ids[500]!, {
      phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }],
    });
    h.standin.user.updateContact(ALICE, ids[999]!, { biographies: [{ value: 'Met at the fair' }] });
    h.standin.resetStats();
    const inc = await h.side(rt).side.readChanges(side.settleCursor(full.cursor), { full: false });
    assert.deepEqual(inc.records.map((r) => r.id).sort(), [ids[10], ids[500], ids[999]].sort());
    assert.equal(inc.records.find((r) => r.id === ids[10])!.contact.givenName, 'Changed');
    assert.equal(inc.complete, false);
    assert.equal(inc.memberCount, null);
    assert.deepEqual(apiCalls(h), { 'connections.list': 1 });
  });

  it('a full listing reads pages of 1,000 with the same parameters, members only', async () => {
    seedMembers(h.standin, group, 2300);
    for (let i = 0; i < 10; i++) h.standin.user.createContact(ALICE, personJson(`Outside${i}`, 'Person'));
    const { side } = h.side(rt);
    h.standin.resetStats();
    const full = await side.readChanges(null, { full: false });
    assert.equal(full.records.length, 2300);
    assert.equal(calls(h.standin, 'connections.list'), 3);
  });

  it('tombstones become departures; members leaving and people outside the group are reported outside it', async () => {
    const [a, b, c] = seedMembers(h.standin, group, 3);
    const stranger = h.standin.user.createContact(ALICE, personJson('Stranger', 'Person'))
      .resourceName as string;
    const { side } = h.side(rt);
    const full = await side.readChanges(null, { full: false });
    h.standin.user.deleteContact(ALICE, a!);
    h.standin.user.removeFromGroup(ALICE, group, b!);
    h.standin.user.updateContact(ALICE, stranger, { biographies: [{ value: 'x' }] });
    h.standin.user.updateContact(ALICE, c!, { biographies: [{ value: 'y' }] });
    const inc = await h.side(rt).side.readChanges(full.cursor, { full: false });
    assert.deepEqual(inc.departures, [{ id: a, deleted: true }]);
    const byId = new Map(inc.records.map((r) => [r.id, r.inGroup]));
    assert.deepEqual(Object.fromEntries(byId), { [b!]: false, [stranger]: false, [c!]: true });
  });

  it('an incremental read where someone left the group counts its members (one contactGroups.get)', async () => {
    const ids = seedMembers(h.standin, group, 3);
    const { side } = h.side(rt);
    const full = await side.readChanges(null, { full: false });
    h.standin.user.removeFromGroup(ALICE, group, ids.slice(0, 2));
    const partly = await h.side(rt).side.readChanges(full.cursor, { full: false });
    assert.equal(partly.memberCount, 1);
    h.standin.user.deleteContact(ALICE, ids[2]!);
    h.standin.resetStats();
    const emptied = await h.side(rt).side.readChanges(partly.cursor, { full: false });
    assert.equal(emptied.memberCount, 0, 'an empty group, though Google then sends no memberCount');
    assert.deepEqual(apiCalls(h), { 'connections.list': 1, 'contactGroups.get': 1 });
  });

  for (const mode of ['400', '410'] as const) {
    it(`an expired sync token (${mode}) falls back to a full listing`, async () => {
      await h.close();
      h = await harness({ expiredTokenMode: mode });
      rt = await h.connect();
      group = h.standin.user.createGroup(ALICE, GROUP).resourceName as string;
      seedMembers(h.standin, group, 5);
      const { side } = h.side(rt);
      const full = await side.readChanges(null, { full: false });
      h.standin.advance(8 * 24 * 3600 * 1000);
      h.standin.resetStats();
      const again = await h.side(rt).side.readChanges(full.cursor, { full: false });
      assert.equal(again.complete, true);
      assert.equal(again.records.length, 5);
      assert.equal(calls(h.standin, 'connections.list'), 2);
      assert.equal(calls(h.standin, 'contactGroups.list'), 0);
    });
  }

  it('an unreadable cursor is treated as none (a full listing)', async () => {
    seedMembers(h.standin, group, 2);
    const r = await h.side(rt).side.readChanges('{garbage', { full: false });
    assert.equal(r.complete, true);
    assert.equal(r.records.length, 2);
  });
});

describe('GooglePeopleSide: echoes, fetch and lookup', function () {
  let h: Harness;
  let rt: string;
  beforeEach(async () => {
    h = await harness();
    rt = await h.connect();
  });
  afterEach(() => h.close());

  async function firstRun() {
    const { side } = h.side(rt);
    const read = await side.readChanges(null, { full: false });
    return { side, read, group: side.groupResourceName! };
  }

  it('echoes of our own creates and updates are dropped; later edits by the user are not', async () => {
    const { side, read } = await firstRun();
    const created = await side.create(
      [1, 2, 3].map((i) => ({
        key: `k${i}`,
        id: null,
        contact: contact(`Made${i}`, 'ByUs'),
        marker: `crm-${i}`,
      })),
    );
    const ids = [...created.values()].map((r) => (r.ok ? r.value.id : ''));
    const cursor1 = side.settleCursor(read.cursor);

    const run2 = h.side(rt).side;
    const r2 = await run2.readChanges(cursor1, { full: false });
    assert.deepEqual(r2.records, []);
    const first = created.get('k1')!;
    assert.ok(first.ok);
    const updated = await run2.update([
      {
        id: ids[0]!,
        version: first.value.version,
        extra: null,
        fields: ['jobTitle'],
        held: contact('Made1', 'ByUs'),
        contact: contact('Made1', 'ByUs', { jobTitle: 'Boss' }),
      },
    ]);
    assert.ok(updated.get(ids[0]!)?.ok);
    h.standin.user.updateContact(ALICE, ids[1]!, { biographies: [{ value: 'edited by the user' }] });
    const cursor2 = run2.settleCursor(r2.cursor);

    const r3 = await h.side(rt).side.readChanges(cursor2, { full: false });
    assert.deepEqual(
      r3.records.map((r) => r.id),
      [ids[1]],
    );
    assert.equal(r3.records[0]!.contact.notes, 'edited by the user');
    assert.equal(r3.records[0]!.marker, 'crm-2');
  });

  it('the echo of a write the user then edited again is reported (the etag moved on)', async () => {
    const { side, read } = await firstRun();
    const created = await side.create([
      { key: 'k', id: null, contact: contact('Ada', 'Lovelace'), marker: 'crm-1' },
    ]);
    const r = created.get('k')!;
    assert.ok(r.ok);
    h.standin.user.updateContact(ALICE, r.value.id, { biographies: [{ value: 'hello' }] });
    const next = await h.side(rt).side.readChanges(side.settleCursor(read.cursor), { full: false });
    assert.deepEqual(
      next.records.map((x) => x.id),
      [r.value.id],
    );
  });

  it('the cursor stays bounded however much was written', async () => {
    const { side, read } = await firstRun();
    for (let i = 0; i < 3; i++) {
      await side.create(
        Array.from({ length: 200 }, (_, j) => ({
          key: `k${i}-${j}`,
          id: null,
          contact: contact(`G${i}`, `F${j}`),
          marker: null,
        })),
      );
    }
    const settled = side.settleCursor(read.cursor);
    // 8 characters of echo and 6 of email print a contact written.
    assert.ok(settled.length < 600 * (8 + 6) + 2000, `cursor of ${settled.length} chars`);
    assert.doesNotMatch(settled, /example\.com/);
  });

  it('fetch: in-group flag from memberships, missing for deleted ids, in calls of 200', async () => {
    const { side, group } = await firstRun();
    const ids = seedMembers(h.standin, group, 250);
    const outside = h.standin.user.createContact(ALICE, personJson('Out', 'Side')).resourceName as string;
    h.standin.user.deleteContact(ALICE, ids[0]!);
    h.standin.resetStats();
    const got = await side.fetch([...ids, outside]);
    assert.equal(calls(h.standin, 'people.getBatchGet'), 2);
    assert.deepEqual(got.missing, [ids[0]]);
    assert.equal(got.records.length, 250);
    assert.equal(got.records.find((r) => r.id === outside)!.inGroup, false);
    assert.ok(got.records.filter((r) => r.id !== outside).every((r) => r.inGroup));
  });

  it('lookup after a full listing answers markers and emails from the listing, fetching only outsiders', async () => {
    const stranger = h.standin.user.createContact(ALICE, personJson('Grace', 'Hopper'))
      .resourceName as string;
    const tagged = h.standin.user.createContact(
      ALICE,
      personJson('Tagged', 'Person', { clientData: [{ key: 'contactSync.crmId', value: 'crm-9' }] }),
    ).resourceName as string;
    const { side, group } = await firstRun();
    void group;
    h.standin.resetStats();
    const found = await side.lookup({
      ids: [],
      markers: ['crm-9', 'crm-none'],
      emails: ['GRACE.hopper@example.com', 'nobody@example.com'],
      inDoubt: [],
    });
    assert.deepEqual(found.map((r) => r.id).sort(), [stranger, tagged].sort());
    assert.ok(found.every((r) => !r.inGroup));
    assert.equal(found.find((r) => r.id === tagged)!.marker, 'crm-9');
    assert.deepEqual(apiCalls(h), { 'people.getBatchGet': 1 });
  });

  it('lookup without a listing searches emails (one warm-up), exact match only; markers find nothing', async () => {
    const { side, read } = await firstRun();
    const grace = h.standin.user.createContact(ALICE, personJson('Grace', 'Hopper')).resourceName as string;
    h.standin.user.createContact(ALICE, personJson('Grace', 'Hopperson'));
    const run2 = h.side(rt).side;
    await run2.readChanges(side.settleCursor(read.cursor), { full: false });
    h.standin.resetStats();
    const found = await run2.lookup({
      ids: [],
      markers: ['crm-1'],
      emails: ['grace.hopper@example.com'],
      inDoubt: [],
    });
    assert.deepEqual(
      found.map((r) => r.id),
      [grace],
    );
    const again = await run2.lookup({
      ids: [],
      markers: [],
      emails: ['grace.hopperson@example.com'],
      inDoubt: [],
    });
    assert.equal(again.length, 1);
    assert.deepEqual(apiCalls(h), { 'people.searchContacts': 3 });
  });

  it('lookup of more than 30 emails without a listing lists once instead of searching each', async () => {
    const { side, read } = await firstRun();
    for (let i = 0; i < 40; i++) h.standin.user.createContact(ALICE, personJson(`P${i}`, 'Q'));
    const run2 = h.side(rt).side;
    const changes: SideChanges = await run2.readChanges(side.settleCursor(read.cursor), { full: false });
    assert.equal(changes.complete, false);
    h.standin.resetStats();
    const emails = Array.from({ length: 40 }, (_, i) => `p${i}.q@example.com`);
    const found = await run2.lookup({ ids: [], markers: [], emails, inDoubt: [] });
    assert.equal(found.length, 40);
    assert.equal(calls(h.standin, 'connections.list'), 1);
    assert.equal(calls(h.standin, 'people.searchContacts'), 0);
    assert.equal(calls(h.standin, 'people.getBatchGet'), 1);
  });

  it('members keep the group through the listing, with their marker and etag as version', async () => {
    const { group } = await firstRun();
    const p = h.standin.user.createContact(
      ALICE,
      personJson('Ada', 'Lovelace', {
        memberships: [membership(group)],
        clientData: [{ key: 'contactSync.crmId', value: 'crm-7' }],
      }),
    );
    const r = await h.side(rt).side.readChanges(null, { full: true });
    assert.equal(r.records.length, 1);
    assert.equal(r.records[0]!.marker, 'crm-7');
    assert.equal(r.records[0]!.version, p.etag);
    assert.ok(r.records[0]!.modifiedAt > 0);
  });
});
