// What a person (or the tenant's UI) sees about one connection: its state, the account, the schedule,
// what is running, and what recent runs did. Counts and error kinds only: never contact data.
import { SyncError } from './errors.js';
import type {
  AttentionStore,
  Connection,
  ConnectionControls,
  ConnectionStore,
  CreatioCallCounter,
  PreviewResult,
  PreviewStore,
  RunProgress,
  RunSummary,
  Tenant,
} from './ports.js';
import type { CreatioUsage } from './creatioCalls.js';
import { utcDay } from './creatioCalls.js';
import type { AttentionView } from './attention/needsAttention.js';
import { needsAttention } from './attention/needsAttention.js';

export interface StatusDeps {
  connections: ConnectionStore & ConnectionControls;
  /** With these, the status also carries what needs a person and the latest preview. */
  attention?: AttentionStore;
  previews?: PreviewStore;
  /** With this and the tenant, the status also carries the tenant's billed Creatio calls today. */
  creatioCalls?: CreatioCallCounter;
}

export interface RunView {
  runId: string;
  state: 'running' | 'queued' | 'finished';
  summary: RunSummary | null;
}

export interface ConnectionStatusView {
  tenantId: string;
  userId: string;
  status: Connection['status'];
  reason: string | null;
  googleEmail: string | null;
  enabled: boolean;
  crmGroupId: string;
  intervalMinutes: number;
  policy: Connection['policy'];
  /** Times are ms since the epoch, as in the run summaries. */
  nextDueAt: number;
  runningRunId: string | null;
  queuedRunId: string | null;
  /** The running run's phase and counts so far (written every few seconds of a long run). */
  progress: RunProgress | null;
  /** False once the user disconnected (no Google grant is stored). */
  connected: boolean;
  recentRuns: RunSummary[];
  /** Personal data (names, emails, values): for the connection's owner only. */
  attention?: AttentionView;
  preview?: PreviewResult | null;
  /** The tenant's billed Creatio calls on the current UTC day, all its users together, and its budget. */
  creatio?: CreatioUsage;
}

/** The tenant's billed Creatio calls today (UTC) and its daily budget: one read. */
export async function creatioUsage(
  counter: CreatioCallCounter,
  tenant: Pick<Tenant, 'tenantId' | 'creatioDailyBudget'>,
  now: number,
): Promise<CreatioUsage> {
  return {
    day: utcDay(now),
    calls: await counter.today(tenant.tenantId, now),
    budget: tenant.creatioDailyBudget ?? null,
  };
}

export async function connectionStatus(
  deps: StatusDeps,
  tenantId: string,
  userId: string,
  now: number,
  /** The tenant the caller already read (its API key was checked against it). */
  tenant?: Tenant,
): Promise<ConnectionStatusView> {
  const c = await deps.connections.get(tenantId, userId);
  if (!c) throw new SyncError('not-found', 'no such connection');
  const running = c.lease !== null && c.lease.until > now;
  return {
    tenantId,
    userId,
    status: c.status,
    reason: c.statusReason,
    googleEmail: c.google?.email ?? null,
    enabled: c.enabled,
    crmGroupId: c.crmGroupId,
    intervalMinutes: c.intervalMinutes,
    policy: c.policy,
    nextDueAt: c.nextDueAt,
    // An expired lease belongs to an attempt that died: nothing is running.
    runningRunId: running ? c.lease!.runId : null,
    queuedRunId: c.queuedRun?.runId ?? null,
    progress: running && c.progress?.runId === c.lease?.runId ? (c.progress ?? null) : null,
    connected: c.refreshTokenSealed !== null,
    recentRuns: c.recentRuns,
    ...(deps.attention
      ? {
          attention: await needsAttention(
            { connections: deps.connections, attention: deps.attention },
            tenantId,
            userId,
          ),
        }
      : {}),
    ...(deps.previews ? { preview: await deps.previews.get(tenantId, userId) } : {}),
    ...(deps.creatioCalls && tenant ? { creatio: await creatioUsage(deps.creatioCalls, tenant, now) } : {}),
  };
}

export async function runStatus(
  deps: StatusDeps,
  tenantId: string,
  userId: string,
  runId: string,
  now: number,
): Promise<RunView> {
  const c = await deps.connections.get(tenantId, userId);
  if (!c) throw new SyncError('not-found', 'no such connection');
  // A run that is retried after a failure is running again, though its failed summary is recorded.
  if (c.lease?.runId === runId && c.lease.until > now) return { runId, state: 'running', summary: null };
  const recent = c.recentRuns.find((r) => r.runId === runId);
  if (recent) return { runId, state: 'finished', summary: recent };
  if (c.queuedRun?.runId === runId) return { runId, state: 'queued', summary: null };
  const stored = await deps.connections.getRun(tenantId, userId, runId);
  if (stored) return { runId, state: 'finished', summary: stored };
  throw new SyncError('not-found', 'no such run');
}
