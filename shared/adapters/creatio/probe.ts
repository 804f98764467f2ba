// Can this service work with a tenant's Creatio? Log in with the credentials given and read one page of
// contact folders: the first thing every sync does. Used before a tenant is saved.
import { statusError } from './errors.js';
import { buildClient, type CreatioConnection } from './connection.js';

export async function readFolderPage(conn: Omit<CreatioConnection, 'folderId'>): Promise<number> {
  const what = 'the list of contact folders';
  const reply = await buildClient(conn).http.call('GET', 'ContactFolder?$select=Id&$top=1', { what });
  if (reply.status !== 200) throw statusError(reply.status, what);
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    body = undefined;
  }
  const rows = (body as { value?: unknown } | undefined)?.value;
  if (!Array.isArray(rows)) throw statusError(502, what);
  return rows.length;
}
