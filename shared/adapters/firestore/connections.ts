// Connections in Firestore: settings, status, the lease that keeps two runs of one connection apart,
// and the end-of-run commit, fenced by the lease so a run that lost it cannot overwrite its successor.
import type { Firestore, Timestamp, Transaction } from '@google-cloud/firestore';
import type {
  Connection,
  ConnectionAdmin,
  ConnectionControls,
  ConnectionSettings,
  ConnectionStatus,
  ConnectionStore,
  LeaseResult,
  MatchChoice,
  RunEnd,
  RunSummary,
  SyncRequest,
  SyncStateStore,
} from '../../ports.js';
import type { RunSlot } from '../../lease.js';
import { freeSlots, leaseRefusal, leased, queuedAfterRefusal, runCap, slotFor } from '../../lease.js';
import { connectionFromDoc, emptyCheckpoint, schedulable, summaryFromDoc } from './codec.js';
import { FirestoreCreatioCalls } from './creatioCalls.js';
import type { FirestoreMeter } from './meter.js';
import { connectionDoc, connections, links, members, runSlot, runSlots, runs, tenantDoc } from './paths.js';
import { FirestoreSyncState } from './syncState.js';

const RECENT_RUNS = 20;

const applyChoices = (choices: MatchChoice[], keys: string[]): MatchChoice[] =>
  choices.map((c) => (keys.includes(c.key) ? { ...c, applied: true } : c));
const DUE_PAGE = 1000;
/** A "Sync now" still waiting for its run after this long is presumed lost, and a new one is queued. */
const QUEUED_RUN_TTL_MS = 10 * 60_000;

/**
 * gRPC codes of a slot taken by another run between the look and the commit: ALREADY_EXISTS,
 * FAILED_PRECONDITION, and ABORTED (contention on the commit itself).
 */
const LOST_RACE = new Set([6, 9, 10]);

export class FirestoreConnections implements ConnectionStore, ConnectionControls, ConnectionAdmin {
  /** Sync states of runs in progress, so that the end of a run commits the checkpoint it holds. */
  private readonly states = new Map<string, FirestoreSyncState>();

  constructor(
    private readonly db: Firestore,
    private readonly meter: FirestoreMeter,
    private readonly creatioCalls = new FirestoreCreatioCalls(db, meter),
  ) {}

  async get(tenantId: string, userId: string): Promise<Connection | null> {
    const snap = await connectionDoc(this.db, tenantId, userId).get();
    this.meter.read(1);
    return snap.exists ? connectionFromDoc(snap.data()) : null;
  }

  async acquireLease(
    request: SyncRequest,
    attempt: string,
    now: number,
    ttlMs: number,
  ): Promise<LeaseResult> {
    const { tenantId, userId } = request;
    const ref = connectionDoc(this.db, tenantId, userId);
    const throttled: LeaseResult = { ok: false, reason: 'throttled', runId: null };
    // The slots are looked at outside the transaction, and the one taken is written blind with a
    // precondition (absent, or unchanged since it was seen expired) instead of read inside it. A read
    // would lock the slot: hundreds of runs of a tenant made due by one tick would then queue behind
    // each other's locks until Firestore aborted them all, and a finishing run could not free its
    // slot. This way a run that loses the race fails at once, and is deferred like any past the cap.
    const pick = (await this.freeSlotCandidates(tenantId, now))[0];
    try {
      return await this.db.runTransaction(async (tx): Promise<LeaseResult> => {
        const snap = await tx.get(ref);
        this.meter.read(1);
        if (!snap.exists) return { ok: false, reason: 'missing', runId: null };
        const c = connectionFromDoc(snap.data());
        const refused = leaseRefusal(c, request, now);
        if (refused) {
          if (c.queuedRun !== null && queuedAfterRefusal(c, request, refused) === null) {
            tx.update(ref, { queuedRun: null });
            this.meter.wrote(1);
          }
          return refused;
        }
        if (!pick) return throttled;
        const slotRef = runSlot(this.db, tenantId, pick.index);
        const slot = slotFor(request, attempt, now, ttlMs);
        if (pick.seenExpired) tx.update(slotRef, { ...slot }, { lastUpdateTime: pick.seenExpired });
        else tx.create(slotRef, slot);
        const next = leased(c, request, attempt, now, ttlMs, pick.index);
        tx.update(ref, { lease: next.lease, queuedRun: next.queuedRun });
        this.meter.wrote(2);
        return { ok: true, connection: next };
      });
    } catch (e) {
      if (LOST_RACE.has((e as { code?: unknown }).code as number)) return throttled;
      throw e;
    }
  }

