// Property: random edits on both sides, interleaved with syncs that may crash between any two calls,
// always converge after a final clean sync: no duplicates, equal pairs, equal groups, nothing
// deleted, and no edit lost except where the conflict policy says it loses.
// More runs: PROPERTY_RUNS=5000 npm run test:props (or PROPERTY_SEED=<n> to replay one).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Contact, Side } from '../../../shared/sync/index.js';
import { contactsEqual, fieldEquals } from '../../../shared/sync/index.js';
import type { FakeRecord, FakeSide } from '../../fakes/fakeSide.js';
import { World, person } from '../../fakes/world.js';

const PEOPLE = 8;
const sideArb = fc.constantFrom<Side>('crm', 'google');
const who = fc.nat({ max: PEOPLE - 1 });

type Cmd =
  | { k: 'create'; side: Side; who: number; inGroup: boolean }
  | { k: 'edit'; side: Side; who: number; field: EditField; value: number }
  | { k: 'group'; side: Side; who: number; inGroup: boolean }
  | { k: 'delete'; side: Side; who: number }
  | { k: 'sync'; crashAt: number | null; duplicate: boolean }
  | { k: 'tick'; ms: number };

const EDIT_FIELDS = [
  'familyName',
  'jobTitle',
  'company',
  'notes',
  'department',
  'phones',
  'birthday',
  'emails',
] as const;
type EditField = (typeof EDIT_FIELDS)[number];

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ k: fc.constant('create' as const), side: sideArb, who, inGroup: fc.boolean() }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('edit' as const),
      side: sideArb,
      who,
      field: fc.constantFrom(...EDIT_FIELDS),
      value: fc.nat({ max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('group' as const), side: sideArb, who, inGroup: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('delete' as const), side: sideArb, who }) },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('sync' as const),
      crashAt: fc.option(fc.nat({ max: 25 }), { nil: null }),
      duplicate: fc.boolean(),
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

function edited(c: Contact, field: EditField, who: number, value: number): Partial<Contact> {
  switch (field) {
    case 'phones':
      return { phones: value === 0 ? [] : [{ number: `+1 555 01${who}${value}`, type: 'mobile' }] };
    case 'birthday':
      return { birthday: value === 0 ? '' : `19${70 + value}-0${value}-1${value}` };
    case 'emails':
      // Extra emails stay unique to the person, so that email matching is never ambiguous.
      return {
        emails: [
          ...c.emails.slice(0, 1),
          ...(value === 0 ? [] : [{ address: `p${who}.x${value}@example.org`, type: 'home' as const }]),
        ],
      };
    default:
      return { [field]: value === 0 ? '' : `${field} ${value}` };
  }
}

