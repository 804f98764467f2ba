// The per-connection sync state in Firestore: one document per link, the committed member lists in
// chunks, and the checkpoint inside the connection document. Reads scale with what changed, never
// with the number of contacts, except when a side lists in full.
import { FieldPath } from '@google-cloud/firestore';
import type { DocumentReference, Firestore, Query, QueryDocumentSnapshot } from '@google-cloud/firestore';
import type { Checkpoint, LinkHead, SyncStateStore } from '../../ports.js';
import type { Link, Side } from '../../sync/index.js';
import type { FirestoreMeter } from './meter.js';
import { links, members } from './paths.js';
import { headFromDoc, linkFromDoc, linkToDoc } from './codec.js';

const IN_LIMIT = 30; // Firestore's cap on values in one 'in' filter
const GET_LIMIT = 300;
const ALL_PAGE = 2000;

/**
 * A link's document is named by its CRM id: every link has one from birth (a CRM create's id is
 * preassigned), it never changes while the link lives, and no two links share one.
 */
const docIdOf = (l: Link): string => l.crmId ?? l.id;
const BATCH_LIMIT = 450; // below Firestore's 500 writes per batch
const IDS_PER_MEMBER_DOC = 8000; // ~300 KB of ids, well under the 1 MiB document limit

export class FirestoreSyncState implements SyncStateStore {
  /** The clean checkpoint of this run, committed with the end of the run. */
  held: Checkpoint | null = null;
  /** Link id → the document that holds it, for every link this run has read or written. */
  private readonly docOf = new Map<string, string>();
  private readonly owner = new Map<string, string>();

  constructor(
    private readonly db: Firestore,
    private readonly conn: DocumentReference,
    private readonly checkpoint: Checkpoint,
    private readonly meter: FirestoreMeter,
  ) {}

  async loadCheckpoint(): Promise<Checkpoint> {
    return structuredClone(this.checkpoint); // read with the lease: no extra document read
  }

  async saveCheckpoint(checkpoint: Checkpoint): Promise<void> {
    if (!checkpoint.dirty) {
      this.held = structuredClone(checkpoint);
      return;
    }
    await this.conn.update({ checkpoint });
    this.meter.wrote(1);
  }

  async linksFor(side: Side, ids: string[]): Promise<Link[]> {
    const unique = [...new Set(ids)];
    const out: Link[] = [];
    if (side === 'crm') {
      // Keyed by CRM id: a direct read per pair, no query (and no collection scan in the emulator).
      for (let i = 0; i < unique.length; i += GET_LIMIT) {
        const refs = unique.slice(i, i + GET_LIMIT).map((id) => links(this.conn).doc(id));
        const snaps = await this.db.getAll(...refs);
        this.meter.read(refs.length);
        for (const d of snaps) if (d.exists) out.push(this.loaded(d.id, d.data()));
      }
      return out;
    }
    for (let i = 0; i < unique.length; i += IN_LIMIT) {
      const snap = await links(this.conn)
        .where('googleId', 'in', unique.slice(i, i + IN_LIMIT))
        .get();
      this.meter.read(snap.size);
      snap.docs.forEach((d) => out.push(this.loaded(d.id, d.data())));
    }
    return out;
  }

  async attentionLinks(refused: number): Promise<Link[]> {
    // One query, whose order (Firestore orders booleans before strings) puts every link that needs
    // attention before the refused creates, so that a full account's tens of thousands cost only
    // the pages that hold the few retried, and a run with none costs what it did before them.
    const out: Link[] = [];
    let retried = 0;
    const query = links(this.conn)
      .where('watch', 'in', refused > 0 ? [true, 'retry'] : [true])
      .orderBy('watch');
    await this.inPages(query, (docs) => {
      for (const d of docs) {
        if (d.get('watch') === 'retry' && retried++ >= refused) return false;
        out.push(this.loaded(d.id, d.data()));
      }
      return true;
    });
    return out;
  }

  async linkHeads(take: (page: LinkHead[]) => void): Promise<void> {
    const query = links(this.conn)
      .select('id', 'crmId', 'googleId', 'status', 'pending', 'inGroup', 'versions')
      .orderBy(FieldPath.documentId());
    await this.inPages(query, (docs) => {
      take(docs.map((d) => headFromDoc(d.data())));
      return true;
    });
  }