  /** The tenant's free slots, shuffled; an expired one with the time it was last written. */
  private async freeSlotCandidates(
    tenantId: string,
    now: number,
  ): Promise<{ index: number; seenExpired: Timestamp | null }[]> {
    const tenant = await tenantDoc(this.db, tenantId).get();
    const cap = runCap(tenant.data() as { maxConcurrentRuns?: number } | undefined);
    // A finished run deletes its slot, so this reads only the slots in use (one read when none is).
    const held = await runSlots(this.db, tenantId).get();
    this.meter.read(1 + Math.max(1, held.size));
    const slots: (RunSlot | null)[] = Array.from({ length: cap }, () => null);
    const written = new Map<number, Timestamp>();
    for (const d of held.docs) {
      const i = Number(d.id);
      if (!Number.isInteger(i) || i < 0 || i >= cap) continue;
      slots[i] = d.data() as RunSlot;
      written.set(i, d.updateTime);
    }
    return freeSlots(slots, cap, now).map((index) => ({ index, seenExpired: written.get(index) ?? null }));
  }

  syncState(connection: Connection): SyncStateStore {
    const ref = connectionDoc(this.db, connection.tenantId, connection.userId);
    const state = new FirestoreSyncState(this.db, ref, connection.checkpoint, this.meter);
    if (connection.lease) this.states.set(connection.lease.runId, state);
    return state;
  }

