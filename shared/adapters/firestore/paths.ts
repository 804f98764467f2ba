// Where everything lives. One tenant per top-level document; a connection (one user) below it, and
// its links, member lists and run history below the connection, so a tenant's data stays together.
import type { CollectionReference, DocumentReference, Firestore } from '@google-cloud/firestore';

export const tenantDoc = (db: Firestore, tenantId: string): DocumentReference =>
  db.collection('tenants').doc(tenantId);

export const connections = (db: Firestore, tenantId: string): CollectionReference =>
  tenantDoc(db, tenantId).collection('connections');

export const connectionDoc = (db: Firestore, tenantId: string, userId: string): DocumentReference =>
  connections(db, tenantId).doc(userId);

export const links = (conn: DocumentReference): CollectionReference => conn.collection('links');
export const members = (conn: DocumentReference): CollectionReference => conn.collection('members');
export const runs = (conn: DocumentReference): CollectionReference => conn.collection('runs');
export const oneTime = (db: Firestore): CollectionReference => db.collection('oneTime');
export const attention = (conn: DocumentReference): CollectionReference => conn.collection('attention');
export const previews = (conn: DocumentReference): CollectionReference => conn.collection('previews');
export const deadLetters = (db: Firestore, tenantId: string): CollectionReference =>
  tenantDoc(db, tenantId).collection('deadLetters');
/** The tenant's run slots `0..cap-1` (shared/lease.ts): how many of its runs may be in flight at once. */
export const runSlots = (db: Firestore, tenantId: string): CollectionReference =>
  tenantDoc(db, tenantId).collection('runSlots');
export const runSlot = (db: Firestore, tenantId: string, slot: number): DocumentReference =>
  runSlots(db, tenantId).doc(String(slot));
/** The tenant's billed Creatio calls, one document per UTC day and shard (shared/creatioCalls.ts). */
export const creatioCalls = (db: Firestore, tenantId: string): CollectionReference =>
  tenantDoc(db, tenantId).collection('creatioCalls');
