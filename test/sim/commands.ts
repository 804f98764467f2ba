// The simulation's vocabulary: what users do on each side, how syncs are triggered, which faults hit.
// A scenario is a list of these, generated from a seed; indices are resolved when a step runs, so a
// shorter list (while shrinking a failure) is still a valid scenario.
import type { Rng } from './rng.js';

export type SimSide = 'crm' | 'google';
export const EDIT_FIELDS = ['familyName', 'jobTitle', 'company', 'notes', 'phones', 'birthday'] as const;
export type EditField = (typeof EDIT_FIELDS)[number];

export type Trigger = 'schedule' | 'manual' | 'duplicate' | 'concurrent';
export type Fault = '429' | '5xx' | 'drop' | 'dropAfter' | 'timeout' | 'session' | 'ram';

export type Command =
  | { k: 'create'; side: SimSide; who: number; inGroup: boolean }
  | { k: 'edit'; side: SimSide; who: number; field: EditField; value: number }
  | { k: 'group'; side: SimSide; who: number; inGroup: boolean }
  | { k: 'delete'; side: SimSide; who: number }
  | { k: 'sync'; trigger: Trigger }
  /** A run that dies at its n-th external call (before or after the call took effect). */
  | { k: 'crash'; at: number; after: boolean; retryAfterLease: boolean }
  | { k: 'fault'; side: SimSide; fault: Fault; times: number }
  | { k: 'tick'; ms: number };

export const PEOPLE = 8;
const MINUTE = 60_000;

export function generate(rng: Rng, length: number): Command[] {
  const side = (): SimSide => (rng.chance(0.5) ? 'crm' : 'google');
  const who = () => rng.int(PEOPLE);
  const out: Command[] = [{ k: 'sync', trigger: 'schedule' }]; // the first run creates the Google group
  for (let i = 0; i < length; i++) {
    out.push(
      rng.weighted<() => Command>([
        [4, () => ({ k: 'create', side: side(), who: who(), inGroup: rng.chance(0.8) })],
        [6, () => ({ k: 'edit', side: side(), who: who(), field: rng.pick(EDIT_FIELDS), value: rng.int(4) })],
        [2, () => ({ k: 'group', side: side(), who: who(), inGroup: rng.chance(0.5) })],
        [1, () => ({ k: 'delete', side: side(), who: who() })],
        [
          4,
          () => ({
            k: 'sync',
            trigger: rng.weighted<Trigger>([
              [5, 'schedule'],
              [2, 'manual'],
              [2, 'duplicate'],
              [2, 'concurrent'],
            ]),
          }),
        ],
        [
          2,
          () => ({ k: 'crash', at: rng.int(14), after: rng.chance(0.5), retryAfterLease: rng.chance(0.6) }),
        ],
        [
          2,
          () => ({
            k: 'fault',
            side: side(),
            fault: rng.weighted<Fault>([
              [4, '429'],
              [3, '5xx'],
              [2, 'drop'],
              [2, 'dropAfter'],
              [1, 'timeout'],
              [2, 'session'],
              [1, 'ram'],
            ]),
            times: 1 + rng.int(3),
          }),
        ],
        // Occasionally long enough for a Google sync token (7 days) or a CRM session to expire.
        [
          2,
          () => ({
            k: 'tick',
            ms: rng.weighted([
              [6, MINUTE],
              [3, 90 * MINUTE],
              [1, 8 * 24 * 60 * MINUTE],
            ]),
          }),
        ],
      ])(),
    );
  }
  return out;
}

export const describe = (c: Command): string => JSON.stringify(c);
