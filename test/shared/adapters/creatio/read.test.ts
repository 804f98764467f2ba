// Reading the CRM side against the Creatio stand-in: full and incremental reads, what they cost,
// watermarks, time-zone bumps, paging under caps and shifting rows, RAM limits.
import assert from 'node:assert/strict';
import { seedContacts } from '../../../../infra/standins/creatio/index.js';
import type { SideChanges } from '../../../../shared/ports.js';
import { SyncError } from '../../../../shared/errors.js';
import { T0, startEnv, useEnv, type Env } from './helpers.js';
import { parseVersion } from '../../../../shared/adapters/creatio/version.js';

const ids = (ch: SideChanges) => ch.records.map((r) => r.id).sort();
const member = (e: Env, fields: Record<string, unknown>) => {
  const c = e.s.ui.createContact(fields);
  e.s.ui.addToFolder(e.folderId, c.Id as string);
  return c.Id as string;
};
const cursorOf = (ch: SideChanges) => JSON.parse(ch.cursor) as { wm: number; full: number };

describe('Creatio side: reading', function () {
  this.timeout(120_000);
  const env = useEnv({
    users: [
      { userName: 'Supervisor', password: 'Supervisor' },
      { userName: 'Kyiv', password: 'pw', timeZoneOffsetMinutes: 180 },
    ],
  });

  it('a first read lists every member in full, once each though membership rows are duplicated', async () => {
    const { e } = env;
    const a = member(e, { GivenName: 'Ann', Surname: 'Able', Email: 'ann@example.com' });
    const b = member(e, { GivenName: 'Bob', Surname: 'Baker' });
    e.s.ui.addToFolder(e.folderId, a);
    e.s.ui.createContact({ GivenName: 'Not', Surname: 'Member' });
    const ch = await e.side().readChanges(null, { full: false });
    assert.equal(ch.complete, true);
    assert.deepEqual(ids(ch), [a, b].sort());
    assert.deepEqual([...ch.members!].sort(), [a, b].sort());
    assert.equal(ch.memberCount, 2);
    assert.ok(ch.records.every((r) => r.inGroup));
    const ann = ch.records.find((r) => r.id === a)!;
    assert.deepEqual(ann.contact.emails, [{ address: 'ann@example.com', type: 'work' }]);
    assert.deepEqual(parseVersion(ann.version), { ...parseVersion(ann.version)!, at: T0, rows: false });
    assert.equal(ann.modifiedAt, T0);
  });

  it('a record read once in a run is not read again by a lookup or a fetch of the same run', async () => {
    const { e } = env;
    const a = member(e, { GivenName: 'Ann', Surname: 'Able', Email: 'ann@example.com' });
    const out = e.s.ui.createContact({ GivenName: 'Out', Surname: 'Side', Email: 'out@example.com' });
    const side = e.side();
    await side.readChanges(null, { full: true });
    e.s.resetStats();
    const found = await side.lookup({ ids: [a], markers: [], emails: ['ann@example.com'], inDoubt: [] });
    assert.deepEqual(
      found.map((r) => r.id),
      [a],
    );
    assert.equal(e.s.stats().apiCalls, 1, 'the email query alone');
    assert.equal((await side.fetch([a])).records[0]!.id, a);
    assert.equal(e.s.stats().apiCalls, 1);
    // A contact the run has not read is read, once.
    await side.fetch([out.Id as string]);
    await side.lookup({ ids: [out.Id as string], markers: [], emails: [], inDoubt: [] });
    assert.equal(e.s.stats().apiCalls, 1 + 3);
    // Once the run has planned, what it read is let go: a fetch (a stale pair's) reads afresh.
    side.releaseReads();
    e.s.ui.updateContact(a, { JobTitle: 'CEO' });
    assert.equal((await side.fetch([a])).records[0]!.contact.jobTitle, 'CEO');
    assert.ok(e.s.stats().apiCalls > 1 + 3);
  });

  it('after 1,000 contacts and 3 edits an incremental read reads only those three, at a fixed cost', async () => {
    const { e } = env;
    const all = seedContacts(e.s.ui, { count: 1000, folderId: e.folderId, communications: true });
    const side = e.side();
    e.s.resetStats();
    const first = await side.readChanges(null, { full: false });
    assert.equal(first.records.length, 1000);
    const fullCost = e.s.stats();
    e.clock.advance(10 * 60_000);

    e.s.ui.updateContact(all[10]!, { JobTitle: 'Lead' });
    const phone = e.s.ui.rows('ContactCommunication', `$filter=ContactId eq ${all[20]}`)[0]!;
    e.s.ui.updateCommunication(phone.Id as string, { Number: '+1 555 9999999' });
    // An address row does not touch its contact's ModifiedOn: it is found through its own.
    e.s.ui.insert('ContactAddress', { ContactId: all[30], Address: '1 Main St', Primary: true });
    e.clock.advance(60_000);

    e.s.resetStats();
    const side2 = e.side();
    const next = await side2.readChanges(side.settleCursor(first.cursor), { full: false });
    assert.equal(next.complete, false);
    assert.deepEqual(ids(next), [all[10], all[20], all[30]].sort());
    assert.equal(next.members!.length, 1000);
    const st = e.s.stats();
    // Members (1 page, their ModifiedOn expanded), the address change query, three queries for the
    // changed contacts, address types.
    assert.equal(st.apiCalls, 6);
    assert.equal(st.total, 1 + 1 + 1 + 1 + 1); // login, member page, address changes, 2 batches
    assert.equal(
      st.odata.get.Contact ?? 0,
      1,
      'no change query of Contact: ModifiedOn rides the member page',
    );
    assert.equal(st.odata.get.ContactCommunication, 1, 'only the changed contacts: row saves stamp them');
    assert.ok(fullCost.apiCalls > st.apiCalls);
    const jobs = next.records.find((r) => r.id === all[10])!;
    assert.equal(jobs.contact.jobTitle, 'Lead');
    assert.equal(next.records.find((r) => r.id === all[30])!.contact.addresses[0]!.street, '1 Main St');

    // Nothing changed since: the overlap window is read again and reports nothing.
    e.clock.advance(60_000);
    e.s.resetStats();
    const quiet = await e.side().readChanges(side2.settleCursor(next.cursor), { full: false });
    assert.deepEqual(quiet.records, []);
    assert.equal(e.s.stats().apiCalls, 2, 'the member page and the address change query');
  });

  it('changes sharing one ModifiedOn across several pages are all reported', async () => {
    const { e } = env;
    const ids7 = Array.from({ length: 7 }, (_, i) => member(e, { GivenName: `P${i}`, Surname: 'Same' }));
    const side = e.side({ tuning: { pageSize: 3 } });
    const first = await side.readChanges(null, { full: false });
    e.clock.advance(5 * 60_000);
    for (const id of ids7) e.s.ui.updateContact(id, { JobTitle: 'Same instant' });
    const next = await e.side({ tuning: { pageSize: 3 } }).readChanges(first.cursor, { full: false });
    assert.deepEqual(ids(next), [...ids7].sort());
  });

  it('a local-time ModifiedOn in the future neither moves the watermark nor hides a later edit', async () => {
    const { e } = env;
    const x = member(e, { GivenName: 'Xena', Surname: 'X' });
    const y = member(e, { GivenName: 'Yuri', Surname: 'Y' });
    const other = e.s.ui.createFolder({ name: 'Other' }).Id as string;
    e.s.ui.addToFolder(other, x);
    const first = await e.side().readChanges(null, { full: false });
    e.clock.advance(5 * 60_000);
    // A user three hours east takes X out of another folder: X.ModifiedOn becomes now + 3 h.
    e.s.ui.as('Kyiv').removeFromFolder(other, x);
    const bumped = e.s.ui.get('Contact', x)!.ModifiedOn as string;
    assert.equal(Date.parse(bumped), e.clock.now() + 3 * 3600_000);

    const r1 = await e.side().readChanges(first.cursor, { full: false });
    assert.deepEqual(ids(r1), [x]);
    assert.ok(cursorOf(r1).wm <= e.clock.now(), 'the watermark never runs ahead of the server');
    e.clock.advance(60_000);
    const r2 = await e.side().readChanges(r1.cursor, { full: false });
    assert.deepEqual(ids(r2), [], 'the bump is reported once');
    e.clock.advance(60_000);
    e.s.ui.updateContact(y, { JobTitle: 'Edited' });
    e.s.ui.updateContact(x, { JobTitle: 'Edited too' });
    const r3 = await e.side().readChanges(r2.cursor, { full: false });
    assert.deepEqual(ids(r3), [x, y].sort());
  });

  it('a deleted secondary phone leaves no trace; the full read every 24 hours catches it', async () => {
    const { e } = env;
    const a = member(e, { GivenName: 'Ann', Surname: 'Able', MobilePhone: '+1 555 0001' });
    const second = e.s.ui.addCommunication(a, { type: 'MobilePhone', number: '+1 555 0002' });
    const first = await e.side().readChanges(null, { full: false });
    assert.equal(first.records[0]!.contact.phones.length, 2);
    e.clock.advance(60 * 60_000);
    // The row added last is the primary one; delete the other.
    const rows = e.s.ui.rows('ContactCommunication', `$filter=ContactId eq ${a}`);
    const secondary = rows.find((r) => r.Id !== second.Id)!;
    e.s.ui.deleteCommunication(secondary.Id as string);
    const quiet = await e.side().readChanges(first.cursor, { full: false });
    assert.deepEqual(quiet.records, []);
    e.clock.advance(23 * 3600_000);
    const daily = await e.side().readChanges(quiet.cursor, { full: false });
    assert.equal(daily.complete, true);
    assert.deepEqual(daily.records[0]!.contact.phones, [{ number: '+1 555 0002', type: 'mobile' }]);
    assert.equal(cursorOf(daily).full, e.clock.now());
  });

  it('`full` lists everything whatever the cursor says; an unreadable cursor also starts over', async () => {
    const { e } = env;
    member(e, { GivenName: 'Ann', Surname: 'Able' });
    const first = await e.side().readChanges(null, { full: false });
    assert.equal((await e.side().readChanges(first.cursor, { full: true })).complete, true);
    assert.equal((await e.side().readChanges('{"v":9}', { full: false })).complete, true);
    assert.equal((await e.side().readChanges(first.cursor, { full: false })).complete, false);
  });

  it('fetch reports group membership and the ids that no longer exist', async () => {
    const { e } = env;
    const inside = member(e, { GivenName: 'In', Surname: 'Side' });
    const outside = e.s.ui.createContact({ GivenName: 'Out', Surname: 'Side' }).Id as string;
    const gone = e.s.ui.createContact({ GivenName: 'Gone', Surname: 'Soon' }).Id as string;
    e.s.ui.deleteContact(gone);
    const got = await e.side().fetch([inside, outside, gone, 'not-a-guid']);
    assert.deepEqual(
      got.records.map((r) => [r.id, r.inGroup]).sort(),
      [
        [inside, true],
        [outside, false],
      ].sort(),
    );
    assert.deepEqual(got.missing.sort(), [gone, 'not-a-guid'].sort());
  });

  it('lookup finds contacts by id and by email, in or out of the group', async () => {
    const { e } = env;
    const a = member(e, { GivenName: 'Ann', Surname: 'Able', Email: 'Ann@Example.com' });
    const b = e.s.ui.createContact({ GivenName: 'Bob', Surname: 'Baker' }).Id as string;
    e.s.ui.addCommunication(b, { type: 'Email', number: 'bob@example.com' });
    const c = e.s.ui.createContact({ GivenName: 'Cat', Surname: 'Cole' }).Id as string;
    const found = await e.side().lookup({
      ids: [c, 'garbage'],
      markers: [],
      emails: ['ann@example.com', 'BOB@example.com'],
      inDoubt: [],
    });
    assert.deepEqual(found.map((r) => r.id).sort(), [a, b, c].sort());
    assert.equal(found.find((r) => r.id === a)!.inGroup, true);
    assert.equal(found.find((r) => r.id === b)!.inGroup, false);
  });

  it('a member listing longer than the server cap is paged to the end', async () => {
    const e = await startEnv({ maxRecordsPerReply: 50 });
    try {
      const all = seedContacts(e.s.ui, { count: 120, folderId: e.folderId });
      const ch = await e.side().readChanges(null, { full: false });
      assert.equal(ch.members!.length, 120);
      assert.deepEqual(ids(ch), [...all].sort());
    } finally {
      await e.s.close();
    }
  });

  it('a membership row inserted before the read position makes the listing start over: nothing is missed', async () => {
    const { e } = env;
    const all = seedContacts(e.s.ui, { count: 30, folderId: e.folderId });
    const late = e.s.ui.createContact({ GivenName: 'Late', Surname: 'Comer' }).Id as string;
    let pages = 0;
    const side = e.side({
      tuning: { pageSize: 10 },
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (String(input).includes('ContactInFolder') && ++pages === 2)
          e.s.ui.insert('ContactInFolder', {
            Id: '00000000-0000-4000-8000-000000000001',
            FolderId: e.folderId,
            ContactId: late,
          });
        return res;
      },
    });
    const ch = await side.readChanges(null, { full: false });
    assert.deepEqual([...ch.members!].sort(), [...all, late].sort());
    assert.ok(pages > 4, 'the listing started over');
  });

  it('a page refused for the RAM limit is asked again at half the size until it fits, else bad-response', async () => {
    const { e } = env;
    seedContacts(e.s.ui, { count: 25, folderId: e.folderId });
    e.s.faults.add({ match: { method: 'GET', path: '/0/odata/ContactInFolder' }, ramLimit: true, times: 2 });
    e.s.resetStats();
    const ok = await e.side({ tuning: { pageSize: 40 } }).readChanges(null, { full: false });
    assert.equal(ok.members!.length, 25);
    assert.equal(ok.records.length, 25);
    // 40 and 20 refused, then 10 a page: three pages (each re-reading the last row of the one before).
    assert.equal(e.s.stats().faultsInjected, 2);
    assert.equal(e.s.stats().odata.get.ContactInFolder, 3);
    e.s.faults.add({
      match: { method: 'GET', path: '/0/odata/ContactInFolder' },
      ramLimit: true,
      times: Infinity,
    });
    await assert.rejects(
      e.side().readChanges(null, { full: false }),
      (err: unknown) => err instanceof SyncError && err.kind === 'bad-response' && /RAM/.test(err.message),
    );
  });

  it('expanded member pages weigh more against the RAM limit: they halve until they fit, every member read once', async () => {
    const e = await startEnv({ ramLimitRows: 30 });
    try {
      const all = seedContacts(e.s.ui, { count: 25, folderId: e.folderId, communications: true });
      e.s.resetStats();
      // A full read expands Contact, its Account and its Department: four entities a row, so pages
      // of 40 and 20 are refused and 5 rows a page fit (the member list alone would fit in 30).
      const ch = await e.side({ tuning: { pageSize: 40 } }).readChanges(null, { full: true });
      assert.deepEqual(ids(ch), [...all].sort());
      assert.equal(new Set(ch.records.map((r) => r.id)).size, 25, 'no member twice');
      const st = e.s.stats();
      assert.ok(st.odata.get.ContactInFolder! >= 6, String(st.odata.get.ContactInFolder));
      // An incremental run expands only the Contact's ModifiedOn: two entities a row, pages of 10.
      e.clock.advance(60_000);
      e.s.resetStats();
      const next = await e.side({ tuning: { pageSize: 40 } }).readChanges(ch.cursor, { full: false });
      assert.deepEqual(next.records, []);
      assert.equal(next.members!.length, 25);
    } finally {
      await e.s.close();
    }
  });

  it('a sub-request that fails with 503 inside a good batch is repeated, within bounds', async () => {
    const { e } = env;
    member(e, { GivenName: 'Ann', Surname: 'Able', Email: 'ann@example.com' });
    e.s.faults.add({
      match: { method: 'GET', path: '/0/odata/ContactCommunication' },
      status: 503,
      times: 2,
    });
    const ch = await e.side().readChanges(null, { full: false });
    assert.equal(ch.records[0]!.contact.emails.length, 1);
    assert.equal(e.waits.length, 2);
    e.s.faults.add({
      match: { method: 'GET', path: '/0/odata/ContactCommunication' },
      status: 503,
      times: Infinity,
    });
    await assert.rejects(
      e.side().readChanges(null, { full: false }),
      (err: unknown) => err instanceof SyncError && err.kind === 'unavailable',
    );
    // Bounded: the batch round and then the lone page's own retries each stop at 4 tries.
    assert.ok(e.waits.length > 2 && e.waits.length <= 2 + 2 * 3, String(e.waits.length));
    assert.ok(e.waits.every((w) => w <= 8_000));
  });

  it('reads only the mapped columns: every query names its $select', async () => {
    const { e } = env;
    member(e, { GivenName: 'Ann', Surname: 'Able', Email: 'ann@example.com' });
    const queries: string[] = [];
    const side = e.side({
      fetch: async (input, init) => {
        const url = String(input);
        if (url.includes('/0/odata/') && !url.endsWith('$batch')) queries.push(url.split('/0/odata/')[1]!);
        if (typeof init?.body === 'string' && init.body.includes('"requests"'))
          for (const r of (JSON.parse(init.body) as { requests: { url: string }[] }).requests)
            queries.push(r.url);
        return fetch(input, init);
      },
    });
    await side.readChanges(null, { full: false });
    assert.ok(queries.length >= 3);
    for (const q of queries) assert.match(q, /\$select=/, q);
    const memberQuery = decodeURIComponent(queries.find((u) => u.startsWith('ContactInFolder?'))!);
    assert.match(
      memberQuery,
      /\$expand=Contact\(\$select=Id,ModifiedOn,GivenName,MiddleName,Surname,Email,AccountId,DepartmentId,JobTitle,BirthDate,Notes;\$expand=Account\(\$select=Name\),Department\(\$select=Name\)\)/,
    );
  });
});
