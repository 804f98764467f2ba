// The Creatio call meter. Creatio bills every OData call and every $batch sub-request against a soft
// cap of 10,000 a day per full user licence, reset at 00:00 UTC (reference §8). Each tenant's calls
// are counted per UTC day in shard documents that runs add to as they end (one write a run, folded
// into its end-of-run commit), so that many runs ending at once do not queue on one document; reading
// sums the shards. A tenant's daily budget makes deferrable work wait for the next UTC day.

/** Shards per tenant and day: a tenant's runs may end a few times a second, one document takes about one write a second. */
export const CREATIO_CALL_SHARDS = 10;

/** The budget's bounds: 10,000 a day per licence, for up to 10,000 licences. */
export const CREATIO_DAILY_BUDGET_MIN = 1;
export const CREATIO_DAILY_BUDGET_MAX = 100_000_000;

import type { ContactSide, CreatioCallCounter } from './ports.js';

/**
 * Counts what a pass outside a run billed (a preview, a dry run), which has no run end to carry its
 * calls; whether or not the pass succeeded, the calls were made.
 */
export async function countOutsideRun(
  counter: CreatioCallCounter | undefined,
  tenantId: string,
  at: number,
  crm: ContactSide,
): Promise<void> {
  const calls = crm.billedCalls?.() ?? 0;
  if (counter && calls > 0) await counter.add(tenantId, at, calls);
}

/** The UTC day of an instant, as Creatio's counter knows it: `YYYY-MM-DD`. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export interface CreatioUsage {
  day: string;
  calls: number;
  /** The tenant's daily budget; null when none is set. */
  budget: number | null;
}

export interface FullReadCost {
  /** Billed calls counted today, before this run. */
  used: number;
  budget: number | null;
  /** What the last full read cost; null when no full read was measured yet. */
  expected: number | null;
}

/**
 * Whether the periodic full read waits for the next UTC day, and why (null: it runs). It waits when
 * today's calls and its expected cost would pass the budget; with its cost unknown, only once the
 * budget is spent. Incremental reads and writes never wait: they carry the users' own edits.
 */
export function fullReadDeferral(c: FullReadCost): string | null {
  if (c.budget === null) return null;
  const expected = c.expected ?? 0;
  if (c.used + expected <= c.budget && c.used < c.budget) return null;
  const cost = c.expected === null ? '' : ` and about ${fmt(c.expected)} more for it`;
  return (
    `the CRM's daily full read waits for the next UTC day: ${fmt(c.used)} billed Creatio calls today` +
    `${cost} would pass the tenant's daily budget of ${fmt(c.budget)}`
  );
}

const fmt = (n: number): string => n.toLocaleString('en-US');
