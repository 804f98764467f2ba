// Reading: listings (full or since a sync token), batch reads by id, and email search. Every page
// uses the same parameters (Google binds page tokens to them); tombstones are parsed as their own
// shape, since a deleted person carries no data at all.
import { SyncError } from '../../errors.js';
import type { Departure, SideRecord } from '../../sync/index.js';
import { emailKey, emailsOf } from '../../sync/index.js';
import { failureOf, type PeopleClient } from './client.js';
import { encodeExtra } from './extras.js';
import { AccountPrints } from './prints.js';
import { inGroup, PERSON_FIELDS, personToContact } from './mapping.js';
import {
  batchGetSchema,
  isTombstone,
  listConnectionsSchema,
  personSchema,
  searchSchema,
  tombstoneSchema,
  type Person,
} from './schemas.js';

/** 1,000 pages of 1,000: far beyond Google's 25,000-contact account limit. */
const MAX_PAGES = 1000;
export const BATCH_GET = 200;
const SEARCH_PAGE = 30;

export function parsePerson(raw: unknown, op: string): Person {
  const p = personSchema.safeParse(raw);
  if (!p.success)
    throw new SyncError('bad-response', `google ${op}: unexpected person shape`, { side: 'google' });
  return p.data;
}

export function toRecord(p: Person, group: string): SideRecord {
  const m = personToContact(p);
  const extra = encodeExtra(m.extra);
  return {
    id: p.resourceName,
    version: p.etag,
    modifiedAt: m.modifiedAt,
    contact: m.contact,
    inGroup: inGroup(p, group),
    ...(m.marker ? { marker: m.marker } : {}),
    ...(extra ? { extra } : {}),
  };
}

/** The sync token was refused: start over with a full listing (reference §4). */
export class TokenRejected extends Error {
  constructor() {
    super('sync token rejected');
  }
}

function isExpired(e: unknown): boolean {
  const f = failureOf(e);
  if (!f) return false;
  return (
    f.status === 410 ||
    f.reasons.includes('EXPIRED_SYNC_TOKEN') ||
    f.apiMessage.startsWith('Sync token is expired')
  );
}

type Entry = { kind: 'person'; person: Person } | { kind: 'deleted'; id: string };

/** Every page of connections.list; returns the next sync token (null when not requested). */
export async function listConnections(
  client: PeopleClient,
  params: { syncToken: string | null; requestSyncToken: boolean },
  onPage: (entries: Entry[]) => void,
): Promise<string | null> {
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    let res;
    try {
      res = await client.call('connections.list', 'read', listConnectionsSchema, (o) =>
        client.api.people.connections.list(
          {
            resourceName: 'people/me',
            personFields: PERSON_FIELDS,
            pageSize: 1000,
            requestSyncToken: params.requestSyncToken,
            ...(params.syncToken ? { syncToken: params.syncToken } : {}),
            ...(pageToken ? { pageToken } : {}),
          },
          o,
        ),
      );
    } catch (e) {
      // A token Google no longer knows (expired, or from before a reset) on the first page is as
      // good as expired: a full listing reconciled against the links is always safe.
      const rejected = page === 0 && e instanceof SyncError && e.details.status === 400;
      if (params.syncToken && (isExpired(e) || rejected)) throw new TokenRejected();
      throw e;
    }
    onPage(
      (res.connections ?? []).map((raw): Entry => {
        if (isTombstone(raw)) {
          const t = tombstoneSchema.safeParse(raw);
          if (!t.success)
            throw new SyncError('bad-response', 'google connections.list: bad tombstone', { side: 'google' });
          return { kind: 'deleted', id: t.data.resourceName };
        }
        return { kind: 'person', person: parsePerson(raw, 'connections.list') };
      }),
    );
    if (!res.nextPageToken) {
      if (params.requestSyncToken && !res.nextSyncToken)
        throw new SyncError('bad-response', 'google connections.list: no sync token', { side: 'google' });
      return res.nextSyncToken ?? null;
    }
    if (res.nextPageToken === pageToken)
      throw new SyncError('bad-response', 'google connections.list: page token repeats', { side: 'google' });
    pageToken = res.nextPageToken;
  }
  throw new SyncError('bad-response', 'google connections.list: too many pages', { side: 'google' });
}

/**
 * What a full listing knows about people outside the group, compactly: enough to answer lookups by
 * marker or email without keeping their data. Members are kept whole (they are reported anyway).
 */
export class LookupIndex {
  readonly members = new Map<string, SideRecord>();
  /** Members of a listing the run also received as its changes: known there, not kept twice here. */
  readonly reported = new Set<string>();
  private readonly byEmail = new Map<string, string | string[]>();
  private readonly byMarker = new Map<string, string | string[]>();

  /** `keepMembers`: false when the members travel to the runner anyway (a full read's changes). */
  constructor(private readonly keepMembers = true) {}

  add(r: SideRecord): void {
    if (r.inGroup && this.keepMembers) this.members.set(r.id, r);
    else if (r.inGroup) this.reported.add(r.id);
    for (const e of emailsOf(r.contact)) push(this.byEmail, e, r.id);
    if (r.marker) push(this.byMarker, r.marker, r.id);
  }

  find(keys: { markers: string[]; emails: string[] }): string[] {
    const out = new Set<string>();
    for (const m of keys.markers) for (const id of all(this.byMarker.get(m))) out.add(id);
    for (const e of keys.emails) for (const id of all(this.byEmail.get(emailKey(e)))) out.add(id);
    return [...out];
  }
}

function push(map: Map<string, string | string[]>, key: string, id: string): void {
  const cur = map.get(key);
  if (cur === undefined) map.set(key, id);
  else if (typeof cur === 'string') {
    if (cur !== id) map.set(key, [cur, id]);
  } else if (!cur.includes(id)) cur.push(id);
}

