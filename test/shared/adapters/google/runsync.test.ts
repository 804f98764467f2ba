// The Google side inside the real runner (shared/runSync.ts), with an in-memory CRM side and state
// (fakes of our own ports, not of Google): expired tokens, crashes around creates, stale etags.
import assert from 'node:assert/strict';
import type { GooglePeopleSide } from '../../../../shared/adapters/google/index.js';
import type { ItemResults, UpdateItem, Written } from '../../../../shared/ports.js';
import { runSync, type RunReport } from '../../../../shared/runSync.js';
import { SyncError } from '../../../../shared/errors.js';
import { FakeSide } from '../../../fakes/fakeSide.js';
import { FakeState } from '../../../fakes/fakeState.js';
import {
  ALICE,
  GROUP,
  contact,
  harness,
  membership,
  MY_CONTACTS,
  personJson,
  type Harness,
} from './helpers.js';

class World {
  time = Date.UTC(2026, 0, 1);
  readonly clock = { now: () => this.time };
  readonly crm = new FakeSide('crm', this.clock);
  readonly state = new FakeState();
  private ids = 0;

  constructor(
    readonly h: Harness,
    readonly refreshToken: string,
  ) {}

  /** A new Google side per run, as each run builds its adapters afresh. */
  google(): GooglePeopleSide {
    return this.h.side(this.refreshToken).side;
  }

  async sync(google: GooglePeopleSide = this.google()): Promise<RunReport> {
    this.time += 60_000;
    return runSync(
      { crm: this.crm, google, state: this.state, clock: this.clock, newId: () => `link-${++this.ids}` },
      { policy: 'newest-wins' },
    );
  }

  /** Every Google contact of the account (not only the group's), by marker. */
  googleContacts() {
    return this.h.standin.user.listContacts(ALICE);
  }

  groupMembers(): string[] {
    const g = this.h.standin.user.listGroups(ALICE).find((x) => x.name === GROUP);
    return (g?.memberResourceNames as string[] | undefined) ?? [];
  }

  activeLinks() {
    return [...this.state.links.values()].filter((l) => l.status === 'active');
  }
}

const total = (r: RunReport, kind: 'create' | 'update' | 'addToGroup' | 'removeFromGroup') =>
  r.counts[kind].crm + r.counts[kind].google;

