// The mass-removal guard (rule 6) as a table: where it refuses and where it must not, at its edges.
import assert from 'node:assert/strict';
import type { Action, PlanInput, Side } from '../../../shared/sync/index.js';
import { DEFAULT_GUARD } from '../../../shared/sync/index.js';
import { guardPlan } from '../../../shared/sync/guard.js';
import type { SideView } from '../../../shared/sync/observe.js';

const view = (memberCount: number | null): SideView => ({
  records: new Map(),
  departures: new Map(),
  unchanged: new Set(),
  missing: new Set(),
  complete: false,
  memberCount,
});
const removals = (side: Side, n: number, kind: Action['kind'] = 'removeFromGroup'): Action[] =>
  Array.from({ length: n }, (_, i) => ({ kind, side, linkId: `l${i}`, id: `${side}-${i}` }) as Action);

interface Row {
  rule: string;
  actions: Action[];
  activeLinks: number;
  members: Record<Side, number | null>;
  allow?: boolean;
  /** null: allowed; otherwise the reason, exactly. */
  want: string | null;
}

const rows: Row[] = [
  {
    rule: 'more than half of the group, and at least ten: refused, naming the side and the share',
    actions: removals('crm', 11),
    activeLinks: 20,
    members: { crm: 9, google: 20 },
    want: 'this run would remove 11 of 20 contacts from the CRM static group (more than 50%); nothing was changed',
  },
  {
    rule: 'exactly half is allowed',
    actions: removals('google', 10),
    activeLinks: 20,
    members: { crm: 20, google: 10 },
    want: null,
  },
  {
    rule: 'ten of nineteen is more than half: refused, on the Google side',
    actions: removals('google', 10),
    activeLinks: 19,
    members: { crm: 19, google: null },
    want: 'this run would remove 10 of 19 contacts from the Google contact group (more than 50%); nothing was changed',
  },
  {
    rule: 'fewer than ten removals are allowed however large a share',
    actions: removals('crm', 9),
    activeLinks: 9,
    members: { crm: 0 + 1, google: 9 },
    want: null,
  },
  {
    rule: 'removals count per side: five on each of ten pairs is no mass removal',
    actions: [...removals('crm', 5), ...removals('google', 5)],
    activeLinks: 10,
    members: { crm: 5, google: 5 },
    want: null,
  },
  {
    rule: 'additions are not removals',
    actions: removals('crm', 12, 'addToGroup'),
    activeLinks: 12,
    members: { crm: 12, google: 12 },
    want: null,
  },
  {
    rule: 'the share is of the larger of the pairs in sync and the members the side lists',
    actions: removals('crm', 11),
    activeLinks: 10,
    members: { crm: 30, google: null },
    want: null,
  },
  {
    rule: 'a side that lists its group empty while pairs were in sync is refused',
    actions: [],
    activeLinks: 3,
    members: { crm: 3, google: 0 },
    want: 'the Google contact group lists no members although 3 contacts were in sync; nothing was changed',
  },
  {
    rule: 'the CRM side listing its group empty is refused too',
    actions: [],
    activeLinks: 1,
    members: { crm: 0, google: null },
    want: 'the CRM static group lists no members although 1 contacts were in sync; nothing was changed',
  },
  {
    rule: 'an empty group with nothing in sync (the first run) is allowed',
    actions: [],
    activeLinks: 0,
    members: { crm: 0, google: 0 },
    want: null,
  },
  {
    rule: 'a side that does not know its member count is not taken for empty',
    actions: [],
    activeLinks: 4,
    members: { crm: null, google: null },
    want: null,
  },
  {
    rule: 'a person confirmed: nothing is refused',
    actions: removals('crm', 20),
    activeLinks: 20,
    members: { crm: 0, google: 0 },
    allow: true,
    want: null,
  },
];

describe('guard: mass removals and emptied groups (table)', () => {
  for (const row of rows)
    it(row.rule, () => {
      const input = {
        activeLinks: row.activeLinks,
        guard: DEFAULT_GUARD,
        allowLargeRemoval: row.allow ?? false,
      } as PlanInput;
      const views = { crm: view(row.members.crm), google: view(row.members.google) };
      assert.equal(guardPlan(row.actions, input, views), row.want);
    });
});
