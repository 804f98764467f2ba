// A person's answer to the removals the guard held back. Confirm lets the next run carry them out
// (syncNow with confirmRemovals); Reject has the next run put the departed records back in the
// group, and starts that run now.
import { SyncError } from '../errors.js';
import type { AttentionStore } from '../ports.js';
import type { SyncNowDeps } from '../syncNow.js';
import { syncNow } from '../syncNow.js';

export async function rejectRemovals(
  deps: SyncNowDeps & { attention: AttentionStore },
  tenantId: string,
  userId: string,
): Promise<{ runId: string }> {
  const c = await deps.connections.get(tenantId, userId);
  if (!c) throw new SyncError('not-found', 'no such connection');
  if (c.status !== 'paused') throw new SyncError('conflict', 'no removals are waiting for an answer');
  if (!(await deps.attention.restoreDepartures(tenantId, userId)))
    throw new SyncError('not-found', 'no such connection');
  const result = await syncNow(deps, { tenantId, userId });
  if (result.kind !== 'accepted') throw new SyncError('internal', 'a sync was not queued');
  return { runId: result.runId };
}
