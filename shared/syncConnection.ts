// The per-user sync job: take the lease, run one bounded sync, record the outcome, and decide whether
// the message that asked for it is done (ack) or must come again (retry). Safe under at-least-once
// delivery: duplicates, stale requests and overlapping triggers end without harm.
import type {
  AttentionStore,
  Clock,
  Connection,
  CreatioCallCounter,
  ConnectionStore,
  ContactSide,
  JobQueue,
  ProgressStore,
  RunEnd,
  RunSummary,
  SyncRequest,
  TenantStore,
} from './ports.js';
import type { RunReport } from './runSync.js';
import { REFUSED_RETRIES, runSync } from './runSync.js';
import { SyncError, errorKind, isTransient } from './errors.js';
import type { Side } from './sync/index.js';
import type { Counts } from './counts.js';
import { attentionItems } from './attention/items.js';
import { fullReadDeferral } from './creatioCalls.js';

export interface SyncConnectionDeps {
  connections: ConnectionStore;
  queue: JobQueue;
  clock: Clock;
  newId: () => string;
  /** Both sides of a connection, its secrets opened; throws SyncError('config') when it cannot. */
  openSides: (connection: Connection) => Promise<Record<Side, ContactSide>>;
  /** Stop starting writes after this long (under the event-function limit); the rest continues. */
  timeBudgetMs: number;
  /** Longer than any attempt can live, so only a dead attempt's lease is ever taken over. */
  leaseTtlMs: number;
  /**
   * How long a request the tenant's run cap turned away waits before it is sent again (jittered up to
   * twice this); 0 sends it again at once.
   */
  throttleRetryMs?: number;
  /** Where a run's "what needs a person" items go (none kept without it). */
  attention?: AttentionStore;
  /** Where the running run's phase and counts go, a few times a run (none kept without it). */
  progress?: ProgressStore;
  /**
   * With both, a tenant's daily Creatio budget holds back the CRM's periodic full read; they are read
   * only on a run whose full read is due.
   */
  tenants?: TenantStore;
  creatioCalls?: CreatioCallCounter;
}

/** At most one progress write this often: a run shorter than this writes none. */
export const PROGRESS_EVERY_MS = 3000;

export type SyncOutcome =
  | {
      ack: true;
      result: 'done' | 'partial' | 'refused' | 'skipped' | 'stopped' | 'deferred';
      runId: string;
      reason: string | null;
    }
  | { ack: false; runId: string; reason: string };

export const flatCounts = (c: Counts): Record<string, number> => {
  const out: Record<string, number> = {
    linked: c.linked,
    retired: c.retired,
    failed: c.failed,
    refused: c.refused,
    waiting: c.waiting,
  };
  for (const kind of ['create', 'update', 'addToGroup', 'removeFromGroup'] as const)
    for (const side of ['crm', 'google'] as const) out[`${kind}.${side}`] = c[kind][side];
  return out;
};
const flatten = (r: RunReport): Record<string, number> => flatCounts(r.counts);

/** What a person must do about a permanent failure; the API's own message may quote personal data. */
function permanentReason(e: SyncError): { status: 'needs-reconnect' | 'error'; reason: string } | null {
  const where = e.details.side === 'crm' ? 'Creatio' : e.details.side === 'google' ? 'Google' : 'the service';
  switch (e.kind) {
    case 'auth-revoked':
      return {
        status: 'needs-reconnect',
        reason: 'Google access was revoked or expired: connect the account again',
      };
    case 'auth':
      return e.details.side === 'google'
        ? null
        : { status: 'error', reason: `${where} rejected the credentials` };
    case 'permission':
      return { status: 'error', reason: `${where} refused permission` };
    case 'config':
      return { status: 'error', reason: `the connection or tenant is misconfigured (${e.message})` };
    case 'not-found':
      return { status: 'error', reason: `${where} no longer has the configured group` };
    default:
      return null;
  }
}

/**
 * A "Sync now" queued before this run took the lease: its message may have come while this run held
 * the lease and been acknowledged as busy (Pub/Sub keeps no order), so the lease holder sends it again
 * as it ends. If it already ran, or comes later, the copy is a duplicate delivery the lease ignores.
 */
