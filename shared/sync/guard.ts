// The mass-removal guard: a partial listing or a bulk mistake must never empty a group. A run that
// would remove too much is refused before anything is written, and the connection waits for a person.
import type { Side } from './model.js';
import { SIDES } from './model.js';
import type { SideView } from './observe.js';
import type { Action, Link, PlanInput } from './types.js';

/**
 * A pair in sync: the guard's base. One whose last write failed is not (its records may well be out
 * of their groups), so a failed first pairing never makes an honest empty group look like a loss.
 */
export const inSync = (l: Link): boolean => l.status === 'active' && !l.attention;

export function guardPlan(actions: Action[], input: PlanInput, views: Record<Side, SideView>): string | null {
  if (input.allowLargeRemoval) return null;
  for (const s of SIDES) {
    if (views[s].memberCount === 0 && input.activeLinks > 0)
      return `the ${label(s)} lists no members although ${input.activeLinks} contacts were in sync; nothing was changed`;
  }
  const { maxRemovalShare, minRemovals } = input.guard;
  for (const s of SIDES) {
    const removals = actions.filter((a) => a.kind === 'removeFromGroup' && a.side === s).length;
    const size = Math.max(input.activeLinks, views[s].memberCount ?? 0, 1);
    if (removals >= minRemovals && removals > maxRemovalShare * size)
      return `this run would remove ${removals} of ${size} contacts from the ${label(s)} (more than ${Math.round(
        maxRemovalShare * 100,
      )}%); nothing was changed`;
  }
  return null;
}

const label = (s: Side) => (s === 'crm' ? 'CRM static group' : 'Google contact group');
