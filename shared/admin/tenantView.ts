// The tenant admin's view: every connection with its state and last run, those needing a person
// first (failing, then paused), counts per state, and the messages Pub/Sub gave up on. Pausing and
// resuming one user is the admin's lever; nothing here shows contact data.
import { SyncError } from '../errors.js';
import type { CreatioUsage } from '../creatioCalls.js';
import { creatioUsage } from '../status.js';
import type {
  Connection,
  ConnectionAdmin,
  CreatioCallCounter,
  ConnectionStatus,
  DeadLetter,
  DeadLetterStore,
  RunSummary,
  TenantStore,
} from '../ports.js';

export interface TenantViewDeps {
  connections: ConnectionAdmin;
  deadLetters: DeadLetterStore;
  /** With both, the view carries the tenant's billed Creatio calls today and its budget. */
  tenants?: TenantStore;
  creatioCalls?: CreatioCallCounter;
}

export interface ConnectionRow {
  userId: string;
  status: ConnectionStatus;
  reason: string | null;
  googleEmail: string | null;
  enabled: boolean;
  running: boolean;
  lastRun: RunSummary | null;
}

export interface TenantView {
  connections: ConnectionRow[];
  /** Connections per state; `disabled` counts those switched off, whatever their state. */
  counts: Record<ConnectionStatus | 'disabled', number>;
  /** More connections than the view lists. */
  truncated: boolean;
  deadLetters: DeadLetter[];
  creatio?: CreatioUsage;
}

export const TENANT_VIEW_LIMIT = 5000;
const DEAD_LETTERS_SHOWN = 50;

/** Failing first, then paused, then partial, then the rest; within a rank, the oldest last run first. */
const RANK: Record<ConnectionStatus, number> = {
  error: 0,
  'needs-reconnect': 1,
  paused: 2,
  partial: 3,
  new: 4,
  ok: 5,
};

const failing = (c: Connection) => c.recentRuns[0]?.outcome === 'failed';

export async function tenantView(deps: TenantViewDeps, tenantId: string, now: number): Promise<TenantView> {
  const all = await deps.connections.list(tenantId, TENANT_VIEW_LIMIT + 1);
  const list = all.slice(0, TENANT_VIEW_LIMIT);
  const counts: TenantView['counts'] = {
    error: 0,
    'needs-reconnect': 0,
    paused: 0,
    partial: 0,
    new: 0,
    ok: 0,
    disabled: 0,
  };
  for (const c of list) {
    counts[c.status] += 1;
    if (!c.enabled) counts.disabled += 1;
  }
  // A connection whose last run failed (to be retried) ranks with the failing ones.
  const rank = (c: Connection) => (failing(c) ? Math.min(RANK[c.status], 0.5) : RANK[c.status]);
  const sorted = [...list].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.recentRuns[0]?.endedAt ?? 0) - (b.recentRuns[0]?.endedAt ?? 0) ||
      (a.userId < b.userId ? -1 : 1),
  );
  return {
    connections: sorted.map((c) => ({
      userId: c.userId,
      status: c.status,
      reason: c.statusReason,
      googleEmail: c.google?.email ?? null,
      enabled: c.enabled,
      running: c.lease !== null && c.lease.until > now,
      lastRun: c.recentRuns[0] ?? null,
    })),
    counts,
    truncated: all.length > TENANT_VIEW_LIMIT,
    deadLetters: await deps.deadLetters.recent(tenantId, DEAD_LETTERS_SHOWN),
    ...(deps.tenants && deps.creatioCalls
      ? {
          creatio: await creatioUsage(
            deps.creatioCalls,
            (await deps.tenants.get(tenantId)) ?? { tenantId },
            now,
          ),
        }
      : {}),
  };
}

/** The admin pauses (or resumes) one user's sync. */
export async function setUserPaused(
  deps: Pick<TenantViewDeps, 'connections'>,
  tenantId: string,
  userId: string,
  paused: boolean,
): Promise<void> {
  if (!(await deps.connections.setEnabled(tenantId, userId, !paused)))
    throw new SyncError('not-found', 'no such connection');
}
