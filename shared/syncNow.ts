// "Sync now": queue one manual run, unless one is running or already queued (then that run's id is the
// answer and nothing new is published). A dry run plans against the live data and writes nothing.
import { SyncError } from './errors.js';
import type {
  Clock,
  Connection,
  ConnectionControls,
  ConnectionStore,
  ContactSide,
  CreatioCallCounter,
  JobQueue,
} from './ports.js';
import { countOutsideRun } from './creatioCalls.js';
import { runSync } from './runSync.js';
import type { Action, Contact, Field, Side } from './sync/index.js';
import { FIELDS } from './sync/index.js';

export interface SyncNowDeps {
  connections: ConnectionStore & ConnectionControls;
  queue: JobQueue;
  clock: Clock;
  newId: () => string;
  openSides: (connection: Connection, options?: { readOnly?: boolean }) => Promise<Record<Side, ContactSide>>;
  /** Where a dry run's billed Creatio calls are counted (none counted without it). */
  creatioCalls?: CreatioCallCounter;
}

/** One planned write, described without any contact value. */
export interface PlannedAction {
  kind: Action['kind'];
  side: Side;
  /** The record written; null for a create whose id the side assigns. */
  recordId: string | null;
  fields: Field[];
}

export type SyncNowResult =
  | { kind: 'accepted'; runId: string; queued: boolean }
  | {
      kind: 'dry-run';
      refused: string | null;
      counts: Record<string, number>;
      actions: PlannedAction[];
    };

const filled = (c: Contact): Field[] =>
  FIELDS.filter((f) => {
    const v = c[f];
    return Array.isArray(v) ? v.length > 0 : v !== '';
  });

const describe = (a: Action): PlannedAction => {
  switch (a.kind) {
    case 'create':
      return { kind: a.kind, side: a.side, recordId: a.id, fields: filled(a.contact) };
    case 'update':
      return { kind: a.kind, side: a.side, recordId: a.id, fields: [...a.fields] };
    default:
      return { kind: a.kind, side: a.side, recordId: a.id, fields: [] };
  }
};

function runnable(c: Connection | null): Connection {
  if (!c) throw new SyncError('not-found', 'no such connection');
  if (c.google === null || c.status === 'needs-reconnect')
    throw new SyncError('conflict', 'the Google account must be connected again');
  if (!c.enabled) throw new SyncError('conflict', 'sync is disabled for this connection');
  return c;
}

export async function syncNow(
  deps: SyncNowDeps,
  input: { tenantId: string; userId: string; dryRun?: boolean; confirmRemovals?: boolean },
): Promise<SyncNowResult> {
  const { tenantId, userId } = input;
  const connection = runnable(await deps.connections.get(tenantId, userId));
  if (input.dryRun) return dryRun(deps, connection, input.confirmRemovals ?? false);

  if (input.confirmRemovals && !(await deps.connections.allowLargeRemoval(tenantId, userId)))
    throw new SyncError('not-found', 'no such connection');
  const now = deps.clock.now();
  const accepted = await deps.connections.queueManualRun(tenantId, userId, deps.newId(), now);
  if (!accepted) throw new SyncError('not-found', 'no such connection');
  if (!accepted.queued) return { kind: 'accepted', ...accepted };
  try {
    await deps.queue.publishSync([
      { tenantId, userId, trigger: 'manual', runId: accepted.runId, requestedAt: now },
    ]);
  } catch (e) {
    // Unqueued, so that the caller's retry publishes afresh instead of pointing at a lost run.
    await deps.connections.cancelQueuedRun(tenantId, userId, accepted.runId);
    throw new SyncError('unavailable', 'the sync request could not be queued', { cause: e });
  }
  return { kind: 'accepted', ...accepted };
}

async function dryRun(deps: SyncNowDeps, c: Connection, confirmRemovals: boolean): Promise<SyncNowResult> {
  // Read-only: a dry run writes nothing, not even the Google group.
  const sides = await deps.openSides(c, { readOnly: true });
  // Without the lease: this run only reads, and must not be mistaken for the run that holds it.
  const state = deps.connections.syncState({ ...c, lease: null });
  const report = await runSync(
    { ...sides, state, clock: deps.clock, newId: deps.newId },
    { policy: c.policy, dryRun: true, allowLargeRemoval: c.allowLargeRemoval || confirmRemovals },
  ).finally(() => countOutsideRun(deps.creatioCalls, c.tenantId, deps.clock.now(), sides.crm));
  const counts: Record<string, number> = {};
  for (const kind of ['create', 'update', 'addToGroup', 'removeFromGroup'] as const)
    for (const side of ['crm', 'google'] as const) counts[`${kind}.${side}`] = report.counts[kind][side];
  counts.retired = report.counts.retired;
  return {
    kind: 'dry-run',
    refused: report.outcome === 'refused' ? report.reason : null,
    counts,
    actions: (report.planned ?? []).map(describe),
  };
}
