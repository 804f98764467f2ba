// What needs a person, per connection: one document per run that had something (the latest few kept),
// the person's answers to ambiguous matches and the running run's progress on the connection document.
import type { Firestore } from '@google-cloud/firestore';
import { z } from 'zod';
import type { AttentionRun, AttentionStore, MatchChoice, ProgressStore, RunProgress } from '../../ports.js';
import { SyncError } from '../../errors.js';
import { connectionFromDoc } from './codec.js';
import type { FirestoreMeter } from './meter.js';
import { attention, connectionDoc } from './paths.js';

/** Runs whose items are kept per connection. */
export const ATTENTION_RUNS_KEPT = 10;
/** Answers kept per connection; the oldest applied ones go first. */
export const MATCH_CHOICES_KEPT = 200;

const record = z.object({
  side: z.enum(['crm', 'google']),
  id: z.string(),
  name: z.string(),
  emails: z.array(z.string()),
});
const item = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ambiguous'), key: z.string(), records: z.array(record) }),
  z.object({ kind: z.literal('refused'), record, reason: z.string() }),
  z.object({
    kind: z.literal('conflict'),
    crmId: z.string(),
    googleId: z.string(),
    name: z.string(),
    decisions: z.array(
      z.object({ field: z.string(), crm: z.string(), google: z.string(), winner: z.enum(['crm', 'google']) }),
    ),
  }),
  z.object({ kind: z.literal('removal'), record }),
]);
const run = z.object({ runId: z.string(), at: z.number(), items: z.array(item), total: z.number() });

const parseRun = (d: unknown): AttentionRun => {
  const r = run.safeParse(d);
  if (!r.success) throw new SyncError('internal', 'stored attention run is malformed');
  return r.data as AttentionRun;
};

export class FirestoreAttention implements AttentionStore, ProgressStore {
  constructor(
    private readonly db: Firestore,
    private readonly meter: FirestoreMeter,
  ) {}

  async saveRun(tenantId: string, userId: string, r: AttentionRun): Promise<void> {
    const col = attention(connectionDoc(this.db, tenantId, userId));
    await col.doc(r.runId).set(r);
    this.meter.wrote(1);
    const old = await col.orderBy('at', 'desc').offset(ATTENTION_RUNS_KEPT).select().limit(50).get();
    this.meter.read(old.size);
    if (old.empty) return;
    const batch = this.db.batch();
    old.docs.forEach((d) => batch.delete(d.ref));
    await batch.commit();
    this.meter.wrote(old.size);
  }

  async recentRuns(tenantId: string, userId: string, limit: number): Promise<AttentionRun[]> {
    const snap = await attention(connectionDoc(this.db, tenantId, userId))
      .orderBy('at', 'desc')
      .limit(Math.min(limit, ATTENTION_RUNS_KEPT))
      .get();
    this.meter.read(snap.size);
    return snap.docs.map((d) => parseRun(d.data()));
  }

  async choose(tenantId: string, userId: string, choice: MatchChoice): Promise<boolean> {
    return this.onConnection(tenantId, userId, (c) => ({
      matchChoices: keepChoices([...(c.matchChoices ?? []).filter((x) => x.key !== choice.key), choice]),
    }));
  }

  async settleChoices(tenantId: string, userId: string, keys: string[]): Promise<void> {
    const done = new Set(keys);
    await this.onConnection(tenantId, userId, (c) => ({
      matchChoices: (c.matchChoices ?? []).map((x) => (done.has(x.key) ? { ...x, applied: true } : x)),
    }));
  }

  async restoreDepartures(tenantId: string, userId: string): Promise<boolean> {
    return this.onConnection(tenantId, userId, () => ({ restoreDepartures: true, allowLargeRemoval: false }));
  }

  async saveProgress(tenantId: string, userId: string, progress: RunProgress): Promise<void> {
    // Not in a transaction: the reader shows progress only while its run holds the lease.
    await connectionDoc(this.db, tenantId, userId).update({ progress });
    this.meter.wrote(1);
  }

  private async onConnection(
    tenantId: string,
    userId: string,
    change: (c: ReturnType<typeof connectionFromDoc>) => Record<string, unknown>,
  ): Promise<boolean> {
    const ref = connectionDoc(this.db, tenantId, userId);
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      this.meter.read(1);
      if (!snap.exists) return false;
      tx.update(ref, change(connectionFromDoc(snap.data())));
      this.meter.wrote(1);
      return true;
    });
  }
}

/** The newest answers, unapplied ones always kept. */
export function keepChoices(choices: MatchChoice[]): MatchChoice[] {
  const sorted = [...choices].sort((a, b) => Number(a.applied) - Number(b.applied) || b.at - a.at);
  return sorted.slice(0, MATCH_CHOICES_KEPT);
}