async function handOverQueuedRun(
  deps: SyncConnectionDeps,
  request: SyncRequest,
  seen: Connection['queuedRun'],
): Promise<void> {
  if (!seen || seen.runId === request.runId) return;
  const { tenantId, userId } = request;
  const now = await deps.connections.get(tenantId, userId);
  if (now?.queuedRun?.runId !== seen.runId) return;
  try {
    await deps.queue.publishSync([
      { tenantId, userId, trigger: 'manual', runId: seen.runId, requestedAt: seen.at },
    ]);
  } catch {
    // The queue's lifetime (10 minutes) ends the wait; this run's own outcome stands.
  }
}

/**
 * The tenant's run cap is full: the request is sent again after a pause, unchanged (its runId and
 * requestedAt still tell a duplicate or a request a later run covered), and this message is
 * acknowledged. Not a nack: every redelivery counts towards the subscription's 5 delivery attempts,
 * and a tenant whose slots stay full for a while would see its waiting runs dead-lettered. The pause
 * keeps the waiting requests from spinning through the queue while the slots are busy. If the
 * publish fails the message is nacked instead, so the request is never lost.
 */
async function deferThrottled(deps: SyncConnectionDeps, request: SyncRequest): Promise<SyncOutcome> {
  const base = deps.throttleRetryMs ?? 0;
  if (base > 0) await new Promise((r) => setTimeout(r, base + Math.floor(Math.random() * base)));
  try {
    await deps.queue.publishSync([request]);
  } catch {
    return { ack: false, runId: request.runId, reason: 'throttled, and sending the request again failed' };
  }
  return { ack: true, result: 'deferred', runId: request.runId, reason: 'throttled' };
}