  async finishRun(tenantId: string, userId: string, end: RunEnd): Promise<boolean> {
    const ref = connectionDoc(this.db, tenantId, userId);
    const held = this.states.get(end.runId)?.held ?? null;
    this.states.delete(end.runId);
    const checkpoint = end.checkpoint ?? held;
    // Creatio billed the run's calls whether or not it still holds the lease: they are counted either way.
    const countCalls = (tx: Transaction) =>
      this.creatioCalls.addIn(tx, tenantId, end.summary.endedAt, end.creatioCalls ?? 0);
    const committed = await this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      this.meter.read(1);
      const c = snap.exists ? connectionFromDoc(snap.data()) : null;
      if (c?.lease?.runId !== end.runId || c.lease.attempt !== end.attempt) {
        countCalls(tx);
        return false;
      }
      // The run's slot goes with its lease; one a successor took over after expiry is not ours.
      const slotRef = c.lease.slot === undefined ? null : runSlot(this.db, tenantId, c.lease.slot);
      const slot = slotRef ? await tx.get(slotRef) : null;
      if (slot) this.meter.read(1);
      countCalls(tx);
      if (slotRef && slot?.get('attempt') === end.attempt) {
        tx.delete(slotRef);
        this.meter.wrote(1);
      }
      const next = { ...c, status: end.status };
      tx.update(ref, {
        lease: null,
        ...(checkpoint ? { checkpoint } : {}),
        status: end.status,
        statusReason: end.statusReason,
        nextDueAt: end.nextDueAt,
        recentRuns: [end.summary, ...c.recentRuns.filter((r) => r.runId !== end.runId)].slice(0, RECENT_RUNS),
        allowLargeRemoval: end.summary.outcome === 'ok' ? false : c.allowLargeRemoval,
        restoreDepartures: end.summary.outcome === 'ok' ? false : (c.restoreDepartures ?? false),
        ...(end.appliedChoices && end.summary.outcome === 'ok'
          ? { matchChoices: applyChoices(c.matchChoices ?? [], end.appliedChoices) }
          : {}),
        progress: null,
        schedulable: schedulable(next),
      });
      this.meter.wrote(1);
      return true;
    });
    // A run that changed something keeps a permanent record; a quiet one stays in recentRuns only.
    const changed = Object.values(end.summary.counts).some((n) => n > 0);
    if (committed && (changed || end.summary.outcome !== 'ok')) {
      await runs(ref).doc(end.runId).set(end.summary);
      this.meter.wrote(1);
    }
    return committed;
  }

  async *dueConnections(tenantId: string, now: number): AsyncIterable<string[]> {
    let after: number | null = null;
    let afterId: string | null = null;
    for (let page = 0; page < 10_000; page++) {
      let q = connections(this.db, tenantId)
        .where('schedulable', '==', true)
        .where('nextDueAt', '<=', now)
        .orderBy('nextDueAt')
        .orderBy('userId')
        .select('userId', 'nextDueAt')
        .limit(DUE_PAGE);
      if (after !== null) q = q.startAfter(after, afterId);
      const snap = await q.get();
      this.meter.read(snap.size);
      if (snap.empty) return;
      yield snap.docs.map((d) => d.get('userId') as string);
      const last = snap.docs[snap.docs.length - 1]!;
      after = last.get('nextDueAt') as number;
      afterId = last.get('userId') as string;
      if (snap.size < DUE_PAGE) return;
    }
  }

  async queueManualRun(
    tenantId: string,
    userId: string,
    runId: string,
    now: number,
  ): Promise<{ runId: string; queued: boolean } | null> {
    const ref = connectionDoc(this.db, tenantId, userId);
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      this.meter.read(1);
      if (!snap.exists) return null;
      const c = connectionFromDoc(snap.data());
      if (c.lease && c.lease.until > now) return { runId: c.lease.runId, queued: false };
      if (c.queuedRun && now - c.queuedRun.at < QUEUED_RUN_TTL_MS)
        return { runId: c.queuedRun.runId, queued: false };
      tx.update(ref, { queuedRun: { runId, at: now } });
      this.meter.wrote(1);
      return { runId, queued: true };
    });
  }

  async saveSettings(
    tenantId: string,
    userId: string,
    settings: ConnectionSettings,
    now: number,
  ): Promise<Connection | null> {
    const ref = connectionDoc(this.db, tenantId, userId);
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      this.meter.read(1);
      if (!snap.exists) return null;
      const c = connectionFromDoc(snap.data());
      // A new static group is a new sync scope: the CRM side starts from a full listing.
      const groupChanged = c.crmGroupId !== settings.crmGroupId;
      const checkpoint = groupChanged
        ? {
            ...c.checkpoint,
            cursors: { ...c.checkpoint.cursors, crm: null },
            membersHash: { ...c.checkpoint.membersHash, crm: null },
            // The old group's continuation is over: the new group's first read reads both sides.
            continuing: [],
          }
        : c.checkpoint;
      const resumed = c.status === 'paused' && settings.enabled;
      const next: Connection = {
        ...c,
        ...settings,
        checkpoint,
        status: resumed ? 'ok' : c.status,
        statusReason: resumed ? null : c.statusReason,
        nextDueAt: Math.min(c.nextDueAt, now + settings.intervalMinutes * 60_000),
      };
      tx.update(ref, {
        ...settings,
        checkpoint,
        status: next.status,
        statusReason: next.statusReason,
        nextDueAt: next.nextDueAt,
        schedulable: schedulable(next),
      });
      this.meter.wrote(1);
      return next;
    });
  }

  async connect(input: Parameters<ConnectionStore['connect']>[0]): Promise<Connection> {
    const ref = connectionDoc(this.db, input.tenantId, input.userId);
    let fresh = false;
    const connected = await this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      this.meter.read(1);
      const before = snap.exists ? connectionFromDoc(snap.data()) : null;
      // Another Google account means other contacts: its pairs and cursors must not carry over.
      const sameAccount = before?.google?.sub === input.google.sub;
      const c: Connection = {
        tenantId: input.tenantId,
        userId: input.userId,
        crmGroupId: input.crmGroupId,
        intervalMinutes: before?.intervalMinutes ?? input.defaults.intervalMinutes,
        policy: before?.policy ?? input.defaults.policy,
        enabled: true,
        status: sameAccount && before ? 'ok' : 'new',
        statusReason: null,
        google: input.google,
        refreshTokenSealed: input.refreshTokenSealed,
        lease: before?.lease ?? null,
        queuedRun: null,
        checkpoint:
          sameAccount && before && before.crmGroupId === input.crmGroupId
            ? before.checkpoint
            : emptyCheckpoint(),
        nextDueAt: input.now,
        recentRuns: before?.recentRuns ?? [],
        allowLargeRemoval: false,
      };
      fresh = before !== null && !(sameAccount && before.crmGroupId === input.crmGroupId);
      tx.set(ref, { ...c, schedulable: schedulable(c) });
      this.meter.wrote(1);
      return c;
    });
    if (fresh) {
      // Pairs of another account or another group say nothing about this one.
      await this.db.recursiveDelete(links(ref));
      await this.db.recursiveDelete(members(ref));
    }
    return connected;
  }

  async markStatus(
    tenantId: string,
    userId: string,
    status: ConnectionStatus,
    reason: string | null,
  ): Promise<void> {
    const ref = connectionDoc(this.db, tenantId, userId);
    await this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      this.meter.read(1);
      if (!snap.exists) return;
      const c = connectionFromDoc(snap.data());
      tx.update(ref, { status, statusReason: reason, schedulable: schedulable({ ...c, status }) });
      this.meter.wrote(1);
    });
  }

  async allowLargeRemoval(tenantId: string, userId: string): Promise<boolean> {
    const ref = connectionDoc(this.db, tenantId, userId);
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      this.meter.read(1);
      if (!snap.exists) return false;
      // A connection the guard paused stays paused until the confirmed run ends well (finishRun).
      tx.update(ref, { allowLargeRemoval: true });
      this.meter.wrote(1);
      return true;
    });
  }

  async cancelQueuedRun(tenantId: string, userId: string, runId: string): Promise<void> {
    const ref = connectionDoc(this.db, tenantId, userId);
    await this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      this.meter.read(1);
      if (!snap.exists || connectionFromDoc(snap.data()).queuedRun?.runId !== runId) return;
      tx.update(ref, { queuedRun: null });
      this.meter.wrote(1);
    });
  }

  async disconnect(tenantId: string, userId: string, reason: string): Promise<Connection | null> {
    const ref = connectionDoc(this.db, tenantId, userId);
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      this.meter.read(1);
      if (!snap.exists) return null;
      const c = connectionFromDoc(snap.data());
      // The account stays named, so that connecting it again keeps its pairs (links are kept too).
      const next: Connection = {
        ...c,
        refreshTokenSealed: null,
        status: 'needs-reconnect',
        statusReason: reason,
        queuedRun: null,
      };
      tx.update(ref, {
        refreshTokenSealed: null,
        status: next.status,
        statusReason: reason,
        queuedRun: null,
        schedulable: schedulable(next),
      });
      this.meter.wrote(1);
      return next;
    });
  }

  async list(tenantId: string, limit: number): Promise<Connection[]> {
    const snap = await connections(this.db, tenantId).orderBy('userId').limit(limit).get();
    this.meter.read(snap.size);
    return snap.docs.map((d) => connectionFromDoc(d.data()));
  }

  async setEnabled(tenantId: string, userId: string, enabled: boolean): Promise<boolean> {
    const ref = connectionDoc(this.db, tenantId, userId);
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      this.meter.read(1);
      if (!snap.exists) return false;
      const c = connectionFromDoc(snap.data());
      tx.update(ref, { enabled, schedulable: schedulable({ ...c, enabled }) });
      this.meter.wrote(1);
      return true;
    });
  }

  async getRun(tenantId: string, userId: string, runId: string): Promise<RunSummary | null> {
    const snap = await runs(connectionDoc(this.db, tenantId, userId))
      .doc(runId)
      .get();
    this.meter.read(1);
    return snap.exists ? summaryFromDoc(snap.data()) : null;
  }
}
