// contactGroups.* handlers (reference §2, §7).
import type { Snapshot } from './cursors.js';
import type { Env } from './env.js';
import { ApiError, failedPrecondition, grpcCode, invalidArgument } from './errors.js';
import {
  DEFAULT_GROUP_FIELDS,
  DEFAULT_READ_GROUP_FIELDS,
  DOCS,
  GROUP_FIELDS,
  boolParam,
  intParam,
  pageSizeParam,
  parseMask,
} from './fields.js';
import { json, parseJson, requireObject, type Reply, type RequestContext } from './http.js';
import { createGroup, deleteGroup, getGroup, modifyMembers, updateGroup } from './ops.js';
import { renderGroup, renderGroupTombstone, type Json } from './render.js';
import type { Account, FieldItem } from './store.js';

const MAX_MODIFY = 1000;
const MAX_BATCH_GET = 200;

const groupName = (id: string): string => `contactGroups/${id}`;

/** groupFields: absent or empty means the default, which leaves out clientData. */
function groupFields(
  raw: unknown,
  param: string,
  fallback: string[],
  allowed: readonly string[] = GROUP_FIELDS,
): string[] {
  const mask = parseMask(raw, param, allowed, DOCS.groups);
  return mask === undefined || mask.length === 0 ? fallback : mask;
}

const queryMask = (q: URLSearchParams, name: string): string | undefined =>
  q.has(name) ? q.getAll(name).join(',') : undefined;

function maxMembersParam(q: URLSearchParams): number {
  const n = intParam(q, 'maxMembers') ?? 0;
  if (n < 0) throw invalidArgument(`Invalid maxMembers: ${n}.`);
  return n;
}

function parseClientData(v: unknown): FieldItem[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v))
    throw invalidArgument("Invalid JSON payload received. Expected a list for 'contact_group.client_data'.");
  return v.map((item) => {
    const o = requireObject(item, 'contact_group.client_data');
    const out: FieldItem = {};
    if (typeof o.key === 'string') out.key = o.key;
    if (typeof o.value === 'string') out.value = o.value;
    return out;
  });
}

function changedGroups(acc: Account, since: number, upTo: number): string[] {
  const out: string[] = [];
  for (const [rn, seq] of acc.groupChanges) {
    if (seq > upTo) break;
    if (seq > since) out.push(rn);
  }
  return out;
}

export function listGroups(env: Env, rc: RequestContext): Reply {
  const acc = rc.account!;
  const q = rc.query;
  const fields = groupFields(queryMask(q, 'groupFields'), 'groupFields', DEFAULT_GROUP_FIELDS);
  const pageSize = pageSizeParam(q, 30, 1000);
  const syncToken = q.get('syncToken') || undefined;
  const now = env.clock.now();
  const since =
    syncToken === undefined ? undefined : env.syncTokens.check('groups', acc.email, syncToken, now);
  const fingerprint = JSON.stringify([[...fields].sort(), pageSize, syncToken ?? null]);
  const pageToken = q.get('pageToken') || undefined;
  let snapshot: Snapshot;
  let offset = 0;
  if (pageToken !== undefined) {
    ({ snapshot, offset } = env.pageTokens.resolve(pageToken, 'groups', acc.email, fingerprint));
  } else {
    const position = acc.visibleSeq(now, env.opts.propagationDelayMs);
    const items = since === undefined ? [...acc.groups.keys()] : changedGroups(acc, since, position);
    snapshot = {
      kind: 'groups',
      email: acc.email,
      fingerprint,
      items,
      position,
      isSync: since !== undefined,
    };
  }
  const contactGroups: Json[] = [];
  const end = Math.min(offset + pageSize, snapshot.items.length);
  for (let i = offset; i < end; i++) {
    const rn = snapshot.items[i]!;
    const g = acc.groups.get(rn);
    if (g) contactGroups.push(renderGroup(g, { fields }));
    else if (snapshot.isSync) {
      const t = acc.groupTombstones.get(rn);
      if (t) contactGroups.push(renderGroupTombstone(t));
    }
  }
  const body: Json = {};
  if (contactGroups.length > 0) body.contactGroups = contactGroups;
  if (snapshot.items.length > 0) body.totalItems = snapshot.items.length;
  // No requestSyncToken for groups: the last page always carries the next sync token.
  if (end < snapshot.items.length) body.nextPageToken = env.pageTokens.issue(snapshot, end);
  else body.nextSyncToken = env.syncTokens.issue('groups', acc.email, snapshot.position, now);
  return json(body);
}

