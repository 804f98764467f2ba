// What a run did (or, dry, would do), per kind of action and side: the figures run history keeps.
import type { ActionKind, Plan, Side } from './sync/index.js';

export type Counts = Record<ActionKind, Record<Side, number>> & {
  linked: number;
  retired: number;
  failed: number;
  /** Creates the side refused for want of room (a full Google account). */
  refused: number;
  /** Creates whose outcome is not known yet, held back until it is. */
  waiting: number;
};

export const emptyCounts = (): Counts => ({
  create: { crm: 0, google: 0 },
  update: { crm: 0, google: 0 },
  addToGroup: { crm: 0, google: 0 },
  removeFromGroup: { crm: 0, google: 0 },
  linked: 0,
  retired: 0,
  failed: 0,
  refused: 0,
  waiting: 0,
});

export const countPlan = (p: Plan): Counts => {
  const c = emptyCounts();
  for (const a of p.actions) c[a.kind][a.side] += 1;
  c.retired = p.retire.length;
  c.waiting = p.notes.filter((n) => n.kind === 'waiting-for-create').length;
  return c;
};