export async function syncConnection(deps: SyncConnectionDeps, request: SyncRequest): Promise<SyncOutcome> {
  const { connections, clock } = deps;
  const startedAt = clock.now();
  const attempt = deps.newId();
  const lease = await connections.acquireLease(request, attempt, startedAt, deps.leaseTtlMs);
  if (!lease.ok) {
    // Another live attempt of this very run: come back later, by then it finished or its lease expired.
    if (lease.reason === 'busy' && lease.runId === request.runId)
      return { ack: false, runId: request.runId, reason: 'this run is in progress in another attempt' };
    if (lease.reason === 'throttled') return deferThrottled(deps, request);
    return { ack: true, result: 'skipped', runId: lease.runId ?? request.runId, reason: lease.reason };
  }
  const connection = lease.connection;
  const chosen = (connection.matchChoices ?? []).filter((c) => !c.applied && c.pair !== null);
  // Progress writes are chained and throttled; the end of the run waits for the last one.
  let progressWrite: Promise<void> = Promise.resolve();
  let lastProgress = startedAt;
  const progress = (phase: 'reading' | 'planning' | 'writing', counts: Counts | null) => {
    const now = clock.now();
    if (!deps.progress || now - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = now;
    const store = deps.progress;
    const p = { runId: request.runId, phase, counts: counts ? flatCounts(counts) : {}, at: now };
    // Progress is a courtesy to a watching page: a failed write must not fail the run.
    progressWrite = progressWrite
      .then(() => store.saveProgress(request.tenantId, request.userId, p))
      .catch(() => undefined);
  };
  let sides: Record<Side, ContactSide> | null = null;
  const end = async (
    outcome: RunSummary['outcome'],
    report: RunReport | null,
    status: RunEnd['status'],
    reason: string | null,
    error: string | null,
  ) => {
    await progressWrite;
    if (report && deps.attention) {
      const { items, total } = attentionItems(report.notes);
      if (items.length > 0)
        await deps.attention.saveRun(request.tenantId, request.userId, {
          runId: request.runId,
          at: clock.now(),
          items,
          total,
        });
    }
    const now = clock.now();
    const summary: RunSummary = {
      runId: request.runId,
      trigger: request.trigger,
      startedAt,
      endedAt: now,
      outcome,
      counts: report ? flatten(report) : {},
      error,
      reason,
    };
    const committed = await connections.finishRun(request.tenantId, request.userId, {
      runId: request.runId,
      attempt,
      checkpoint: null,
      status,
      statusReason: reason,
      summary,
      nextDueAt: now + connection.intervalMinutes * 60_000,
      ...(chosen.length > 0 ? { appliedChoices: chosen.map((c) => c.key) } : {}),
      creatioCalls: sides?.crm.billedCalls?.() ?? 0,
    });
    if (committed) await handOverQueuedRun(deps, request, connection.queuedRun);
    return committed;
  };

  let report: RunReport;
  let deferred: string | null;
  try {
    sides = await deps.openSides(connection);
    deferred = await fullReadWaits(deps, connection, sides.crm, startedAt);
    report = await runSync(
      { ...sides, state: connections.syncState(connection), clock, newId: deps.newId },
      {
        policy: connection.policy,
        deadline: startedAt + deps.timeBudgetMs,
        allowLargeRemoval: connection.allowLargeRemoval,
        ...(connection.restoreDepartures ? { restoreDepartures: true } : {}),
        ...(chosen.length > 0 ? { chosen: chosen.map((c) => c.pair!) } : {}),
        ...(deferred ? { deferFullRead: ['crm' as const] } : {}),
        progress,
      },
    );
  } catch (e) {
    const permanent = e instanceof SyncError ? permanentReason(e) : null;
    if (permanent && !isTransient(e)) {
      await end('failed', null, permanent.status, permanent.reason, errorKind(e));
      return { ack: true, result: 'stopped', runId: request.runId, reason: permanent.reason };
    }
    // Transient (quota, outage, a bug): record it, free the lease, and let Pub/Sub deliver again.
    await end(
      'failed',
      null,
      connection.status,
      `the last run failed (${errorKind(e)}) and will be retried`,
      errorKind(e),
    );
    return { ack: false, runId: request.runId, reason: errorKind(e) };
  }

  if (report.outcome === 'refused') {
    await end('refused', report, 'paused', report.reason, null);
    return { ack: true, result: 'refused', runId: request.runId, reason: report.reason };
  }
  if (report.more) {
    const more = ['more to do: continuing', deferred].filter((r) => r !== null).join('; ');
    const committed = await end('partial', report, 'partial', more, null);
    if (committed)
      await deps.queue.publishSync([
        {
          tenantId: request.tenantId,
          userId: request.userId,
          trigger: 'continuation',
          runId: deps.newId(),
          requestedAt: clock.now(),
        },
      ]);
    return { ack: true, result: 'partial', runId: request.runId, reason: null };
  }
  // A full read put off to the next day is said, but is no failure of the run: it stays `ok`.
  const reason = [heldBack(report), deferred].filter((r) => r !== null).join('; ') || null;
  // A run that holds work back is not `ok`: the reason says what waits and until when.
  const outcome = report.counts.waiting > 0 ? 'partial' : 'ok';
  await end(outcome, report, outcome, reason, null);
  return { ack: true, result: 'done', runId: request.runId, reason };
}

/**
 * Why the CRM side's periodic full read waits for the next UTC day, or null when it runs (or is not
 * due). Reads the tenant and today's count only when the full read is due.
 */
async function fullReadWaits(
  deps: SyncConnectionDeps,
  connection: Connection,
  crm: ContactSide,
  now: number,
): Promise<string | null> {
  if (!deps.tenants || !deps.creatioCalls) return null;
  const due = crm.periodicFullRead?.(connection.checkpoint.cursors.crm, now);
  if (!due) return null;
  const budget = (await deps.tenants.get(connection.tenantId))?.creatioDailyBudget ?? null;
  if (budget === null) return null;
  const used = await deps.creatioCalls.today(connection.tenantId, now);
  return fullReadDeferral({ used, budget, expected: due.expectedCalls });
}

/** What a finished run left undone, for the person: failed writes, creates in doubt, refused creates. */
export function heldBack(report: RunReport): string | null {
  const parts: string[] = [];
  const { failed, waiting, refused } = report.counts;
  if (failed > 0) parts.push(`${failed} writes failed and will be retried`);
  if (waiting > 0) {
    const until = Math.max(
      ...report.notes.flatMap((n) => (n.kind === 'waiting-for-create' && n.until ? [n.until] : [])),
    );
    const by = Number.isFinite(until) ? ` by ${new Date(until).toISOString()} at the latest` : '';
    parts.push(
      `${waiting} contacts sent to Google without a confirmed answer wait until it is known whether they were created (looked for every run, settled${by})`,
    );
  }
  // A run retries a bounded number of refused creates: at the bound, more may be waiting.
  if (refused > 0)
    parts.push(
      `${refused}${refused >= REFUSED_RETRIES ? ' or more' : ''} contacts not copied to Google: the account is full (25,000 contacts); retried as it has room, up to ${REFUSED_RETRIES.toLocaleString('en')} a run`,
    );
  return parts.length > 0 ? parts.join('; ') : null;
}
