export { FirestoreMeter } from './meter.js';
export { FirestoreConnections } from './connections.js';
export { FirestoreTenants } from './tenants.js';
export { FirestoreOneTime } from './oneTime.js';
export { FirestoreSyncState } from './syncState.js';
export { emptyCheckpoint } from './codec.js';
export { FirestoreAttention } from './attention.js';
export { FirestorePreviews } from './previews.js';
