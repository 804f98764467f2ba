// Property: random edits on both sides, interleaved with syncs that may crash, fail a write, lose an
// answer or reach their deadline between any two calls, always end where the users meant: judged by
// an oracle with its own model of what each user did (./intent.ts), never by the product's own
// comparison. Per field the conflict policy's winner, lists merged as sets with removals kept,
// memberships as the users left them, deferred edits arriving once their pair is back, guard
// refusals exactly where the rule says; and no duplicates, nothing deleted, no create left in doubt.
// More runs: PROPERTY_RUNS=5000 npm run test:props. To replay a failure: PROPERTY_SEED=<seed>
// PROPERTY_PATH=<path> (PROPERTY_SHRINK=0 shows it unshrunk); PROPERTY_TRACE=1 prints every run.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Contact, Side } from '../../../shared/sync/index.js';
import type { FakeRecord, FakeSide } from '../../fakes/fakeSide.js';
import { LostAnswer } from '../../fakes/fakeSide.js';
import { World, person } from '../../fakes/world.js';
import type { Judged, Policy, SideState, Values } from './intent.js';
import { JUDGED, expectedField, same, show, valuesOf } from './intent.js';

const PEOPLE = 8;
const sideArb = fc.constantFrom<Side>('crm', 'google');
const who = fc.nat({ max: PEOPLE - 1 });

type Cmd =
  | { k: 'create'; side: Side; who: number; inGroup: boolean; email?: boolean; variant?: number }
  | { k: 'edit'; side: Side; who: number; field: EditField; value: number; noise?: boolean }
  /** One side edits one field, time passes, the other side edits another field of the same person. */
  | { k: 'interleave'; side: Side; who: number; first: EditField; second: EditField; value: number }
  | { k: 'group'; side: Side; who: number; inGroup: boolean }
  | { k: 'delete'; side: Side; who: number }
  | {
      k: 'sync';
      crashAt: number | null;
      duplicate: boolean;
      /** The run reaches its deadline at its n-th port call. */
      stopAt?: number | null;
      /** A person confirmed the removals the guard refused. */
      confirm?: boolean;
      /** Right after the last edit, before Google shows it. */
      soon?: boolean;
    }
  | { k: 'fail'; side: Side; fault: 'failed' | 'lost'; times: number }
  | { k: 'tick'; ms: number };

const EDIT_FIELDS = JUDGED;
type EditField = Judged;
const field = fc.constantFrom(...EDIT_FIELDS);

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('create' as const),
      side: sideArb,
      who,
      inGroup: fc.boolean(),
      email: fc.constantFrom(true, true, true, false),
      variant: fc.nat({ max: 3 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('edit' as const),
      side: sideArb,
      who,
      field,
      value: fc.nat({ max: 3 }),
      noise: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('interleave' as const),
      side: sideArb,
      who,
      first: field,
      second: field,
      value: fc.nat({ max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('group' as const), side: sideArb, who, inGroup: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('delete' as const), side: sideArb, who }) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('sync' as const),
      crashAt: fc.option(fc.nat({ max: 25 }), { nil: null, freq: 3 }),
      duplicate: fc.boolean(),
      stopAt: fc.option(fc.nat({ max: 20 }), { nil: null, freq: 4 }),
      confirm: fc.boolean(),
      soon: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('fail' as const),
      side: sideArb,
      fault: fc.constantFrom('failed' as const, 'lost' as const),
      times: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.constantFrom(1000, 60_000, 20 * 60_000) }),
  },
);

class Crash extends Error {}

/** Given name carries identity (never edited), so duplicates are visible by name. */
const nameOf = (i: number) => `P${i}`;
const findLive = (side: FakeSide, i: number): FakeRecord | undefined =>
  side.alive().find((r) => r.contact.givenName === nameOf(i));

function edited(c: Contact, field: EditField, who: number, value: number, noise = false): Partial<Contact> {
  // Formatting noise a user may type: the same data, which must neither count as an edit nor be lost.
  const n = (s: string) => (noise && s !== '' ? `  ${s.replace(' ', '   ')} ` : s);
  switch (field) {
    case 'phones':
      return { phones: value === 0 ? [] : [{ number: n(`+1 555 01${who}${value}`), type: 'mobile' }] };
    case 'birthday':
      return { birthday: value === 0 ? '' : `19${70 + value}-0${value}-1${value}` };
    case 'emails':
      // Extra emails stay unique to the person, so that email matching is never ambiguous.
      return {
        emails: [
          ...c.emails.slice(0, 1),
          ...(value === 0
            ? []
            : [
                {
                  address: noise ? `P${who}.X${value}@Example.org` : `p${who}.x${value}@example.org`,
                  type: 'home' as const,
                },
              ]),
        ],
      };
    default:
      return { [field]: value === 0 ? '' : n(`${field} ${value}`) };
  }
}

