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

  /** Adds `calls` for the UTC day of `at` within `tx`: one write, no read. */
  add(tx: Transaction, tenantId: string, at: number, calls: number): void {
    if (!(calls > 0)) return;
    const day = utcDay(at);
    const shard = Math.min(CREATIO_CALL_SHARDS - 1, Math.floor(this.random() * CREATIO_CALL_SHARDS));
    const ref = creatioCalls(this.db, tenantId).doc(`${day}.${shard}`);
    tx.set(ref, { day, shard, calls: FieldValue.increment(Math.trunc(calls)) }, { merge: true });
    this.meter.wrote(1);
  }
}
