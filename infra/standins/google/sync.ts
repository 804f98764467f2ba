// people.connections.list: full listings, paging and incremental sync (reference §3).
import type { Snapshot } from './cursors.js';
import type { Env } from './env.js';
import { invalidArgument } from './errors.js';
import { boolParam, enumParam, pageSizeParam, personFieldsFromQuery, sourcesParam } from './fields.js';
import { json, type Reply, type RequestContext } from './http.js';
import { renderPerson, renderTombstone, type Json } from './render.js';
import type { Account, StoredPerson } from './store.js';

const SORT_ORDERS = [
  'LAST_MODIFIED_ASCENDING',
  'LAST_MODIFIED_DESCENDING',
  'FIRST_NAME_ASCENDING',
  'LAST_NAME_ASCENDING',
] as const;
type SortOrder = (typeof SORT_ORDERS)[number];

function nameKey(p: StoredPerson | undefined, part: 'givenName' | 'familyName'): string {
  const n = p?.fields.get('names')?.[0];
  const v = n?.[part] ?? n?.unstructuredName;
  return typeof v === 'string' ? v.toLocaleLowerCase() : '';
}

/** `names` holds resource names in ascending change order on entry. */
function sortNames(acc: Account, names: string[], order: SortOrder): string[] {
  if (order === 'LAST_MODIFIED_ASCENDING') return names;
  if (order === 'LAST_MODIFIED_DESCENDING') return names.reverse();
  const part = order === 'FIRST_NAME_ASCENDING' ? 'givenName' : 'familyName';
  const keyed = names.map((rn) => ({ rn, key: nameKey(acc.people.get(rn), part) }));
  // Contacts without the name part sort last, as an empty key would otherwise sort first.
  keyed.sort(
    (a, b) =>
      (a.key === '' ? 1 : 0) - (b.key === '' ? 1 : 0) ||
      a.key.localeCompare(b.key) ||
      a.rn.localeCompare(b.rn),
  );
  return keyed.map((k) => k.rn);
}

/** Entries changed in (since, upTo], live or deleted; prunes tombstones no valid token can need. */
function changedSince(env: Env, acc: Account, since: number, upTo: number, now: number): string[] {
  const out: string[] = [];
  // A token positioned before a deletion was issued at most one propagation delay after it.
  const keepFor = env.opts.syncTokenTtlMs + env.opts.propagationDelayMs;
  for (const [rn, seq] of acc.personChanges) {
    const tomb = acc.personTombstones.get(rn);
    if (tomb && tomb.updateTime + keepFor < now) {
      // Any token older than this deletion has expired by now, so nobody can ask for it.
      acc.personTombstones.delete(rn);
      acc.personChanges.delete(rn);
      continue;
    }
    if (seq > upTo) break;
    if (seq > since) out.push(rn);
  }
  return out;
}

function liveNames(acc: Account): string[] {
  const out: string[] = [];
  for (const rn of acc.personChanges.keys()) if (acc.people.has(rn)) out.push(rn);
  return out;
}

export function listConnections(env: Env, rc: RequestContext, match: RegExpExecArray): Reply {
  const acc = rc.account!;
  if (match[1] !== 'me') throw invalidArgument('Only people/me is valid for connections.');
  const q = rc.query;
  const fields = personFieldsFromQuery(q);
  const pageSize = pageSizeParam(q, 100, 1000);
  const sortOrder = enumParam(
    q,
    'sortOrder',
    SORT_ORDERS,
    'LAST_MODIFIED_ASCENDING',
    'google.people.v1.ListConnectionsRequest.SortOrder',
  );
  const requestSyncToken = boolParam(q, 'requestSyncToken');
  const syncToken = q.get('syncToken') || undefined;
  const sources = sourcesParam(q);
  const now = env.clock.now();
  // Checked on every page, so a token that expires mid-listing fails the listing.
  const since =
    syncToken === undefined ? undefined : env.syncTokens.check('people', acc.email, syncToken, now);
  const fingerprint = JSON.stringify([
    [...fields].sort(),
    pageSize,
    sortOrder,
    requestSyncToken,
    syncToken ?? null,
    sources,
  ]);

  const pageToken = q.get('pageToken') || undefined;
  let snapshot: Snapshot;
  let offset = 0;
  if (pageToken !== undefined) {
    ({ snapshot, offset } = env.pageTokens.resolve(pageToken, 'people', acc.email, fingerprint));
  } else {
    // Changes younger than the propagation delay are withheld from sync results, and the token
    // issued at the end must not move past them, so it stops at the newest old-enough change.
    const position = acc.visibleSeq(now, env.opts.propagationDelayMs);
    const names = since === undefined ? liveNames(acc) : changedSince(env, acc, since, position, now);
    snapshot = {
      kind: 'people',
      email: acc.email,
      fingerprint,
      items: sortNames(acc, names, sortOrder),
      position,
      isSync: since !== undefined,
    };
  }

  const connections: Json[] = [];
  const end = Math.min(offset + pageSize, snapshot.items.length);
  for (let i = offset; i < end; i++) {
    const rn = snapshot.items[i]!;
    const p = acc.people.get(rn);
    if (p) connections.push(renderPerson(p, fields, { inList: true }));
    else if (snapshot.isSync) {
      const tomb = acc.personTombstones.get(rn);
      if (tomb) connections.push(renderTombstone(tomb, fields));
    }
  }
  const body: Json = {};
  if (connections.length > 0) body.connections = connections;
  if (end < snapshot.items.length) body.nextPageToken = env.pageTokens.issue(snapshot, end);
  else if (requestSyncToken)
    body.nextSyncToken = env.syncTokens.issue('people', acc.email, snapshot.position, now);
  if (snapshot.items.length > 0) {
    body.totalPeople = snapshot.items.length;
    body.totalItems = snapshot.items.length;
  }
  return json(body);
}