/** What the users meant for one person: the oracle's model, kept apart from the product's state. */
interface Person {
  /** The values both sides last agreed on (judged); null before a first pairing. */
  base: Values | null;
  /** What each user left on their side; null where the only record is the sync's copy (or none). */
  sides: Record<Side, SideState | null>;
  /** The last time a user touched this person on either side. */
  lastAct: number;
  /** Whether the pair should end in both groups; null when both users moved it different ways at once. */
  member: boolean | null;
  /** The last group move on each side. */
  groupActs: Partial<Record<Side, { inGroup: boolean; at: number }>>;
  /** Created without an email: pairs only through the marker of the copy the sync made. */
  noEmail: boolean;
  /** Edits not judged yet, and whether a run (perhaps one that died) may have merged them already. */
  unjudged: boolean;
  ranAfter: boolean;
  /**
   * A new edit arrived after a run that may have merged earlier unjudged ones: the base that run
   * agreed on is unknown to the oracle, so the next judgement only takes note of the result.
   */
  unsure: boolean;
}

export async function scenario(
  cmds: Cmd[],
  policy: Policy = 'newest-wins',
  after: (w: World) => void = () => {},
): Promise<void> {
  const w = new World();
  w.google.visibilityDelayMs = 2000;
  const sides = { crm: w.crm, google: w.google };
  const created: Record<Side, Set<number>> = { crm: new Set(), google: new Set() };
  const deletedByUser: Record<Side, number> = { crm: 0, google: 0 };
  // Records users created; any other record is a copy the sync made of its source.
  const userMade = new Set<string>();
  const people = new Map<number, Person>();
  const personOf = (i: number): Person => {
    let p = people.get(i);
    if (!p) {
      p = {
        base: null,
        sides: { crm: null, google: null },
        lastAct: 0,
        member: null,
        groupActs: {},
        noEmail: false,
        unjudged: false,
        ranAfter: false,
        unsure: false,
      };
      people.set(i, p);
    }
    return p;
  };
  // Group moves before this instant were seen by a clean run.
  let settledBefore = 0;

  const linkOf = (i: number) => {
    const c = findLive(w.crm, i);
    const g = findLive(w.google, i);
    if (!c || !g) return undefined;
    return [...w.fake.links.values()].find((l) => l.crmId === c.id && l.googleId === g.id);
  };
  const inSyncPair = (i: number): boolean => {
    const c = findLive(w.crm, i);
    const g = findLive(w.google, i);
    const link = linkOf(i);
    return !!c && !!g && c.inGroup && g.inGroup && link?.status === 'active' && !link.attention;
  };
  // Pairs in sync: a pair whose last write failed is not (the next run re-reads both records).
  const activeLinks = () =>
    [...w.fake.links.values()].filter((l) => l.status === 'active' && !l.attention).length;

  const trace = (label: string, report: unknown) => {
    if (!process.env.PROPERTY_TRACE) return;
    const show = (side: FakeSide) =>
      side
        .alive()
        .map((r) => `${r.id}:${r.contact.givenName}${r.inGroup ? '+' : '-'}v${r.version}@${r.modifiedAt}`);
    console.log(
      label,
      JSON.stringify(report),
      '\n  crm',
      show(w.crm).join(' '),
      '\n  google',
      show(w.google).join(' '),
    );
    for (const l of w.fake.links.values()) console.log('  link', JSON.stringify(l));
  };

  const syncOnce = async (opts: {
    crashAt?: number | null;
    stopAt?: number | null;
    allowLargeRemoval?: boolean;
  }) => {
    const { crashAt = null, stopAt = null, allowLargeRemoval = false } = opts;
    let calls = 0;
    const deadline = stopAt === null ? undefined : w.time + 1500; // the sync's own tick is 1000
    const hook = () => {
      if (crashAt !== null && calls === crashAt) throw new Crash('crash');
      // The deadline arrives while the run is at its n-th call.
      if (stopAt !== null && calls === stopAt) w.tick(600);
      calls += 1;
    };
    w.crm.hook = hook;
    w.google.hook = hook;
    w.fake.hook = hook;
    const cursors = structuredClone(w.fake.checkpoint.cursors);
    const empty = { crm: w.crm.members().length === 0, google: w.google.members().length === 0 };
    const active = activeLinks();
    try {
      const report = await w.sync({ allowLargeRemoval, ...(deadline ? { deadline } : {}), policy });
      trace('sync', report);
      // The guard refuses exactly where the rule says: a side that lists its group empty while
      // contacts were in sync (with eight people, never the share rule), unless a person confirmed.
      if (report.outcome === 'refused') {
        assert.ok(!allowLargeRemoval, 'a confirmed run was refused');
        assert.ok(
          (empty.crm || empty.google) && active > 0,
          `a run was refused although neither group is empty: ${report.reason}`,
        );
      } else if (!allowLargeRemoval && empty.crm && active > 0) {
        assert.fail(`a run that saw the CRM group empty with ${active} pairs in sync was not refused`);
      }
      if (report.outcome === 'partial' || report.outcome === 'refused')
        assert.deepEqual(w.fake.checkpoint.cursors, cursors, `a ${report.outcome} run moved a cursor`);
      return report;
    } catch (e) {
      if (!(e instanceof Crash) && !(e instanceof LostAnswer)) throw e;
      trace(`crash at ${crashAt}`, null);
      assert.deepEqual(w.fake.checkpoint.cursors, cursors, 'a run that died moved a cursor');
      return null;
    } finally {
      w.crm.hook = () => {};
      w.google.hook = () => {};
      w.fake.hook = () => {};
    }
  };

  /**
   * After a clean run: every person whose pair is in sync and whose every change the run could see
   * must hold, on both sides, the value the oracle derives from what the users did. Others wait (an
   * edit of a person out of the group, or not yet visible, arrives later and is judged then).
   */
  const judge = (visibleBefore: number, final: boolean) => {
    for (const [i, p] of people) {
      if (!inSyncPair(i)) continue;
      const c = findLive(w.crm, i)!;
      const g = findLive(w.google, i)!;
      // Our own write during this run re-dates the Google record, hiding the edit a little longer.
      if (p.lastAct > visibleBefore || g.modifiedAt > visibleBefore) {
        assert.ok(!final, `person ${i} still not settled after the final runs`);
        continue;
      }
      const now = { crm: valuesOf(c.contact), google: valuesOf(g.contact) };
      const next = {} as Values;
      for (const f of JUDGED) {
        if (p.unsure) {
          assert.ok(same(now.crm[f], now.google[f]), `person ${i} differs in ${f} after a clean run`);
          next[f] = now.crm[f];
          continue;
        }
        const want = expectedField(f, p.base, p.sides.crm, p.sides.google, policy);
        for (const s of ['crm', 'google'] as const)
          assert.ok(
            same(now[s][f], want),
            `person ${i}, ${f} on ${s}: ${show(now[s][f])}, but the users' edits (${policy}) give ${show(want)}`,
          );
        next[f] = want;
      }
      p.base = next;
      p.unjudged = p.ranAfter = p.unsure = false;
      p.sides = {
        crm: { values: structuredClone(next), touched: p.sides.crm?.touched ?? 0 },
        google: { values: structuredClone(next), touched: p.sides.google?.touched ?? 0 },
      };
    }
    settledBefore = visibleBefore;
  };

  /** A user moved a person into or out of a group (or deleted it): the pair follows the last move. */
  const moved = (i: number, side: Side, inGroup: boolean) => {
    const p = personOf(i);
    // Opposite moves on the two sides since the last clean run (in any order, whatever else moved in
    // between): no run saw which came last, so either end is what some user did.
    const other = p.groupActs[side === 'crm' ? 'google' : 'crm'];
    const clash = other !== undefined && other.inGroup !== inGroup && other.at > settledBefore;
    p.member = clash ? null : inGroup;
    p.groupActs[side] = { inGroup, at: w.time };
  };

  const userEdit = (side: Side, i: number, f: EditField, value: number, noise: boolean) => {
    const r = findLive(sides[side], i);
    if (!r) return;
    const p = personOf(i);
    // A copy the sync made and no user touched yet holds what the sync agreed: that is its base.
    if (p.sides[side] === null) {
      p.sides[side] = { values: valuesOf(r.contact), touched: 0 };
      p.base ??= valuesOf(r.contact);
    }
    if (p.unjudged && p.ranAfter) p.unsure = true;
    p.unjudged = true;
    sides[side].userEdit(r.id, edited(r.contact, f, i, value, noise));
    p.sides[side]!.values[f] = valuesOf(r.contact)[f];
    p.sides[side]!.touched = w.time;
    p.lastAct = w.time;
  };

  for (const cmd of cmds) {
    if (cmd.k === 'tick') w.tick(cmd.ms);
    else if (cmd.k === 'create') {
      const p = personOf(cmd.who);
      const email = cmd.email ?? true;
      // The user creates a person once per side, and never a copy of one the sync already brought
      // over; one without an email exists on one side only (nothing could pair a second one).
      if (created[cmd.side].has(cmd.who) || findLive(sides[cmd.side], cmd.who)) continue;
      if (p.noEmail || (!email && (created.crm.has(cmd.who) || created.google.has(cmd.who)))) continue;
      created[cmd.side].add(cmd.who);
      p.noEmail = !email;
      const v = cmd.variant ?? 0;
      const contact = person(nameOf(cmd.who), ['Initial', '', 'Initial', 'Second'][v]!, {
        emails: email ? [{ address: `p${cmd.who}@example.com`, type: 'work' }] : [],
        jobTitle: ['', 'Boss', '', 'Clerk'][v]!,
      });
      userMade.add(sides[cmd.side].userCreate(contact, cmd.inGroup));
      p.sides[cmd.side] = { values: valuesOf(contact), touched: w.time };
      p.base = null;
      p.lastAct = w.time;
      p.unjudged = true;
      const other = findLive(sides[cmd.side === 'crm' ? 'google' : 'crm'], cmd.who);
      if (cmd.inGroup || !other) moved(cmd.who, cmd.side, cmd.inGroup);
    } else if (cmd.k === 'edit') {
      userEdit(cmd.side, cmd.who, cmd.field, cmd.value, cmd.noise ?? false);
    } else if (cmd.k === 'interleave') {
      userEdit(cmd.side, cmd.who, cmd.first, cmd.value, false);
      w.tick(60_000);
      userEdit(cmd.side === 'crm' ? 'google' : 'crm', cmd.who, cmd.second, (cmd.value + 1) % 4, false);
    } else if (cmd.k === 'group' || cmd.k === 'delete') {
      const r = findLive(sides[cmd.side], cmd.who);
      if (!r) continue;
      const p = personOf(cmd.who);
      p.lastAct = w.time;
      // Leaving a group (or deletion) of one of a pair takes the pair out of both groups; of a record
      // never paired, it leaves the other one where its user put it (in its group, it is copied or
      // paired afresh).
      const other = findLive(sides[cmd.side === 'crm' ? 'google' : 'crm'], cmd.who);
      // A copy the sync made belongs to its source, whatever became of the link (a lost answer), and
      // whether or not a user edited it since.
      const copy = !userMade.has(r.id) || (other !== undefined && !userMade.has(other.id));
      const paired =
        copy ||
        [...w.fake.links.values()].some(
          (l) =>
            l.crmId === (cmd.side === 'crm' ? r.id : other?.id) &&
            l.googleId === (cmd.side === 'google' ? r.id : other?.id),
        );
      const leave = () => {
        if (other && !paired) p.member = other.inGroup;
        else moved(cmd.who, cmd.side, false);
      };
      if (cmd.k === 'group') {
        if (r.inGroup === cmd.inGroup) continue;
        sides[cmd.side].userSetGroup(r.id, cmd.inGroup);
        // Creatio's ModifiedOn moves when a contact leaves a folder; Google's etag on any move.
        if (p.sides[cmd.side] && (cmd.side === 'google' || !cmd.inGroup)) {
          p.sides[cmd.side]!.touched = w.time;
          // A newer time weighs like an edit: what a run that may have merged already decided is unknown.
          if (p.unjudged && p.ranAfter) p.unsure = true;
        }
        if (cmd.inGroup) moved(cmd.who, cmd.side, true);
        else leave();
      } else {
        sides[cmd.side].userDelete(r.id);
        deletedByUser[cmd.side] += 1;
        p.sides[cmd.side] = null;
        // A copy the sync made outlives its source: what it holds is now the person's only record.
        const o = cmd.side === 'crm' ? 'google' : 'crm';
        if (other && p.sides[o] === null) p.sides[o] = { values: valuesOf(other.contact), touched: 0 };
        // So does one a run merged after the last judgement (a run that stopped early, say): what that
        // run agreed on is unknown to the oracle, and the survivor carries it on.
        else if (other && p.unjudged && p.ranAfter) p.sides[o]!.values = valuesOf(other.contact);
        p.base = null;
        leave();
        // A CRM copy whose create's answer was lost, deleted before a run confirmed it: Creatio's OData
        // keeps no trace of a deleted record (reference §7), so the next run cannot tell it from a
        // create that never happened and makes it again. Either outcome is what a user could expect.
        const unconfirmed = [...w.fake.links.values()].some(
          (l) => l.status === 'pending' && l.pending?.side === 'crm' && l.crmId === r.id,
        );
        if (cmd.side === 'crm' && unconfirmed) p.member = null;
      }
    } else if (cmd.k === 'fail') {
      for (let n = 0; n < cmd.times; n++) sides[cmd.side].writeFaults.push(cmd.fault);
    } else {
      // Users usually stop a moment before a run; `soon` runs right after their last edit, which
      // Google does not show yet.
      if (!cmd.soon) w.tick(w.google.visibilityDelayMs);
      const visibleBefore = w.time + 1000 - w.google.visibilityDelayMs;
      for (const p of people.values()) if (p.unjudged) p.ranAfter = true;
      let report = await syncOnce({
        crashAt: cmd.crashAt,
        stopAt: cmd.stopAt ?? null,
        allowLargeRemoval: cmd.confirm ?? false,
      });
      if (cmd.duplicate) report = await syncOnce({}); // the same trigger delivered twice
      if (report?.outcome === 'ok' && !report.more) judge(visibleBefore, false);
    }
  }

  // Final clean syncs: no faults; time enough for delayed visibility and unconfirmed creates. A
  // refusal is checked like any other, then a person confirms it.
  w.crm.writeFaults = [];
  w.google.writeFaults = [];
  for (let i = 0; i < 4; i++) {
    w.tick(20 * 60_000);
    let report = await syncOnce({});
    if (report?.outcome === 'refused') report = await syncOnce({ allowLargeRemoval: true });
    assert.equal(report?.outcome, 'ok');
  }
  judge(w.time, true);

  for (const s of ['crm', 'google'] as const) {
    const side = sides[s];
    const names = side.alive().map((r) => r.contact.givenName);
    assert.equal(new Set(names).size, names.length, `duplicate records on ${s}: ${names.sort().join(',')}`);
    const deleted = [...side.records.values()].filter((r) => r.deleted).length;
    assert.equal(deleted, deletedByUser[s], `the sync deleted records on ${s}`);
  }
  // Memberships as the users left them: a move on either side carries to the pair.
  for (const [i, p] of people) {
    if (p.member === null) continue;
    const c = findLive(w.crm, i);
    const g = findLive(w.google, i);
    if (p.member) assert.ok(inSyncPair(i), `person ${i} should be in both groups, paired`);
    else assert.ok(!c?.inGroup && !g?.inGroup, `person ${i} should be in neither group`);
  }
  const active = [...w.fake.links.values()].filter((l) => l.status === 'active');
  const crmMembers = new Set(w.crm.members().map((r) => r.id));
  const googleMembers = new Set(w.google.members().map((r) => r.id));
  assert.equal(active.length, crmMembers.size, 'every CRM member is paired');
  assert.equal(active.length, googleMembers.size, 'every Google member is paired');
  const googleIds = active.map((l) => l.googleId);
  assert.equal(new Set(googleIds).size, googleIds.length, 'two links hold one Google contact');
  for (const l of active) {
    assert.ok(l.crmId && crmMembers.has(l.crmId), 'paired CRM record is in the static group');
    assert.ok(l.googleId && googleMembers.has(l.googleId), 'paired Google record is in the group');
    const c = valuesOf(w.crm.records.get(l.crmId)!.contact);
    const g = valuesOf(w.google.records.get(l.googleId)!.contact);
    for (const f of JUDGED) assert.ok(same(c[f], g[f]), `a pair differs in ${f}`);
  }
  assert.equal(
    w.fake.checkpoint.activeLinks,
    active.filter((l) => !l.attention).length,
    'the stored count of pairs in sync drifted',
  );
  assert.equal(
    [...w.fake.links.values()].filter((l) => l.status === 'pending').length,
    0,
    'no create left in doubt',
  );
  after(w);
}

describe('convergence under random edits, syncs and crashes (fast-check)', () => {
  it('ends where the users meant: per-field winners, memberships, refusals; no duplicates or deletions', async () => {
    const numRuns = Number(process.env.PROPERTY_RUNS ?? 300);
    const seed = process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined;
    const policy = fc.constantFrom<Policy>('newest-wins', 'crm-wins', 'google-wins');
    const prop = fc.asyncProperty(fc.array(cmdArb, { minLength: 5, maxLength: 60 }), policy, (c, p) =>
      scenario(c, p),
    );
    await fc.assert(prop, {
      numRuns,
      ...(seed !== undefined ? { seed } : {}),
      // The path of a reported failure replays only its counterexample (with the same seed).
      ...(process.env.PROPERTY_PATH ? { path: process.env.PROPERTY_PATH } : {}),
      endOnFailure: process.env.PROPERTY_SHRINK === '0',
    });
  });
});
