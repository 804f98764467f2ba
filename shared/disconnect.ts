// Disconnect: revoke the Google grant at Google, delete the sealed token, stop syncing. The account
// and the links are kept on purpose: connecting the same Google account again resumes with the same
// pairs, so nothing is duplicated; connecting another account starts afresh (connect() drops the
// pairs of the old one). See docs/needs-a-person.md, "Disconnect".
import { SyncError } from './errors.js';
import type { Connection, ConnectionAdmin, ConnectionStore, GoogleGrants } from './ports.js';
import { googleTokenContext } from './sealing.js';
import type { Sealer } from './secrets.js';

export interface DisconnectDeps {
  connections: Pick<ConnectionStore, 'get'> & Pick<ConnectionAdmin, 'disconnect'>;
  grants: GoogleGrants;
  sealer: Pick<Sealer, 'open'>;
}

export const DISCONNECTED = 'disconnected: connect a Google account to sync again';

export async function disconnect(
  deps: DisconnectDeps,
  tenantId: string,
  userId: string,
): Promise<Connection> {
  const c = await deps.connections.get(tenantId, userId);
  if (!c) throw new SyncError('not-found', 'no such connection');
  if (c.refreshTokenSealed) {
    // Revoked first: should Google be unreachable, the token stays so that a retry can still revoke it.
    const token = deps.sealer.open(c.refreshTokenSealed, googleTokenContext(tenantId, userId));
    await deps.grants.revoke(token);
  }
  const done = await deps.connections.disconnect(tenantId, userId, DISCONNECTED);
  if (!done) throw new SyncError('not-found', 'no such connection');
  return done;
}
