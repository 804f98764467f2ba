// The Creatio adapter: the CRM side of the sync (ContactSide) and the group check for the settings page.
export { CreatioSide, type CreatioStats } from './side.js';
export { listFolders, validateFolder, type FolderCheck } from './folder.js';
export { DEFAULT_TUNING, type CreatioConnection, type CreatioTuning } from './connection.js';
export type { CreatioAuth } from './auth.js';
export { DEFAULT_RETRY, type RetryLimits } from './transport.js';
export { readFolderPage } from './probe.js';