  async allLinks(): Promise<Link[]> {
    const out: Link[] = [];
    await this.inPages(links(this.conn).orderBy(FieldPath.documentId()), (docs) => {
      for (const d of docs) out.push(this.loaded(d.id, d.data()));
      return true;
    });
    return out;
  }

  /**
   * Runs a query page by page, so that each page's snapshot (far bulkier than the links it holds) is
   * let go before the next: one snapshot of 40,000 documents does not fit the smallest function.
   * `visit` answers false to read no further.
   */
  private async inPages(query: Query, visit: (docs: QueryDocumentSnapshot[]) => boolean): Promise<void> {
    let last: QueryDocumentSnapshot | null = null;
    for (let page = 0; page < 10_000; page++) {
      const snap = await (last === null ? query : query.startAfter(last)).limit(ALL_PAGE).get();
      this.meter.read(snap.size);
      if (!visit(snap.docs) || snap.size < ALL_PAGE) return;
      last = snap.docs[snap.docs.length - 1]!;
    }
  }

  async saveLinks(save: Link[], retire: string[]): Promise<void> {
    const deletes = new Set<string>();
    const sets = new Map<string, Link>();
    // A retired pair and a new pair of the same CRM contact share a document: whoever owns it last wins,
    // and a document is deleted only while the retired link still owns it.
    const release = (linkId: string, doc: string) => {
      if ((this.owner.get(doc) ?? linkId) !== linkId) return;
      this.owner.delete(doc);
      deletes.add(doc);
    };
    for (const id of retire) {
      release(id, this.docOf.get(id) ?? id);
      this.docOf.delete(id);
    }
    for (const l of save) {
      const doc = docIdOf(l);
      const before = this.docOf.get(l.id);
      // A link whose create started over under another CRM id moves to that id's document.
      if (before !== undefined && before !== doc) release(l.id, before);
      this.docOf.set(l.id, doc);
      this.owner.set(doc, l.id);
      sets.set(doc, l);
    }
    // One write per document: a document deleted and set again in the same call is just set.
    await this.commit([
      ...[...deletes]
        .filter((d) => !sets.has(d))
        .map((d) => (b: FirebaseFirestore.WriteBatch) => b.delete(links(this.conn).doc(d))),
      ...[...sets].map(
        ([d, l]) =>
          (b: FirebaseFirestore.WriteBatch) =>
            b.set(links(this.conn).doc(d), linkToDoc(l)),
      ),
    ]);
  }

  /** Remembers which document holds a link, so that saving or retiring it later finds it. */
  private loaded(docId: string, data: unknown): Link {
    const link = linkFromDoc(data);
    this.docOf.set(link.id, docId);
    this.owner.set(docId, link.id);
    return link;
  }

  async loadMembers(side: Side): Promise<string[] | null> {
    const snap = await members(this.conn).where('side', '==', side).get();
    this.meter.read(snap.size);
    if (snap.empty) return null;
    return snap.docs
      .map((d) => d.data() as { index: number; ids: string[] })
      .sort((a, b) => a.index - b.index)
      .flatMap((d) => d.ids);
  }

  async saveMembers(side: Side, ids: string[]): Promise<void> {
    const chunks = Math.max(1, Math.ceil(ids.length / IDS_PER_MEMBER_DOC));
    const old = await members(this.conn).where('side', '==', side).where('index', '>=', chunks).get();
    this.meter.read(old.size);
    const ops: ((b: FirebaseFirestore.WriteBatch) => void)[] = [];
    for (let i = 0; i < chunks; i++) {
      const part = ids.slice(i * IDS_PER_MEMBER_DOC, (i + 1) * IDS_PER_MEMBER_DOC);
      ops.push((b) => b.set(members(this.conn).doc(`${side}-${i}`), { side, index: i, ids: part }));
    }
    old.docs.forEach((d) => ops.push((b) => b.delete(d.ref)));
    await this.commit(ops);
  }

  private async commit(ops: ((b: FirebaseFirestore.WriteBatch) => void)[]): Promise<void> {
    for (let i = 0; i < ops.length; i += BATCH_LIMIT) {
      const batch = this.db.batch();
      const part = ops.slice(i, i + BATCH_LIMIT);
      part.forEach((op) => op(batch));
      await batch.commit();
      this.meter.wrote(part.length);
    }
  }
}
