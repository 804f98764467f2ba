// An in-memory fake of our own ConnectionStore port, with the lease rules of shared/lease.ts like the
// Firestore adapter, for simulations that run thousands of seeds.
import type {
  Connection,
  ConnectionAdmin,
  ConnectionControls,
  RunSummary,
  ConnectionSettings,
  ConnectionStatus,
  ConnectionStore,
  CreatioCallCounter,
  LeaseResult,
  RunEnd,
  SyncRequest,
  SyncStateStore,
} from '../../shared/ports.js';
import type { RunSlot } from '../../shared/lease.js';
import { freeSlots, leaseRefusal, leased, queuedAfterRefusal, runCap, slotFor } from '../../shared/lease.js';
import { utcDay } from '../../shared/creatioCalls.js';
import { FakeState } from './fakeState.js';

const emptyCheckpoint = () => ({
  cursors: { crm: null, google: null },
  membersHash: { crm: null, google: null },
  activeLinks: 0,
  dirty: false,
});

export class FakeConnections
  implements ConnectionStore, ConnectionControls, ConnectionAdmin, CreatioCallCounter
{
  readonly rows = new Map<string, Connection>();
  /** One state per connection, kept across runs like the documents under a connection. */
  readonly states = new Map<string, FakeState>();
  private readonly held = new Map<string, FakeState>();
  /** Each tenant's run slots, by index, and its cap (the tenant document's maxConcurrentRuns). */
  readonly slots = new Map<string, (RunSlot | null)[]>();
  readonly caps = new Map<string, number>();
  /** Billed Creatio calls by tenant and UTC day, as finishRun adds them. */
  readonly creatioCalls = new Map<string, number>();

  async today(tenantId: string, now: number): Promise<number> {
    return this.creatioCalls.get(`${tenantId}/${utcDay(now)}`) ?? 0;
  }

  async add(tenantId: string, at: number, calls: number): Promise<void> {
    const day = `${tenantId}/${utcDay(at)}`;
    this.creatioCalls.set(day, (this.creatioCalls.get(day) ?? 0) + calls);
  }

  private key = (tenantId: string, userId: string) => `${tenantId}/${userId}`;

  async get(tenantId: string, userId: string): Promise<Connection | null> {
    const c = this.rows.get(this.key(tenantId, userId));
    return c ? structuredClone(c) : null;
  }

  async acquireLease(
    request: SyncRequest,
    attempt: string,
    now: number,
    ttlMs: number,
  ): Promise<LeaseResult> {
    const c = this.rows.get(this.key(request.tenantId, request.userId));
    if (!c) return { ok: false, reason: 'missing', runId: null };
    const refused = leaseRefusal(c, request, now);
    if (refused) {
      c.queuedRun = queuedAfterRefusal(c, request, refused);
      return refused;
    }
    const slots = this.slots.get(request.tenantId) ?? [];
    this.slots.set(request.tenantId, slots);
    const cap = runCap({ maxConcurrentRuns: this.caps.get(request.tenantId) });
    const slot = freeSlots(slots, cap, now)[0];
    if (slot === undefined) return { ok: false, reason: 'throttled', runId: null };
    slots[slot] = slotFor(request, attempt, now, ttlMs);
    const next = leased(c, request, attempt, now, ttlMs, slot);
    this.rows.set(this.key(request.tenantId, request.userId), next);
    return { ok: true, connection: structuredClone(next) };
  }

  syncState(connection: Connection): SyncStateStore {
    const key = this.key(connection.tenantId, connection.userId);
    let state = this.states.get(key);
    if (!state) {
      state = new FakeState();
      this.states.set(key, state);
    }
    state.onDirty = (checkpoint) => {
      const row = this.rows.get(key);
      if (row) row.checkpoint = checkpoint;
    };
    state.checkpoint = structuredClone(connection.checkpoint);
    if (connection.lease) this.held.set(connection.lease.runId, state);
    return state;
  }

  async finishRun(tenantId: string, userId: string, end: RunEnd): Promise<boolean> {
    const c = this.rows.get(this.key(tenantId, userId));
    const state = this.held.get(end.runId);
    this.held.delete(end.runId);
    await this.add(tenantId, end.summary.endedAt, end.creatioCalls ?? 0);
    if (!c || c.lease?.runId !== end.runId || c.lease.attempt !== end.attempt) return false;
    const slots = this.slots.get(tenantId) ?? [];
    if (c.lease.slot !== undefined && slots[c.lease.slot]?.attempt === end.attempt)
      slots[c.lease.slot] = null;
    c.lease = null;
    c.checkpoint = structuredClone(end.checkpoint ?? state?.checkpoint ?? c.checkpoint);
    c.status = end.status;
    c.statusReason = end.statusReason;
    c.nextDueAt = end.nextDueAt;
    c.recentRuns = [end.summary, ...c.recentRuns.filter((r) => r.runId !== end.runId)].slice(0, 20);
    if (end.summary.outcome === 'ok') {
      c.allowLargeRemoval = false;
      c.restoreDepartures = false;
      const applied = new Set(end.appliedChoices ?? []);
      c.matchChoices = (c.matchChoices ?? []).map((x) => (applied.has(x.key) ? { ...x, applied: true } : x));
    }
    c.progress = null;
    return true;
  }

  async *dueConnections(tenantId: string, now: number): AsyncIterable<string[]> {
    const due = [...this.rows.values()]
      .filter((c) => c.tenantId === tenantId && c.enabled && c.google && c.nextDueAt <= now)
      .filter((c) => c.status !== 'needs-reconnect' && c.status !== 'paused')
      .map((c) => c.userId);
    for (let i = 0; i < due.length; i += 1000) yield due.slice(i, i + 1000);
  }

  async queueManualRun(tenantId: string, userId: string, runId: string, now: number) {
    const c = this.rows.get(this.key(tenantId, userId));
    if (!c) return null;
    if (c.lease && c.lease.until > now) return { runId: c.lease.runId, queued: false };
    if (c.queuedRun && now - c.queuedRun.at < 10 * 60_000) return { runId: c.queuedRun.runId, queued: false };
    c.queuedRun = { runId, at: now };
    return { runId, queued: true };
  }

  async saveSettings(
    tenantId: string,
    userId: string,
    settings: ConnectionSettings,
  ): Promise<Connection | null> {
    const c = this.rows.get(this.key(tenantId, userId));
    if (!c) return null;
    Object.assign(c, settings);
    return structuredClone(c);
  }

  async connect(input: Parameters<ConnectionStore['connect']>[0]): Promise<Connection> {
    const c: Connection = {
      tenantId: input.tenantId,
      userId: input.userId,
      crmGroupId: input.crmGroupId,
      intervalMinutes: input.defaults.intervalMinutes,
      policy: input.defaults.policy,
      enabled: true,
      status: 'new',
      statusReason: null,
      google: input.google,
      refreshTokenSealed: input.refreshTokenSealed,
      lease: null,
      queuedRun: null,
      checkpoint: emptyCheckpoint(),
      nextDueAt: input.now,
      recentRuns: [],
      allowLargeRemoval: false,
    };
    this.rows.set(this.key(input.tenantId, input.userId), c);
    return structuredClone(c);
  }

  async disconnect(tenantId: string, userId: string, reason: string): Promise<Connection | null> {
    const c = this.rows.get(this.key(tenantId, userId));
    if (!c) return null;
    Object.assign(c, {
      refreshTokenSealed: null,
      status: 'needs-reconnect',
      statusReason: reason,
      queuedRun: null,
    });
    return structuredClone(c);
  }

  async list(tenantId: string, limit: number): Promise<Connection[]> {
    return [...this.rows.values()]
      .filter((c) => c.tenantId === tenantId)
      .sort((a, b) => (a.userId < b.userId ? -1 : 1))
      .slice(0, limit)
      .map((c) => structuredClone(c));
  }

  async setEnabled(tenantId: string, userId: string, enabled: boolean): Promise<boolean> {
    const c = this.rows.get(this.key(tenantId, userId));
    if (c) c.enabled = enabled;
    return c !== undefined;
  }

  async allowLargeRemoval(tenantId: string, userId: string): Promise<boolean> {
    const c = this.rows.get(this.key(tenantId, userId));
    if (c) c.allowLargeRemoval = true;
    return c !== undefined;
  }

  async cancelQueuedRun(tenantId: string, userId: string, runId: string): Promise<void> {
    const c = this.rows.get(this.key(tenantId, userId));
    if (c?.queuedRun?.runId === runId) c.queuedRun = null;
  }

  async getRun(tenantId: string, userId: string, runId: string): Promise<RunSummary | null> {
    return this.rows.get(this.key(tenantId, userId))?.recentRuns.find((r) => r.runId === runId) ?? null;
  }

  async markStatus(
    tenantId: string,
    userId: string,
    status: ConnectionStatus,
    reason: string | null,
  ): Promise<void> {
    const c = this.rows.get(this.key(tenantId, userId));
    if (c) Object.assign(c, { status, statusReason: reason });
  }
}
