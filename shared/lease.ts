// The lease rules, in one place for every ConnectionStore: who may start a run of a connection now.
import type { Connection, LeaseResult, SyncRequest } from './ports.js';

/** Why a request may not take the connection's lease now, or null when it may. */
export function leaseRefusal(
  c: Connection,
  request: SyncRequest,
  now: number,
): Extract<LeaseResult, { ok: false }> | null {
  if (c.lease && c.lease.until > now) return { ok: false, reason: 'busy', runId: c.lease.runId };
  // Pub/Sub delivers at least once: a request that a run started after it already covered is done.
  // A failed run covers nothing: its redelivery is the retry the job asked for.
  const covered = c.recentRuns.some(
    (r) =>
      r.outcome !== 'failed' &&
      (r.runId === request.runId || (request.trigger === 'schedule' && r.startedAt >= request.requestedAt)),
  );
  if (covered) return { ok: false, reason: 'stale', runId: request.runId };
  if (c.status === 'needs-reconnect' || c.google === null)
    return { ok: false, reason: 'needs-reconnect', runId: null };
  if (!c.enabled) return { ok: false, reason: 'disabled', runId: null };
  return null;
}

/**
 * The queued "Sync now" once its own request was refused for good (disabled, not connected): left
 * queued, syncNow would answer its id for the queue's whole lifetime and publish nothing.
 */
export function queuedAfterRefusal(
  c: Connection,
  request: SyncRequest,
  refusal: Extract<LeaseResult, { ok: false }>,
): Connection['queuedRun'] {
  // Busy: the lease holder hands the queued run on when it ends (syncConnection).
  if (refusal.reason === 'busy' || c.queuedRun?.runId !== request.runId) return c.queuedRun;
  return null;
}

/** The connection as leased to this attempt; a "Sync now" it answers leaves the queue. */
export function leased(
  c: Connection,
  request: SyncRequest,
  attempt: string,
  now: number,
  ttlMs: number,
  slot?: number,
): Connection {
  return {
    ...c,
    lease: {
      runId: request.runId,
      attempt,
      trigger: request.trigger,
      until: now + ttlMs,
      ...(slot === undefined ? {} : { slot }),
    },
    queuedRun: c.queuedRun?.runId === request.runId ? null : c.queuedRun,
  };
}

/**
 * A tenant's runs share its Creatio: at most `maxConcurrentRuns` of them hold a run slot at once, so
 * a tick that makes hundreds of connections due cannot flood the company's CRM. A slot is leased like
 * a connection (same attempt, same TTL): a crashed run's slot is free again when its lease expires.
 */
export const DEFAULT_MAX_CONCURRENT_RUNS = 3;
export const MAX_CONCURRENT_RUNS_LIMIT = 50;

export interface RunSlot {
  userId: string;
  runId: string;
  attempt: string;
  expiresAt: number;
}

export const runCap = (tenant: { maxConcurrentRuns?: number } | null | undefined): number =>
  tenant?.maxConcurrentRuns ?? DEFAULT_MAX_CONCURRENT_RUNS;

export const slotFree = (slot: RunSlot | null | undefined, now: number): boolean =>
  !slot || slot.expiresAt <= now;

/** Indexes of the free slots among `cap`, shuffled so concurrent attempts rarely race for the same one. */
export function freeSlots(slots: (RunSlot | null | undefined)[], cap: number, now: number): number[] {
  const free: number[] = [];
  for (let i = 0; i < cap; i++) if (slotFree(slots[i], now)) free.push(i);
  for (let i = free.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [free[i], free[j]] = [free[j]!, free[i]!];
  }
  return free;
}

export const slotFor = (request: SyncRequest, attempt: string, now: number, ttlMs: number): RunSlot => ({
  userId: request.userId,
  runId: request.runId,
  attempt,
  expiresAt: now + ttlMs,
});
