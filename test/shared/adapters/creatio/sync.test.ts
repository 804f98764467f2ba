// The CRM side through the real runner (runSync) against the stand-in, with an in-memory Google side
// (our own port fake): membership changes that Creatio records nowhere but in the member list still
// reach Google, and our own writes are not read back as edits.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { runSync } from '../../../../shared/runSync.js';
import { FakeSide } from '../../../fakes/fakeSide.js';
import { FakeState } from '../../../fakes/fakeState.js';
import { contact, useEnv, type Env } from './helpers.js';

function harness(e: Env) {
  const google = new FakeSide('google', e.clock);
  const state = new FakeState();
  const run = async () => {
    // One CreatioSide per run, as the product builds it; ids are GUIDs, as Creatio needs for the
    // preassigned Id of a CRM create.
    const crm = e.side();
    const report = await runSync(
      { crm, google, state, clock: e.clock, newId: randomUUID },
      { policy: 'newest-wins' },
    );
    assert.equal(report.outcome, 'ok', JSON.stringify(report));
    return { report, crm };
  };
  const googleMembers = () =>
    google
      .members()
      .map((r) => r.contact.emails[0]?.address ?? r.contact.givenName)
      .sort();
  return { google, state, run, googleMembers };
}

describe('Creatio side through runSync', function () {
  this.timeout(60_000);
  const env = useEnv();

  it('joins without an edit, removals and deletions all reach the Google group', async () => {
    const { e } = env;
    const mk = (name: string) =>
      e.s.ui.createContact({ GivenName: name, Surname: 'Test', Email: `${name.toLowerCase()}@example.com` })
        .Id as string;
    const [a, b, c, d] = ['Ann', 'Bob', 'Cat', 'Dan'].map(mk) as [string, string, string, string];
    for (const id of [a, b, c]) e.s.ui.addToFolder(e.folderId, id);
    const h = harness(e);

    await h.run();
    assert.deepEqual(h.googleMembers(), ['ann@example.com', 'bob@example.com', 'cat@example.com']);

    // Dan has not been edited for half an hour; joining the group does not touch his ModifiedOn.
    e.clock.advance(30 * 60_000);
    const before = e.s.ui.get('Contact', d)!.ModifiedOn;
    e.s.ui.addToFolder(e.folderId, d);
    assert.equal(e.s.ui.get('Contact', d)!.ModifiedOn, before);
    const joined = await h.run();
    assert.equal(joined.report.counts.create.google, 1);
    assert.deepEqual(h.googleMembers(), [
      'ann@example.com',
      'bob@example.com',
      'cat@example.com',
      'dan@example.com',
    ]);

    e.clock.advance(30 * 60_000);
    e.s.ui.removeFromFolder(e.folderId, a);
    e.s.ui.deleteContact(b);
    const left = await h.run();
    assert.equal(left.report.counts.removeFromGroup.google, 2);
    assert.deepEqual(h.googleMembers(), ['cat@example.com', 'dan@example.com']);
    // Never propagated as deletions: Ann and Bob still exist in Google, outside the group.
    assert.equal(h.google.alive().length, 4);

    // Nothing changed: a quiet run writes nothing and reads little.
    e.clock.advance(30 * 60_000);
    e.s.resetStats();
    const quiet = await h.run();
    const c0 = quiet.report.counts;
    assert.equal(c0.create.crm + c0.create.google + c0.update.crm + c0.update.google, 0);
    // The member page (ModifiedOn expanded) and the address change query.
    assert.equal(e.s.stats().apiCalls, 2);
  });

  it('a contact put into the Google group is created in Creatio, in the static group, once', async () => {
    const { e } = env;
    const h = harness(e);
    await h.run();
    h.google.userCreate(
      contact({
        givenName: 'Gia',
        familyName: 'Google',
        emails: [{ address: 'gia@example.com', type: 'home' }],
        phones: [{ number: '+44 20 7946 0000', type: 'mobile' }],
        company: 'Gia Co',
      }),
    );
    e.clock.advance(10 * 60_000);
    const r = await h.run();
    assert.equal(r.report.counts.create.crm, 1);
    const rows = e.s.ui.rows('Contact', "$filter=Surname eq 'Google'");
    assert.equal(rows.length, 1);
    const id = rows[0]!.Id as string;
    assert.equal(e.s.ui.rows('ContactInFolder', `$filter=ContactId eq ${id}`).length, 1);
    // The next run reads back our own create as nothing new and leaves both sides alone.
    e.clock.advance(10 * 60_000);
    const again = await h.run();
    const k = again.report.counts;
    assert.equal(k.create.crm + k.create.google + k.update.crm + k.update.google, 0);
    assert.equal(e.s.ui.rows('Contact', "$filter=Surname eq 'Google'").length, 1);
  });

  it('an edit on each side of one contact survives both (per-field merge) and round-trips', async () => {
    const { e } = env;
    const a = e.s.ui.createContact({ GivenName: 'Ann', Surname: 'Able', Email: 'ann@example.com' })
      .Id as string;
    e.s.ui.addToFolder(e.folderId, a);
    const h = harness(e);
    await h.run();
    e.clock.advance(10 * 60_000);
    e.s.ui.updateContact(a, { JobTitle: 'CTO' });
    const g = h.google.members()[0]!;
    h.google.userEdit(g.id, { phones: [{ number: '+1 555 0100', type: 'work' }] });
    await h.run();
    const crm = (await e.side().fetch([a])).records[0]!.contact;
    assert.equal(crm.jobTitle, 'CTO');
    assert.deepEqual(crm.phones, [{ number: '+1 555 0100', type: 'work' }]);
    assert.equal(h.google.records.get(g.id)!.contact.jobTitle, 'CTO');
  });

  it('a group larger than one invocation holds is synced in slices, continued until done, with no duplicate and no lost edit', async () => {
    const { e } = env;
    const names = Array.from({ length: 23 }, (_, i) => `M${String(i).padStart(2, '0')}`);
    const ids = names.map((name) => {
      const id = e.s.ui.createContact({ GivenName: name, Surname: 'Test', Email: `${name}@example.com` })
        .Id as string;
      e.s.ui.addToFolder(e.folderId, id);
      return id;
    });
    const google = new FakeSide('google', e.clock);
    const state = new FakeState();
    const run = () =>
      runSync(
        {
          crm: e.side({ tuning: { fullReadBound: 5, continuedReadBound: 3 } }),
          google,
          state,
          clock: e.clock,
          newId: randomUUID,
        },
        { policy: 'newest-wins' },
      );
    const creates: number[] = [];
    const continued: number[] = [];
    let edited = false;
    for (let i = 0; i < 20; i++) {
      const report = await run();
      creates.push(report.counts.create.google);
      if (report.more) continued.push(report.counts.create.google);
      if (!report.more) {
        assert.equal(report.outcome, 'ok');
        break;
      }
      assert.equal(report.outcome, 'partial');
      e.clock.advance(60_000);
      if (!edited) {
        // A member already copied is edited while the rest wait for their slice: the edit still arrives.
        e.s.ui.updateContact(ids[0]!, { JobTitle: 'CTO' });
        edited = true;
      }
    }
    // An invocation that leaves members for later keeps three; the one that reads the rest, up to five.
    assert.ok(continued.every((n) => n <= 3) && creates.every((n) => n <= 5), JSON.stringify(creates));
    // Three at most until five or fewer are left: 23 members take seven invocations at least. (How many
    // the last one takes depends on where the edited member falls in the member pages.)
    assert.ok(creates.length >= 7, JSON.stringify(creates));
    const emails = google.alive().map((r) => r.contact.emails[0]?.address);
    assert.equal(emails.length, 23, 'no duplicate and none missing');
    assert.deepEqual([...new Set(emails)].sort(), names.map((n) => `${n.toLowerCase()}@example.com`).sort());
    assert.equal(google.members().length, 23);
    const ann = google.alive().find((r) => r.contact.emails[0]?.address === 'm00@example.com')!;
    assert.equal(ann.contact.jobTitle, 'CTO');
    // Settled: the next run writes nothing.
    e.clock.advance(60_000);
    const quiet = await run();
    assert.equal(quiet.outcome, 'ok');
    assert.equal(quiet.counts.create.google + quiet.counts.update.google + quiet.counts.update.crm, 0);
  });
  it("a group's first read asks small member pages; the 24-hour full read the largest Creatio serves", async () => {
    const { e } = env;
    for (let i = 0; i < 9; i++) {
      const id = e.s.ui.createContact({ GivenName: `P${i}`, Surname: 'Test', Email: `p${i}@example.com` })
        .Id as string;
      e.s.ui.addToFolder(e.folderId, id);
    }
    const tops: number[] = [];
    const logged: typeof fetch = (input, init) => {
      const url = decodeURIComponent(String(input));
      const top =
        /ContactInFolder\?.*\$expand=Contact.*?\$top=(\d+)|ContactInFolder\?.*\$top=(\d+).*\$expand=Contact/.exec(
          url,
        );
      if (top) tops.push(Number(top[1] ?? top[2]));
      return fetch(input, init);
    };
    const google = new FakeSide('google', e.clock);
    const state = new FakeState();
    const run = () =>
      runSync(
        {
          crm: e.side({ fetch: logged, tuning: { firstReadPageSize: 4, fullReadEveryMs: 3600_000 } }),
          google,
          state,
          clock: e.clock,
          newId: randomUUID,
        },
        { policy: 'newest-wins' },
      );
    await run();
    assert.ok(tops.length >= 3 && tops.every((n) => n === 4), JSON.stringify(tops));
    tops.length = 0;
    e.clock.advance(2 * 3600_000);
    await run();
    assert.deepEqual(tops, [20_000]);
  });
});
