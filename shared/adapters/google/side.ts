// The Google side of one connection: one account, one contact group, through the People API.
import type { OAuth2Client } from 'google-auth-library';
import type {
  Clock,
  ContactSide,
  CreateItem,
  ItemResults,
  SideChanges,
  UpdateItem,
  Written,
} from '../../ports.js';
import type { LookupKeys, SideRecord } from '../../sync/index.js';
import { emailKey } from '../../sync/index.js';
import { DEFAULT_RETRY, PeopleClient, type RetryPolicy } from './client.js';
import { decodeCursor, EchoSet, encodeCursor, withWrites } from './cursor.js';
import { findGroup, findOrCreateGroup, memberCount } from './group.js';
import { SyncError } from '../../errors.js';
import { PERSON_FIELDS } from './mapping.js';
import { AccountPrints } from './prints.js';
import {
  batchGet,
  fullListing,
  incrementalListing,
  searchEmail,
  toRecord,
  TokenRejected,
  warmUpSearch,
  type LookupIndex,
} from './read.js';
import {
  BATCH_WRITE,
  MAX_CONTACTS,
  MEMBERSHIP_BATCH,
  createContacts,
  modifyMembers,
  updateContacts,
  type WriteContext,
} from './write.js';

export const DEFAULT_GROUP_NAME = "bpm'online";

export interface GooglePeopleSideOptions {
  /** An authorized client that refreshes itself (oauth.ts `authorizedClient`). */
  auth: OAuth2Client;
  /** People API base URL, e.g. https://people.googleapis.com (a path prefix is kept). */
  peopleApiUrl: string;
  groupName?: string;
  /** Backoff waits; injectable so that tests do not wait. */
  sleep?: (ms: number) => Promise<void>;
  clock?: Clock;
  /** Jitter source in [0, 1). */
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Per request. */
  timeoutMs?: number;
  /**
   * Above this many emails to look up without a listing, one listing (1 request per 1,000 contacts)
   * is cheaper than one search per email.
   */
  searchLimit?: number;
  /** Contacts the account may hold; default Google's 25,000. */
  maxContacts?: number;
  /** A preview: never write, not even the group; a missing group reads as an empty one. */
  readOnly?: boolean;
}

/**
 * How long after a read this side may rest (report nothing without asking) while a run continues the
 * other side's bounded read: no longer than the schedule's interval, so that what its lookups go by is
 * no staler than a scheduled run's would be.
 */
export const REST_MAX_MS = 15 * 60_000;

/** Stands for a group that does not exist yet (read-only side): no contact is a member of it. */
const ABSENT_GROUP = 'contactGroups/-absent-';

export class GooglePeopleSide implements ContactSide {
  readonly side = 'google' as const;
  readonly limits = { create: BATCH_WRITE, update: BATCH_WRITE, membership: MEMBERSHIP_BATCH };

  private readonly client: PeopleClient;
  private readonly groupName: string;
  private readonly searchLimit: number;
  private readonly readOnly: boolean;
  private group: string | null = null;
  /** This run's full listing, for lookups by marker and email without further requests. */
  private index: LookupIndex | null = null;
  /** The account's email prints as this run read them (null: not known), for lookups by email. */
  private prints: AccountPrints | null = null;
  private warmedUp = false;
  /** This run's writes, remembered in the settled cursor so that their echo is dropped. */
  private written: { id: string; etag: string; emails: string[] }[] = [];
  /** Learnt by this run's first refused create; the next run asks again, unless it rests. */
  private account: WriteContext['account'];
  private readonly maxContacts: number;
  private readonly clock: Clock;
  /** Google asks for one account's writes to be sent one after another. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: GooglePeopleSideOptions) {
    this.groupName = options.groupName ?? DEFAULT_GROUP_NAME;
    this.searchLimit = options.searchLimit ?? 30;
    this.maxContacts = options.maxContacts ?? MAX_CONTACTS;
    this.account = { limit: this.maxContacts, full: false };
    this.readOnly = options.readOnly ?? false;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.client = new PeopleClient({
      auth: options.auth,
      peopleApiUrl: options.peopleApiUrl,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      clock: this.clock,
      random: options.random ?? Math.random,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      timeoutMs: options.timeoutMs ?? 60_000,
    });
  }

  /** The group's resource name, once known. */
  get groupResourceName(): string | null {
    return this.group;
  }

  private async ensureGroup(): Promise<string> {
    if (this.readOnly) this.group ??= (await findGroup(this.client, this.groupName)) ?? ABSENT_GROUP;
    this.group ??= await findOrCreateGroup(this.client, this.groupName);
    return this.group;
  }

  groupMissing(): boolean {
    return this.group === ABSENT_GROUP;
  }

