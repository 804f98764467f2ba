// Dead letters per tenant, newest first; the oldest beyond the cap are dropped as new ones arrive.
import type { Firestore } from '@google-cloud/firestore';
import { z } from 'zod';
import type { DeadLetter, DeadLetterStore } from '../../ports.js';
import type { FirestoreMeter } from './meter.js';
import { deadLetters } from './paths.js';

export const DEAD_LETTERS_KEPT = 500;

const letter = z.object({
  messageId: z.string(),
  tenantId: z.string(),
  userId: z.string().nullable(),
  kind: z.string(),
  runId: z.string().nullable(),
  publishedAt: z.number().nullable(),
  recordedAt: z.number(),
  deliveryAttempt: z.number().nullable(),
});

export class FirestoreDeadLetters implements DeadLetterStore {
  constructor(
    private readonly db: Firestore,
    private readonly meter: FirestoreMeter,
  ) {}

  async record(l: DeadLetter): Promise<void> {
    const col = deadLetters(this.db, l.tenantId);
    // Keyed by message id: a redelivered dead letter is one entry.
    await col.doc(l.messageId.replace(/[/.]/g, '_')).set(l);
    this.meter.wrote(1);
    const old = await col.orderBy('recordedAt', 'desc').offset(DEAD_LETTERS_KEPT).select().limit(100).get();
    this.meter.read(old.size);
    if (old.empty) return;
    const batch = this.db.batch();
    old.docs.forEach((d) => batch.delete(d.ref));
    await batch.commit();
    this.meter.wrote(old.size);
  }

  async recent(tenantId: string, limit: number): Promise<DeadLetter[]> {
    const snap = await deadLetters(this.db, tenantId).orderBy('recordedAt', 'desc').limit(limit).get();
    this.meter.read(snap.size);
    return snap.docs.flatMap((d) => {
      const r = letter.safeParse(d.data());
      return r.success ? [r.data] : [];
    });
  }
}
