// The removals the mass-removal guard held back wait for a person (listed by needsAttention). Confirm
// carries them out; Reject undoes what caused them: the records that left a group are put back into
// it, so nothing is removed on the other side, and syncing resumes. A record deleted outright cannot
// be put back; its partner stays in its group, and a later full listing pairs or re-creates it.
import { SyncError } from '../errors.js';
import type { AttentionStore } from '../ports.js';
import type { SyncNowDeps, SyncNowResult } from '../syncNow.js';
import { syncNow } from '../syncNow.js';

export type GuardDeps = SyncNowDeps & { attention: AttentionStore };

async function paused(deps: GuardDeps, tenantId: string, userId: string) {
  const c = await deps.connections.get(tenantId, userId);
  if (!c) throw new SyncError('not-found', 'no such connection');
  if (c.status !== 'paused') throw new SyncError('conflict', 'no removals are waiting for a decision');
}

/** Confirm: the next run (queued now) carries out the removals the guard held back. */
export async function confirmRemovals(
  deps: GuardDeps,
  tenantId: string,
  userId: string,
): Promise<SyncNowResult> {
  await paused(deps, tenantId, userId);
  return syncNow(deps, { tenantId, userId, confirmRemovals: true });
}

/** Reject: the next run (queued now) puts the departed records back instead of removing their partners. */
export async function rejectRemovals(
  deps: GuardDeps,
  tenantId: string,
  userId: string,
): Promise<SyncNowResult> {
  await paused(deps, tenantId, userId);
  if (!(await deps.attention.restoreDepartures(tenantId, userId)))
    throw new SyncError('not-found', 'no such connection');
  return syncNow(deps, { tenantId, userId });
}