const all = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : typeof v === 'string' ? [v] : v;

export interface FullListing {
  records: SideRecord[];
  /** Members at the etag the caller already knows: present, not mapped. */
  unchanged: string[];
  index: LookupIndex;
  /** Every email of the account, members' at their known etag included. */
  prints: AccountPrints;
  syncToken: string | null;
}

export async function fullListing(
  client: PeopleClient,
  group: string,
  requestSyncToken: boolean,
  known: ReadonlyMap<string, string> | null = null,
): Promise<FullListing> {
  const records: SideRecord[] = [];
  const unchanged: string[] = [];
  // A listing that becomes the run's changes hands its members over; one made for lookups keeps them.
  const index = new LookupIndex(!requestSyncToken);
  const prints = new AccountPrints();
  const syncToken = await listConnections(client, { syncToken: null, requestSyncToken }, (entries) => {
    for (const e of entries) {
      if (e.kind !== 'person') continue;
      prints.addPerson(e.person);
      // A paired member at the etag its link holds has nothing new; it only has to be present.
      const etag = known?.get(e.person.resourceName);
      if (etag !== undefined && etag === e.person.etag && inGroup(e.person, group)) {
        unchanged.push(e.person.resourceName);
        continue;
      }
      const r = toRecord(e.person, group);
      index.add(r);
      if (r.inGroup) records.push(r);
    }
  });
  return { records, unchanged, index, prints, syncToken };
}

export interface Increment {
  records: SideRecord[];
  departures: Departure[];
  syncToken: string | null;
}

/**
 * Changes since the token, minus the pure echoes of our own writes (`isEcho` consumes them). Every
 * person the feed shows, echo or not, adds its emails to `prints`.
 */
export async function incrementalListing(
  client: PeopleClient,
  group: string,
  syncToken: string,
  isEcho: (id: string, etag: string) => boolean,
  prints: AccountPrints | null,
): Promise<Increment> {
  const byId = new Map<string, SideRecord>();
  const deleted = new Map<string, Departure>();
  const next = await listConnections(client, { syncToken, requestSyncToken: true }, (entries) => {
    for (const e of entries) {
      // A person may appear on more than one page of a change feed: the last word counts.
      if (e.kind === 'deleted') {
        byId.delete(e.id);
        deleted.set(e.id, { id: e.id, deleted: true });
        continue;
      }
      deleted.delete(e.person.resourceName);
      prints?.addPerson(e.person);
      if (isEcho(e.person.resourceName, e.person.etag)) {
        byId.delete(e.person.resourceName);
        continue;
      }
      byId.set(e.person.resourceName, toRecord(e.person, group));
    }
  });
  return { records: [...byId.values()], departures: [...deleted.values()], syncToken: next };
}

const chunk = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const NOT_FOUND = 5;
const INVALID_ARGUMENT = 3;

/** people:batchGet in calls of 200; ids Google does not know come back as missing. */
export async function batchGet(
  client: PeopleClient,
  ids: string[],
  personFields: string,
): Promise<{ people: Person[]; missing: string[] }> {
  const people: Person[] = [];
  const missing: string[] = [];
  for (const names of chunk([...new Set(ids)], BATCH_GET)) {
    const res = await client.call('people.getBatchGet', 'read', batchGetSchema, (o) =>
      client.api.people.getBatchGet({ resourceNames: names, personFields }, o),
    );
    const responses = res.responses ?? [];
    if (responses.length !== names.length)
      throw new SyncError('bad-response', 'google people.getBatchGet: answer count differs', {
        side: 'google',
      });
    responses.forEach((r, i) => {
      const requested = r.requestedResourceName ?? names[i]!;
      if (r.person !== undefined && (r.status?.code ?? 0) === 0) {
        people.push(parsePerson(r.person, 'people.getBatchGet'));
        return;
      }
      const code = r.status?.code ?? (r.httpStatusCode === 404 ? NOT_FOUND : undefined);
      // A name that is not a contact cannot exist either: both mean the record is gone.
      if (code === NOT_FOUND || code === INVALID_ARGUMENT) missing.push(requested);
      else
        throw new SyncError('unavailable', `google people.getBatchGet: item status ${code ?? '?'}`, {
          side: 'google',
        });
    });
  }
  return { people, missing };
}

/** How many contacts the account holds: one page of one (`totalItems`, absent when none). */
export async function countContacts(client: PeopleClient): Promise<number> {
  const res = await client.call('connections.list', 'read', listConnectionsSchema, (o) =>
    client.api.people.connections.list(
      { resourceName: 'people/me', personFields: 'metadata', pageSize: 1 },
      o,
    ),
  );
  return res.totalItems ?? res.totalPeople ?? 0;
}

/** Google wants one empty query before searching, to warm its cache (reference §2). */
export async function warmUpSearch(client: PeopleClient): Promise<void> {
  await client.call('people.searchContacts', 'read', searchSchema, (o) =>
    client.api.people.searchContacts({ query: '', readMask: 'names' }, o),
  );
}

/** Contacts whose email equals `email` exactly once normalised (search itself matches prefixes). */
export async function searchEmail(client: PeopleClient, email: string): Promise<Person[]> {
  const wanted = emailKey(email);
  const res = await client.call('people.searchContacts', 'read', searchSchema, (o) =>
    client.api.people.searchContacts({ query: wanted, readMask: PERSON_FIELDS, pageSize: SEARCH_PAGE }, o),
  );
  return (res.results ?? [])
    .map((r) => parsePerson(r.person, 'people.searchContacts'))
    .filter((p) => (p.emailAddresses ?? []).some((e) => emailKey(e.value ?? '') === wanted));
}
