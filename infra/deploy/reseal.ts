// Key rotation's second step: every stored secret sealed with an older key is sealed again with the
// current one. Each document is changed in its own transaction that rewrites only the sealed field and
// only if it still holds what was read, so a refresh token the callback stores meanwhile is never
// overwritten with an older one; running it again finds nothing left to do.
import type { DocumentReference, Firestore } from '@google-cloud/firestore';
import { connections, tenantDoc } from '../../shared/adapters/firestore/paths.js';
import { creatioSecretContext, googleTokenContext } from '../../shared/sealing.js';
import type { Sealer } from '../../shared/secrets.js';

export interface ResealCount {
  tenants: number;
  resealed: number;
  current: number;
}

async function resealField(
  db: Firestore,
  ref: DocumentReference,
  field: string,
  sealer: Sealer,
  context: string,
): Promise<'resealed' | 'current' | 'absent'> {
  return db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    const sealed: unknown = snap.get(field);
    if (typeof sealed !== 'string') return 'absent';
    if (sealer.isCurrent(sealed)) return 'current';
    // Opening checks the tag: a value no configured key opens stops the command, naming nothing secret.
    tx.update(ref, field, sealer.reseal(sealed, context));
    return 'resealed';
  });
}

export async function resealAll(
  db: Firestore,
  sealer: Sealer,
  tenantId: string | null,
): Promise<ResealCount> {
  const ids = tenantId ? [tenantId] : (await db.collection('tenants').select().get()).docs.map((d) => d.id);
  const count: ResealCount = { tenants: 0, resealed: 0, current: 0 };
  const tally = (r: 'resealed' | 'current' | 'absent') => {
    if (r !== 'absent') count[r]++;
  };
  for (const id of ids) {
    const ref = tenantDoc(db, id);
    const snap = await ref.get();
    if (!snap.exists) continue;
    count.tenants++;
    const field =
      snap.get('creatio.auth.mode') === 'oauth'
        ? 'creatio.auth.clientSecretSealed'
        : 'creatio.auth.passwordSealed';
    tally(await resealField(db, ref, field, sealer, creatioSecretContext(id)));
    for (const conn of (await connections(db, id).select().get()).docs)
      tally(await resealField(db, conn.ref, 'refreshTokenSealed', sealer, googleTokenContext(id, conn.id)));
  }
  return count;
}