export function getGroupHandler(env: Env, rc: RequestContext, m: RegExpExecArray): Reply {
  const fields = groupFields(queryMask(rc.query, 'groupFields'), 'groupFields', DEFAULT_GROUP_FIELDS);
  const maxMembers = maxMembersParam(rc.query);
  return json(renderGroup(getGroup(rc.account!, groupName(m[1]!)), { fields, maxMembers }));
}

export function batchGetGroups(env: Env, rc: RequestContext): Reply {
  const names = rc.query.getAll('resourceNames');
  if (names.length === 0) throw invalidArgument('Must specify at least one resource name.');
  if (names.length > MAX_BATCH_GET) {
    throw invalidArgument(`Too many resource names: ${names.length}. The maximum is ${MAX_BATCH_GET}.`);
  }
  const fields = groupFields(queryMask(rc.query, 'groupFields'), 'groupFields', DEFAULT_GROUP_FIELDS);
  const maxMembers = maxMembersParam(rc.query);
  const responses = names.map((rn) => {
    try {
      const contactGroup = renderGroup(getGroup(rc.account!, rn), { fields, maxMembers });
      return { contactGroup, requestedResourceName: rn, status: {} };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return { requestedResourceName: rn, status: { code: grpcCode(e.status), message: e.message } };
    }
  });
  return json({ responses });
}

export async function createGroupHandler(env: Env, rc: RequestContext): Promise<Reply> {
  const b = requireObject(parseJson(await rc.rawBody()), 'request');
  const group = requireObject(b.contactGroup ?? {}, 'contact_group');
  const read = groupFields(b.readGroupFields, 'readGroupFields', DEFAULT_READ_GROUP_FIELDS, [
    'clientData',
    'groupType',
    'metadata',
    'name',
  ]);
  const g = createGroup(rc.account!, group.name, parseClientData(group.clientData), env.clock.now());
  return json(renderGroup(g, { fields: read }));
}

export async function updateGroupHandler(env: Env, rc: RequestContext, m: RegExpExecArray): Promise<Reply> {
  const b = requireObject(parseJson(await rc.rawBody()), 'request');
  const group = requireObject(b.contactGroup ?? {}, 'contact_group');
  const mask = groupFields(b.updateGroupFields, 'updateGroupFields', ['name'], ['clientData', 'name']);
  const read = groupFields(b.readGroupFields, 'readGroupFields', DEFAULT_READ_GROUP_FIELDS);
  const acc = rc.account!;
  const g = getGroup(acc, groupName(m[1]!));
  // Reference §7: whether the group etag is required is unknown; a stale one is refused.
  if (typeof group.etag === 'string' && group.etag !== '' && group.etag !== g.etag) {
    throw failedPrecondition('Request contact group etag is different than the current contact group etag.');
  }
  updateGroup(
    acc,
    g,
    { name: group.name, clientData: parseClientData(group.clientData) },
    mask,
    env.clock.now(),
  );
  return json(renderGroup(g, { fields: read }));
}

export function deleteGroupHandler(env: Env, rc: RequestContext, m: RegExpExecArray): Reply {
  const acc = rc.account!;
  const g = getGroup(acc, groupName(m[1]!));
  deleteGroup(acc, g, boolParam(rc.query, 'deleteContacts'), env.clock.now());
  return json({});
}

function stringList(v: unknown, name: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v))
    throw invalidArgument(`Invalid JSON payload received. Expected a list for '${name}'.`);
  return v.map((x) => String(x));
}

export async function modifyMembersHandler(env: Env, rc: RequestContext, m: RegExpExecArray): Promise<Reply> {
  const b = requireObject(parseJson(await rc.rawBody()), 'request');
  const add = stringList(b.resourceNamesToAdd, 'resource_names_to_add');
  const remove = stringList(b.resourceNamesToRemove, 'resource_names_to_remove');
  if (add.length + remove.length > MAX_MODIFY) {
    throw invalidArgument(
      `Too many resource names to modify: ${add.length + remove.length}. The maximum is ${MAX_MODIFY}.`,
    );
  }
  const acc = rc.account!;
  const g = getGroup(acc, groupName(m[1]!));
  const result = modifyMembers(acc, g, add, remove, env.clock.now());
  const out: Json = {};
  if (result.notFoundResourceNames.length > 0) out.notFoundResourceNames = result.notFoundResourceNames;
  if (result.canNotRemoveLastContactGroupResourceNames.length > 0) {
    out.canNotRemoveLastContactGroupResourceNames = result.canNotRemoveLastContactGroupResourceNames;
  }
  return json(out);
}