  async readChanges(
    cursor: string | null,
    options: { full: boolean; known?: () => Promise<ReadonlyMap<string, string>>; rest?: boolean },
  ): Promise<SideChanges> {
    // Reads come before any write of a run: what was written belongs to the previous run.
    this.written = [];
    this.account = { limit: this.maxContacts, full: false };
    const startedAt = this.clock.now();
    const c = decodeCursor(cursor);
    if (c) this.group = c.group;
    this.prints = c?.prints != null ? AccountPrints.unpack(c.prints) : null;
    if (c?.token && !options.full) {
      // Read moments ago, with the prints lookups go by: the continued run leaves this side unread, so
      // it neither reads back the echo of the writes just made nor lists the account for lookups.
      const age = c.at === null ? null : startedAt - c.at;
      if (options.rest && this.prints && age !== null && age >= 0 && age <= REST_MAX_MS) {
        // Found full moments ago: its creates are refused without asking until the next read.
        this.account.full = c.full;
        return {
          records: [],
          departures: [],
          complete: false,
          memberCount: null,
          members: null,
          cursor: encodeCursor(c),
        };
      }
      const echoes = new EchoSet(c.echoes);
      try {
        const inc = await incrementalListing(
          this.client,
          c.group,
          c.token,
          (id, etag) => echoes.take(id, etag),
          this.prints,
        );
        // The guard must see the group emptied on every run. It can only shrink when someone left it
        // (or was deleted) since the token: only then is the count asked for, so a quiet run stays at
        // one request.
        const left = inc.departures.length > 0 || inc.records.some((r) => !r.inGroup);
        return {
          records: inc.records,
          departures: inc.departures,
          complete: false,
          memberCount: left ? await memberCount(this.client, c.group) : null,
          members: null,
          cursor: encodeCursor({
            group: c.group,
            token: inc.syncToken,
            echoes: echoes.remaining(),
            prints: this.prints?.pack() ?? null,
            at: startedAt,
            full: false,
          }),
        };
      } catch (e) {
        // Expired or unknown token: the partial pages are dropped, a full listing takes over.
        if (!(e instanceof TokenRejected)) throw e;
      }
    }
    this.prints = null;
    const group = await this.ensureGroup();
    if (group === ABSENT_GROUP)
      return {
        records: [],
        unchanged: [],
        departures: [],
        complete: true,
        memberCount: 0,
        members: null,
        cursor: encodeCursor({ group, token: '', echoes: [], prints: null, at: null, full: false }),
      };
    const known = options.known ? await options.known() : null;
    const full = await fullListing(this.client, group, true, known);
    this.index = full.index;
    this.prints = full.prints;
    return {
      records: full.records,
      unchanged: full.unchanged,
      departures: [],
      complete: true,
      memberCount: full.records.length + full.unchanged.length,
      members: null,
      cursor: encodeCursor({
        group,
        token: full.syncToken,
        echoes: [],
        prints: full.prints.pack(),
        at: startedAt,
        full: false,
      }),
    };
  }

  async fetch(ids: string[]): Promise<{ records: SideRecord[]; missing: string[] }> {
    if (ids.length === 0) return { records: [], missing: [] };
    const group = await this.ensureGroup();
    const got = await batchGet(this.client, ids, PERSON_FIELDS);
    return { records: got.people.map((p) => toRecord(p, group)), missing: got.missing };
  }

  async lookup(keys: LookupKeys): Promise<SideRecord[]> {
    const group = await this.ensureGroup();
    // Emails no contact of the account carried at the read, nor since, need no request at all.
    // Our own creates in doubt may be there unseen: their emails are looked for whatever the prints say.
    const inDoubt = new Set(keys.inDoubt.map(emailKey));
    const emails =
      this.index || !this.prints
        ? keys.emails
        : keys.emails.filter((e) => inDoubt.has(emailKey(e)) || this.prints!.mayHold(e));
    if (!this.index && emails.length > this.searchLimit)
      this.index = (await fullListing(this.client, group, false)).index;
    const found = new Map<string, SideRecord>();
    if (this.index) {
      const ids = [...new Set([...keys.ids, ...this.index.find(keys)])];
      const unknown: string[] = [];
      for (const id of ids) {
        const member = this.index.members.get(id);
        if (member) found.set(id, member);
        // Reported with this run's changes already: the runner has the record.
        else if (!this.index.reported.has(id)) unknown.push(id);
      }
      for (const r of (await this.fetch(unknown)).records) found.set(r.id, r);
      return [...found.values()];
    }
    // Markers cannot be searched; without a listing only emails (and ids) can be looked up.
    for (const r of (await this.fetch(keys.ids)).records) found.set(r.id, r);
    if (emails.length > 0 && !this.warmedUp) {
      await warmUpSearch(this.client);
      this.warmedUp = true;
    }
    for (const email of emails)
      for (const p of await searchEmail(this.client, email)) found.set(p.resourceName, toRecord(p, group));
    return [...found.values()];
  }

  releaseReads(): void {
    this.index = null;
  }

  create(items: CreateItem[]): Promise<ItemResults<Written>> {
    return this.serial((ctx) => createContacts(ctx, items));
  }

  update(items: UpdateItem[]): Promise<ItemResults<Written>> {
    return this.serial((ctx) => updateContacts(ctx, items));
  }

  addToGroup(ids: string[]): Promise<ItemResults<null>> {
    return this.serial((ctx) => modifyMembers(ctx, ids, true));
  }

  removeFromGroup(ids: string[]): Promise<ItemResults<null>> {
    return this.serial((ctx) => modifyMembers(ctx, ids, false));
  }

  settleCursor(cursor: string): string {
    const c = decodeCursor(cursor);
    if (!c || (this.written.length === 0 && this.account.full === c.full)) return cursor;
    if (this.written.length === 0) return encodeCursor({ ...c, full: this.account.full });
    // What we wrote is in the account now: a later run that rests must find it by its emails.
    const prints = c.prints === null ? null : AccountPrints.unpack(c.prints);
    prints?.addEmails(this.written.flatMap((w) => w.emails));
    return encodeCursor({
      ...c,
      echoes: withWrites(c.echoes, this.written),
      prints: prints?.pack() ?? null,
      full: this.account.full,
    });
  }

  private serial<T>(write: (ctx: WriteContext) => Promise<T>): Promise<T> {
    const run = async () => {
      if (this.readOnly) throw new SyncError('internal', 'a read-only Google side was asked to write');
      const group = await this.ensureGroup();
      return write({
        client: this.client,
        group,
        wrote: (id, etag, emails) => this.written.push({ id, etag, emails }),
        account: this.account,
      });
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