describe('GooglePeopleSide through runSync', function () {
  let h: Harness;
  afterEach(() => h.close());

  for (const mode of ['400', '410'] as const) {
    it(`an expired sync token (${mode}) is reconciled by a full listing: no duplicate, no spurious removal`, async () => {
      h = await harness({ expiredTokenMode: mode });
      const w = new World(h, await h.connect());
      const group = h.standin.user.createGroup(ALICE, GROUP).resourceName as string;
      for (const n of ['Ann', 'Ben', 'Cid']) w.crm.userCreate(contact(n, 'Crm'));
      const fromGoogle = ['Dee', 'Eve'].map(
        (n) =>
          h.standin.user.createContact(
            ALICE,
            personJson(n, 'Google', { memberships: [membership(group), membership(MY_CONTACTS)] }),
          ).resourceName as string,
      );
      const first = await w.sync();
      assert.equal(first.outcome, 'ok');
      assert.equal(first.counts.create.google, 3);
      assert.equal(first.counts.create.crm, 2);
      // The next run sees only our own echoes, which the adapter drops: nothing to do, nothing written.
      const writes = w.state.writes;
      const quiet = await w.sync();
      assert.equal(total(quiet, 'create') + total(quiet, 'update'), 0);
      assert.equal(w.state.writes - writes, 1);

      // Changes on both sides, a newcomer, then eight days of silence: the token expires.
      h.standin.user.updateContact(ALICE, fromGoogle[0]!, {
        phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }],
      });
      const ann = w.crm.members().find((r) => r.contact.givenName === 'Ann')!;
      w.crm.userEdit(ann.id, { jobTitle: 'Chief' });
      w.crm.userCreate(contact('Fay', 'Crm'));
      h.standin.advance(8 * 24 * 3600 * 1000);
      const report = await w.sync();
      assert.equal(report.outcome, 'ok');
      assert.equal(total(report, 'removeFromGroup'), 0);
      assert.equal(report.counts.create.google, 1);
      assert.equal(report.counts.create.crm, 0);
      assert.equal(w.googleContacts().length, 6);
      assert.equal(w.groupMembers().length, 6);
      assert.equal(w.crm.members().length, 6);
      assert.equal(w.activeLinks().length, 6);
      const dee = w.crm.members().find((r) => r.contact.givenName === 'Dee')!;
      assert.deepEqual(dee.contact.phones, [{ number: '+1 555 0100', type: 'mobile' }]);
      const annInGoogle = w.googleContacts().find((p) => JSON.stringify(p.names).includes('Ann'))!;
      assert.equal((annInGoogle.organizations as { title: string }[])[0]!.title, 'Chief');
      // The cursor is usable again: the next run is incremental and quiet.
      const after = await w.sync();
      assert.equal(total(after, 'create') + total(after, 'update') + total(after, 'removeFromGroup'), 0);
    });
  }

  it('a crash after a batch create reached Google (answer lost) is reconciled by marker on the rerun', async () => {
    h = await harness();
    const w = new World(h, await h.connect());
    for (let i = 0; i < 7; i++) w.crm.userCreate(contact(`P${i}`, 'Crm'));
    h.standin.faults.add({ match: { method: 'people.batchCreateContacts' }, dropAfter: true, times: 1 });
    await assert.rejects(w.sync(), (e: unknown) => e instanceof SyncError && e.kind === 'unavailable');
    assert.equal(w.googleContacts().length, 7);
    assert.equal([...w.state.links.values()].filter((l) => l.status === 'pending').length, 7);

    const rerun = await w.sync();
    assert.equal(rerun.outcome, 'ok');
    assert.equal(rerun.counts.create.google, 0);
    assert.equal(w.googleContacts().length, 7);
    assert.equal(w.activeLinks().length, 7);
    const markers = w.googleContacts().map((p) => (p.clientData as { value: string }[])[0]!.value);
    assert.deepEqual(
      markers.sort(),
      w.crm
        .members()
        .map((r) => r.id)
        .sort(),
    );
  });

  it('a create whose answer was lost is found by its marker in the next run, though sync results lag', async () => {
    h = await harness({ propagationDelayMs: 10 * 60_000 });
    const w = new World(h, await h.connect());
    w.crm.userCreate(contact('Old', 'Crm'));
    await w.sync();
    w.time += 20 * 60_000;
    w.crm.userCreate(contact('New', 'Crm'));
    h.standin.faults.add({ match: { method: 'people.batchCreateContacts' }, dropAfter: true, times: 1 });
    await assert.rejects(w.sync(), (e: unknown) => e instanceof SyncError && e.kind === 'unavailable');
    assert.equal(w.googleContacts().length, 2, 'the lost answer hid a create that happened');
    // One minute later: the sync results do not show the contact yet (10 minutes' lag).
    const rerun = await w.sync();
    assert.equal(rerun.counts.waiting, 0, 'not held back for the 15-minute timeout');
    assert.equal(rerun.counts.create.google, 0, 'never created twice');
    assert.equal(w.googleContacts().length, 2);
    assert.equal(w.activeLinks().length, 2);
    assert.equal([...w.state.links.values()].filter((l) => l.status === 'pending').length, 0);
  });

  it('a create Google failed with a 5xx is reported as waiting, with until when, then settled once', async () => {
    h = await harness();
    const w = new World(h, await h.connect());
    w.crm.userCreate(contact('Old', 'Crm'));
    await w.sync();
    w.crm.userCreate(contact('New', 'Crm'));
    h.standin.faults.add({ match: { method: 'people.batchCreateContacts' }, status: 503, times: 1 });
    await assert.rejects(w.sync(), (e: unknown) => e instanceof SyncError);
    const pending = [...w.state.links.values()].find((l) => l.status === 'pending')!;
    const rerun = await w.sync();
    assert.equal(rerun.counts.waiting, 1, 'held back: whether Google wrote it is not known yet');
    const note = rerun.notes.find((n) => n.kind === 'waiting-for-create');
    assert.equal(note?.until, pending.pending!.since + 15 * 60_000);
    assert.equal(w.googleContacts().length, 1);
    w.time += 16 * 60_000;
    const settled = await w.sync();
    assert.equal(settled.counts.waiting, 0);
    assert.equal(settled.counts.create.google, 1);
    assert.equal(w.googleContacts().length, 2, 'created once');
    assert.equal(w.activeLinks().length, 2);
  });

  it('a full account: refused creates are reported, cost two requests a run, and go in once there is room', async () => {
    h = await harness({ maxContacts: 10 });
    const w = new World(h, await h.connect());
    const google = () => w.h.side(w.refreshToken, { maxContacts: 10 }).side;
    const others = [0, 1, 2].map(
      (i) => h.standin.user.createContact(ALICE, personJson(`Other${i}`, 'Google')).resourceName as string,
    );
    for (let i = 0; i < 9; i++) w.crm.userCreate(contact(`P${i}`, 'Crm'));
    const first = await w.sync(google());
    assert.equal(first.counts.create.google, 7, 'what fits goes in');
    assert.equal(first.counts.refused, 2);
    assert.equal(first.counts.failed, 0);
    assert.equal(first.notes.filter((n) => n.kind === 'side-full').length, 2, 'one line per refused contact');
    assert.equal(w.googleContacts().length, 10);

    const before = h.standin.stats().byMethod;
    const copy = { ...before };
    const again = await w.sync(google());
    const after = h.standin.stats().byMethod;
    const spent = (m: string) => (after[m] ?? 0) - (copy[m] ?? 0);
    assert.equal(again.counts.refused, 2);
    assert.equal(again.notes.filter((n) => n.kind === 'side-full').length, 2);
    assert.equal(spent('people.batchCreateContacts'), 1, 'one create call for all refused contacts');
    assert.equal(spent('connections.list'), 2, 'the incremental read and one count, no full listing');
    assert.equal(spent('people.searchContacts') + spent('people.getBatchGet'), 0, 'nothing looked for');

    h.standin.user.deleteContact(ALICE, others[0]!);
    h.standin.user.deleteContact(ALICE, others[1]!);
    const room = await w.sync(google());
    assert.equal(room.counts.refused, 0);
    assert.equal(room.counts.create.google, 2);
    assert.equal(w.activeLinks().length, 9);
    assert.equal(w.googleContacts().length, 10);
  });

  it('an account full below the limit we know of: a few requests tell it, not two a refused contact', async () => {
    h = await harness({ maxContacts: 10 });
    const w = new World(h, await h.connect());
    // The side believes Google's 25,000; this account holds 10.
    const google = () => w.h.side(w.refreshToken).side;
    for (let i = 0; i < 30; i++) w.crm.userCreate(contact(`P${i}`, 'Crm'));
    const copy = { ...h.standin.stats().byMethod };
    const first = await w.sync(google());
    const spent = (m: string) => (h.standin.stats().byMethod[m] ?? 0) - (copy[m] ?? 0);
    assert.equal(first.counts.create.google, 10, 'what fits goes in');
    assert.equal(first.counts.refused, 20, 'the rest refused as the account being full, not as invalid');
    assert.equal(first.counts.failed, 0);
    // Halving down to the first lone refusal, then nothing more (two a contact would be 40 and more).
    const calls = spent('people.batchCreateContacts');
    assert.ok(calls <= 10, `${calls} create calls`);
    assert.equal(w.googleContacts().length, 10);
  });

  it('a crash after an incremental create (the links not yet committed) creates nothing twice', async () => {
    h = await harness();
    const w = new World(h, await h.connect());
    for (let i = 0; i < 3; i++) w.crm.userCreate(contact(`Old${i}`, 'Crm'));
    await w.sync();
    for (let i = 0; i < 4; i++) w.crm.userCreate(contact(`New${i}`, 'Crm'));
    // The process dies right after Google answered, before the confirmed links are saved.
    let saves = 0;
    w.state.hook = (call) => {
      if (call === 'saveLinks' && ++saves === 2) throw new Error('crash');
    };
    await assert.rejects(w.sync(), /crash/);
    w.state.hook = () => {};
    assert.equal(w.googleContacts().length, 7);
    const rerun = await w.sync();
    assert.equal(rerun.counts.create.google, 0);
    assert.equal(w.googleContacts().length, 7);
    assert.equal(w.activeLinks().length, 7);
  });

  it('a stale etag (the user edits in Google between our read and our write) is re-read and re-merged', async () => {
    h = await harness();
    const w = new World(h, await h.connect());
    const crmId = w.crm.userCreate(contact('Ada', 'Lovelace'));
    await w.sync();
    const link = [...w.state.links.values()][0]!;
    const googleId = link.googleId!;

    w.crm.userEdit(crmId, { jobTitle: 'Programmer' });
    const side = w.google();
    let edited = false;
    const update = side.update.bind(side);
    side.update = async (items: UpdateItem[]): Promise<ItemResults<Written>> => {
      if (!edited) {
        edited = true;
        h.standin.user.updateContact(ALICE, googleId, {
          phoneNumbers: [{ value: '+44 20 7946 0000', type: 'home' }],
        });
      }
      return update(items);
    };
    h.standin.resetStats();
    const report = await w.sync(side);
    assert.equal(report.outcome, 'ok');
    assert.equal(report.counts.failed, 0);
    // Refused once as stale (the culprit found by its etag), then re-merged and written.
    assert.equal(h.standin.stats().byMethod['people.batchUpdateContacts'], 2);
    assert.equal(report.counts.update.google, 1);
    assert.equal(report.counts.update.crm, 1);
    const stored = h.standin.user.getContact(ALICE, googleId)!;
    assert.equal((stored.organizations as { title: string }[])[0]!.title, 'Programmer');
    assert.deepEqual(
      (stored.phoneNumbers as { value: string; type: string }[]).map((p) => [p.value, p.type]),
      [['+44 20 7946 0000', 'home']],
    );
    const inCrm = w.crm.records.get(crmId)!.contact;
    assert.equal(inCrm.jobTitle, 'Programmer');
    assert.deepEqual(inCrm.phones, [{ number: '+44 20 7946 0000', type: 'home' }]);
  });

  it('a contact deleted in Google leaves the CRM group; one taken out of the CRM group leaves the Google group', async () => {
    h = await harness();
    const w = new World(h, await h.connect());
    const [a, b] = [w.crm.userCreate(contact('Ann', 'A')), w.crm.userCreate(contact('Ben', 'B'))];
    await w.sync();
    const gA = [...w.state.links.values()].find((l) => l.crmId === a)!.googleId!;
    const gB = [...w.state.links.values()].find((l) => l.crmId === b)!.googleId!;
    h.standin.user.deleteContact(ALICE, gA);
    w.crm.userSetGroup(b, false);
    const report = await w.sync();
    assert.equal(report.outcome, 'ok');
    assert.equal(w.crm.records.get(a)!.inGroup, false);
    assert.equal(w.crm.records.get(a)!.deleted, false);
    assert.deepEqual(w.groupMembers(), []);
    assert.ok(h.standin.user.getContact(ALICE, gB), 'never deleted, only out of the group');
  });
});
