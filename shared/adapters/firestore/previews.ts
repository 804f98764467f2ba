// The latest preview of a connection: one document, fenced by the preview id so that a slow job of
// an older request never overwrites the answer to a newer one.
import type { Firestore } from '@google-cloud/firestore';
import { z } from 'zod';
import type { PreviewResult, PreviewStore } from '../../ports.js';
import { SyncError } from '../../errors.js';
import type { FirestoreMeter } from './meter.js';
import { connectionDoc, previews } from './paths.js';

const result = z.object({
  previewId: z.string(),
  state: z.enum(['queued', 'ready', 'failed']),
  requestedAt: z.number(),
  finishedAt: z.number().nullable(),
  refused: z.string().nullable(),
  wouldCreateGroup: z.boolean(),
  counts: z.record(z.string(), z.number()),
  items: z.array(
    z.object({
      kind: z.enum(['create', 'update', 'addToGroup', 'removeFromGroup', 'link']),
      side: z.enum(['crm', 'google']),
      recordId: z.string().nullable(),
      partnerId: z.string().nullable(),
      name: z.string(),
      fields: z.array(z.string()),
    }),
  ),
  total: z.number(),
  error: z.string().nullable(),
});

export class FirestorePreviews implements PreviewStore {
  constructor(
    private readonly db: Firestore,
    private readonly meter: FirestoreMeter,
  ) {}

  private ref(tenantId: string, userId: string) {
    return previews(connectionDoc(this.db, tenantId, userId)).doc('latest');
  }

  async get(tenantId: string, userId: string): Promise<PreviewResult | null> {
    const snap = await this.ref(tenantId, userId).get();
    this.meter.read(1);
    if (!snap.exists) return null;
    const r = result.safeParse(snap.data());
    if (!r.success) throw new SyncError('internal', 'stored preview is malformed');
    return r.data as PreviewResult;
  }

  async put(tenantId: string, userId: string, next: PreviewResult): Promise<boolean> {
    const ref = this.ref(tenantId, userId);
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      this.meter.read(1);
      // A new request always replaces; a finished job writes only the answer to the latest request.
      if (next.state !== 'queued' && snap.exists && snap.get('previewId') !== next.previewId) return false;
      tx.set(ref, next);
      this.meter.wrote(1);
      return true;
    });
  }
}
