// Single-use, expiring tokens: connect tickets and OAuth states. Taking one is a transaction, so a
// replayed link or state is refused even when two requests race.
import type { Firestore } from '@google-cloud/firestore';
import type { OneTimeKind, OneTimeResult, OneTimeStore } from '../../ports.js';
import type { FirestoreMeter } from './meter.js';
import { oneTime } from './paths.js';

export class FirestoreOneTime implements OneTimeStore {
  constructor(
    private readonly db: Firestore,
    private readonly meter: FirestoreMeter,
  ) {}

  async put(
    kind: OneTimeKind,
    id: string,
    payload: Record<string, string>,
    expiresAt: number,
  ): Promise<void> {
    // expireAt lets a Firestore TTL policy remove spent tokens (infra/firestore.ttl).
    await oneTime(this.db)
      .doc(`${kind}-${id}`)
      .create({ kind, payload, expiresAt, used: false, expireAt: new Date(expiresAt + 86_400_000) });
    this.meter.wrote(1);
  }

  async take(kind: OneTimeKind, id: string, now: number): Promise<OneTimeResult> {
    const ref = oneTime(this.db).doc(`${kind}-${id}`);
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      this.meter.read(1);
      const found = usable(snap.exists ? (snap.data() as Stored) : null, now);
      if (found.ok) {
        tx.update(ref, { used: true });
        this.meter.wrote(1);
      }
      return found;
    });
  }

  async peek(kind: OneTimeKind, id: string, now: number): Promise<OneTimeResult> {
    const snap = await oneTime(this.db).doc(`${kind}-${id}`).get();
    this.meter.read(1);
    return usable(snap.exists ? (snap.data() as Stored) : null, now);
  }
}

interface Stored {
  payload: Record<string, string>;
  expiresAt: number;
  used: boolean;
}

function usable(d: Stored | null, now: number): OneTimeResult {
  if (d === null) return { ok: false, reason: 'unknown' };
  if (d.used) return { ok: false, reason: 'used' };
  if (d.expiresAt <= now) return { ok: false, reason: 'expired' };
  return { ok: true, payload: d.payload };
}