export async function scenario(cmds: Cmd[]): Promise<void> {
  const w = new World();
  w.google.visibilityDelayMs = 2000;
  const sides = { crm: w.crm, google: w.google };
  const created: Record<Side, Set<number>> = { crm: new Set(), google: new Set() };
  const deletedByUser: Record<Side, number> = { crm: 0, google: 0 };
  // Edits to pairs in sync since the last successful run, per person and field: the last value per side.
  // Google shows a change only after its visibility delay, so an edit is judged once a run could see it.
  let pendingEdits = new Map<string, { at: number; values: Partial<Record<Side, Contact>> }>();
  // People whose pair was created, moved or deleted, by when: their edits are not judged until then.
  const unsettled = new Map<number, number>();

  const inSyncPair = (i: number): boolean => {
    const c = findLive(w.crm, i);
    const g = findLive(w.google, i);
    if (!c || !g || !c.inGroup || !g.inGroup) return false;
    const link = [...w.fake.links.values()].find((l) => l.crmId === c.id);
    return link?.status === 'active' && link.googleId === g.id && !link.attention;
  };

  const trace = (label: string, report: unknown) => {
    if (!process.env.PROPERTY_TRACE) return;
    const show = (side: FakeSide) =>
      side.alive().map((r) => `${r.id}:${r.contact.givenName}${r.inGroup ? '+' : '-'}v${r.version}`);
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
  const syncOnce = async (crashAt: number | null, allowLargeRemoval = false) => {
    let calls = 0;
    const maybeCrash = () => {
      if (crashAt !== null && calls++ === crashAt) throw new Crash('crash');
    };
    w.crm.hook = maybeCrash;
    w.google.hook = maybeCrash;
    w.fake.hook = maybeCrash;
    try {
      const report = await w.sync({ allowLargeRemoval });
      trace('sync', report);
      return report;
    } catch (e) {
      if (!(e instanceof Crash)) throw e;
      trace(`crash at ${crashAt}`, null);
      return null;
    } finally {
      w.crm.hook = () => {};
      w.google.hook = () => {};
      w.fake.hook = () => {};
    }
  };

  const checkEdits = (seenBefore: number) => {
    const later = new Map([...pendingEdits].filter(([, e]) => e.at > seenBefore));
    for (const [key, { at, values: bySide }] of pendingEdits) {
      if (at > seenBefore) continue;
      const [i, field] = key.split('/') as [string, EditField];
      const who = Number(i);
      if (unsettled.has(who)) continue;
      const c = findLive(w.crm, who);
      const g = findLive(w.google, who);
      if (!c || !g) continue;
      // Our own write during this run re-dates the Google record, hiding the edit a little longer.
      if (g.modifiedAt > seenBefore) {
        later.set(key, { at: g.modifiedAt, values: bySide });
        continue;
      }
      assert.ok(
        fieldEquals(c.contact, g.contact, field),
        `pair ${who} differs in ${field} after a clean run`,
      );
      const candidates = (['crm', 'google'] as const).flatMap((s) => (bySide[s] ? [bySide[s]] : []));
      if ((field === 'emails' || field === 'phones') && candidates.length > 1) continue; // lists merge as sets
      assert.ok(
        candidates.some((v) => fieldEquals(v, c.contact, field)),
        `edit of ${field} on person ${who} was lost`,
      );
    }
    pendingEdits = later;
    for (const [who, at] of unsettled) if (at <= seenBefore) unsettled.delete(who);
  };

  for (const cmd of cmds) {
    if (cmd.k === 'tick') w.tick(cmd.ms);
    else if (cmd.k === 'create') {
      // The user creates a person once per side, and never a copy of one the sync already brought over.
      if (created[cmd.side].has(cmd.who) || findLive(sides[cmd.side], cmd.who)) continue;
      created[cmd.side].add(cmd.who);
      unsettled.set(cmd.who, w.time);
      sides[cmd.side].userCreate(
        person(nameOf(cmd.who), 'Initial', {
          emails: [{ address: `p${cmd.who}@example.com`, type: 'work' }],
        }),
        cmd.inGroup,
      );
    } else if (cmd.k === 'edit') {
      const r = findLive(sides[cmd.side], cmd.who);
      if (!r) continue;
      const tracked = inSyncPair(cmd.who);
      sides[cmd.side].userEdit(r.id, edited(r.contact, cmd.field, cmd.who, cmd.value));
      // Google hides a whole person until its latest change is old enough: re-date its other edits.
      for (const [key, e] of pendingEdits) if (key.startsWith(`${cmd.who}/`)) e.at = w.time;
      if (tracked) {
        const key = `${cmd.who}/${cmd.field}`;
        const values = { ...pendingEdits.get(key)?.values, [cmd.side]: structuredClone(r.contact) };
        pendingEdits.set(key, { at: w.time, values });
      } else unsettled.set(cmd.who, w.time);
    } else if (cmd.k === 'group' || cmd.k === 'delete') {
      const r = findLive(sides[cmd.side], cmd.who);
      if (!r) continue;
      unsettled.set(cmd.who, w.time);
      if (cmd.k === 'group') sides[cmd.side].userSetGroup(r.id, cmd.inGroup);
      else {
        sides[cmd.side].userDelete(r.id);
        deletedByUser[cmd.side] += 1;
      }
    } else {
      const visibleBefore = w.time + 1000 - w.google.visibilityDelayMs;
      const report = await syncOnce(cmd.crashAt);
      if (cmd.duplicate) await syncOnce(null); // the same trigger delivered twice
      if (report?.outcome === 'ok' && !cmd.duplicate) checkEdits(visibleBefore);
    }
  }

  // Final clean syncs: no faults; time enough for delayed visibility and unconfirmed creates.
  for (let i = 0; i < 4; i++) {
    w.tick(20 * 60_000);
    const report = await syncOnce(null, true);
    assert.ok(report, 'a clean sync cannot crash');
    assert.notEqual(report.outcome, 'refused');
  }
  checkEdits(w.time);

  for (const s of ['crm', 'google'] as const) {
    const side = sides[s];
    const names = side.alive().map((r) => r.contact.givenName);
    assert.equal(new Set(names).size, names.length, `duplicate records on ${s}: ${names.sort().join(',')}`);
    const deleted = [...side.records.values()].filter((r) => r.deleted).length;
    assert.equal(deleted, deletedByUser[s], `the sync deleted records on ${s}`);
  }
  const active = [...w.fake.links.values()].filter((l) => l.status === 'active');
  const crmMembers = new Set(w.crm.members().map((r) => r.id));
  const googleMembers = new Set(w.google.members().map((r) => r.id));
  assert.equal(active.length, crmMembers.size, 'every CRM member is paired');
  assert.equal(active.length, googleMembers.size, 'every Google member is paired');
  for (const l of active) {
    assert.ok(l.crmId && crmMembers.has(l.crmId), 'paired CRM record is in the static group');
    assert.ok(l.googleId && googleMembers.has(l.googleId), 'paired Google record is in the group');
    const c = w.crm.records.get(l.crmId)!.contact;
    const g = w.google.records.get(l.googleId)!.contact;
    assert.ok(contactsEqual(c, g), `pair ${c.givenName} differs`);
  }
  assert.equal(
    [...w.fake.links.values()].filter((l) => l.status === 'pending').length,
    0,
    'no create left in doubt',
  );
}

describe('convergence under random edits, syncs and crashes (fast-check)', () => {
  it('always converges with no duplicates, no deletions and no lost edits', async () => {
    const numRuns = Number(process.env.PROPERTY_RUNS ?? 300);
    const seed = process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined;
    await fc.assert(fc.asyncProperty(fc.array(cmdArb, { minLength: 5, maxLength: 60 }), scenario), {
      numRuns,
      ...(seed !== undefined ? { seed } : {}),
      endOnFailure: false,
    });
  });
});
