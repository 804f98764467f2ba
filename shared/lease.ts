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
): Connection {
  return {
    ...c,
    lease: { runId: request.runId, attempt, trigger: request.trigger, until: now + ttlMs },
    queuedRun: c.queuedRun?.runId === request.runId ? null : c.queuedRun,
  };
}
