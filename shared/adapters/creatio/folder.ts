// Whether a ContactFolder can be synced: it must exist and be a static group (a dynamic folder has
// no membership rows; reference §6.4).
import { statusError } from './errors.js';
import type { CreatioHttp } from './http.js';
import { FOLDER_TYPE } from './constants.js';
import { collectionUrl, entityUrl, isGuid } from './query.js';
import { collection, folderListRow, folderRow, parse } from './wire.js';
import { buildClient, type CreatioConnection } from './connection.js';
import type { CrmFolder } from '../../ports.js';

export type FolderCheck = 'ok' | 'not-found' | 'not-static';

export async function validateFolderWith(http: CreatioHttp, folderId: string): Promise<FolderCheck> {
  if (!isGuid(folderId)) return 'not-found';
  const what = 'the group';
  const reply = await http.call('GET', `${entityUrl('ContactFolder', folderId)}?$select=Id,FolderTypeId`, {
    what,
  });
  if (reply.status === 404) return 'not-found';
  if (reply.status !== 200) throw statusError(reply.status, what);
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    body = undefined;
  }
  const folder = parse(folderRow, body, what);
  // A folder saved without a type is static (Creatio's default).
  return folder.FolderTypeId === null || folder.FolderTypeId === FOLDER_TYPE.Static ? 'ok' : 'not-static';
}

/** For the settings endpoint: checks a folder before any connection to it exists. */
export function validateFolder(
  conn: Omit<CreatioConnection, 'folderId'>,
  folderId: string,
): Promise<FolderCheck> {
  return validateFolderWith(buildClient(conn).http, folderId);
}

/** More folders than a person would scroll through; the page searches within these. */
export const MAX_FOLDERS = 1000;

/** The contact folders of the tenant, by name, for a person to choose the group to sync. */
export async function listFolders(conn: Omit<CreatioConnection, 'folderId'>): Promise<CrmFolder[]> {
  const what = 'the groups';
  const url = collectionUrl('ContactFolder', {
    select: ['Id', 'Name', 'FolderTypeId'],
    orderby: 'Name',
    top: MAX_FOLDERS,
  });
  const reply = await buildClient(conn).http.call('GET', url, { what });
  if (reply.status !== 200) throw statusError(reply.status, what);
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    body = undefined;
  }
  return parse(collection(folderListRow), body, what).value.map((f) => ({
    id: f.Id,
    name: f.Name,
    static: f.FolderTypeId === null || f.FolderTypeId === FOLDER_TYPE.Static,
  }));
}
