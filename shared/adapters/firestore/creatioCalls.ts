// The Creatio call meter in Firestore: documents `tenants/<t>/creatioCalls/<day>.<shard>`, each
// `{day, shard, calls}`. A run adds its calls to one shard picked at random, inside the transaction
// that ends it; reading sums the day's shards with one aggregation query (billed as one read).
import { AggregateField, FieldValue } from '@google-cloud/firestore';
import type { Firestore, Transaction } from '@google-cloud/firestore';
import { CREATIO_CALL_SHARDS, utcDay } from '../../creatioCalls.js';
import type { CreatioCallCounter } from '../../ports.js';
import type { FirestoreMeter } from './meter.js';
import { creatioCalls } from './paths.js';

export class FirestoreCreatioCalls implements CreatioCallCounter {
  constructor(
    private readonly db: Firestore,
    private readonly meter: FirestoreMeter,
    /** Picks the shard; injectable so that tests can name it. */
    private readonly random: () => number = Math.random,
  ) {}

  async today(tenantId: string, now: number): Promise<number> {
    const snap = await creatioCalls(this.db, tenantId)
      .where('day', '==', utcDay(now))
      .aggregate({ calls: AggregateField.sum('calls') })
      .get();
    this.meter.read(1);
    return snap.data().calls;
  }

  /** Adds `calls` for the UTC day of `at` within `tx` (the end of a run): one write, no read. */
  addIn(tx: Transaction, tenantId: string, at: number, calls: number): void {
    const w = this.shardWrite(tenantId, at, calls);
    if (!w) return;
    tx.set(w.ref, w.data, { merge: true });
    this.meter.wrote(1);
  }

  async add(tenantId: string, at: number, calls: number): Promise<void> {
    const w = this.shardWrite(tenantId, at, calls);
    if (!w) return;
    await w.ref.set(w.data, { merge: true });
    this.meter.wrote(1);
  }

  private shardWrite(tenantId: string, at: number, calls: number) {
    if (!(calls > 0)) return null;
    const day = utcDay(at);
    const shard = Math.min(CREATIO_CALL_SHARDS - 1, Math.floor(this.random() * CREATIO_CALL_SHARDS));
    return {
      ref: creatioCalls(this.db, tenantId).doc(`${day}.${shard}`),
      data: { day, shard, calls: FieldValue.increment(Math.trunc(calls)) },
    };
  }
}
