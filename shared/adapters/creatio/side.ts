// The CRM side of the sync for one static group: reads (members, changes, whole contacts), lookups by
// id and email, and writes, over Creatio's OData 4 API. One instance serves one run: it keeps that
// run's member list, lookup names and the versions of its own writes.
import { newId } from '../../ids.js';
import type {
  ContactSide,
  CreateItem,
  ItemResult,
  ItemResults,
  SideChanges,
  UpdateItem,
  Written,
} from '../../ports.js';
import type { Contact, LookupKeys, SideRecord } from '../../sync/index.js';
import { contactsEqual, emailKey, normalizeContact } from '../../sync/index.js';
import { SyncError } from '../../errors.js';
import { buildClient, type Client, type CreatioConnection } from './connection.js';
import { Seen, decodeCursor, encodeCursor, type CrmCursor, type SeenKind } from './cursor.js';
import { validateFolderWith, type FolderCheck } from './folder.js';
import { Lookups } from './lookups.js';
import { encodeExtra, toCanonical, type Bundle, type Names } from './mapping.js';
import { isGuid } from './query.js';
import { crmVersion, hasUntracedRows, namesDigest, parseVersion } from './version.js';
import type { ContactRow } from './wire.js';
import { PHONE_TYPE_ID } from './constants.js';
import { Reader } from './reader.js';
import { Writer, type Outcome } from './writer.js';

export interface CreatioStats {
  /** HTTP requests sent (logins, token requests and retries included). */
  requests: number;
  retries: number;
  /** OData calls outside $batch. */
  plain: number;
  batches: number;
  subRequests: number;
  /** Sessions or tokens renewed after Creatio refused them. */
  renewals: number;
  signIns: number;
}

/** When the Date header is missing we fall back on our own clock, this much further back. */
const NO_DATE_MARGIN_MS = 5 * 60_000;

/** Members read per slice of a full read (a few dozen requests each). */
const FULL_READ_SLICE = 2000;

export class CreatioSide implements ContactSide {
  readonly side = 'crm' as const;
  /**
   * A create is about a dozen sub-requests (contact, rows, membership) and an update a few, so these
   * fill two or three $batch requests per call; memberships are one sub-request each.
   */
  readonly limits = { create: 20, update: 50, membership: 100 };

  private readonly client: Client;
  private readonly lookups: Lookups;
  private readonly reader: Reader;
  private readonly writer: Writer;
  private readonly folderId: string;
  private readonly names: Names;
  private members: Map<string, string[]> | null = null;
  /** Records this run read, by id: asked again (a lookup, a fetch), they are not read again. */
  private readonly read = new Map<string, SideRecord>();
  /** Rows as our own writes left them: the next read skips them unless they changed again. */
  private readonly echo = new Seen();
  /** Contacts this run created, at the version the create left them with. */
  private readonly created = new Seen();

  constructor(private readonly conn: CreatioConnection) {
    if (!isGuid(conn.folderId))
      throw new SyncError('config', 'The CRM group id is not a GUID', { side: 'crm' });
    this.folderId = conn.folderId.toLowerCase();
    this.client = buildClient(conn);
    const t = this.client.tuning;
    const limits = {
      pageSize: t.pageSize,
      maxRestarts: t.maxRestarts,
      maxRounds: t.maxRounds,
      plainUrlMax: t.plainUrlMax,
    };
    this.lookups = new Lookups(this.client.http, t.filterBudget, limits);
    this.reader = new Reader(
      this.client.http,
      this.folderId,
      { filterBudget: t.filterBudget, limits },
      this.lookups,
    );
    const names: Names = {
      account: (id) => this.lookups.name('Account', id),
      department: (id) => this.lookups.name('Department', id),
      city: (id) => this.lookups.name('City', id),
      region: (id) => this.lookups.name('Region', id),
      country: (id) => this.lookups.name('Country', id),
      addressType: (id) => this.lookups.addressType(id),
    };
    this.names = names;
    this.writer = new Writer(this.client.http, this.reader, this.lookups, names, this.folderId, newId);
  }

  stats(): CreatioStats {
    const { transport, http, auth } = this.client;
    return { ...transport.stats, ...http.stats, signIns: auth.signIns };
  }

  billedCalls(): number {
    return this.client.http.stats.billed;
  }

  /** The 24-hour full read, when due; the first read of a group is not this side's choice to put off. */
  periodicFullRead(cursor: string | null, now: number): { expectedCalls: number | null } | null {
    const prev = decodeCursor(cursor);
    if (prev === null || !this.fullReadDue(prev, now)) return null;
    return { expectedCalls: prev.fullCalls ?? null };
  }

  private fullReadDue(prev: CrmCursor, now: number): boolean {
    return now - prev.fullAt >= this.client.tuning.fullReadEveryMs;
  }

  /** Whether a folder exists and is static (the settings page checks the group a user picks). */
  validateFolder(folderId: string): Promise<FolderCheck> {
    return validateFolderWith(this.client.http, folderId);
  }

  // ---- reading ----

  private async memberMap(): Promise<Map<string, string[]>> {
    return (this.members ??= await this.reader.members());
  }

  private toRecord(b: Bundle): SideRecord {
    const { contact, extra } = toCanonical(b, this.names);
    const record: SideRecord = {
      id: b.contact.Id,
      version: crmVersion(
        b.contact.ModifiedOn,
        hasUntracedRows(b.communications, b.addresses.length),
        contact.company,
        contact.department,
      ),
      modifiedAt: Date.parse(b.contact.ModifiedOn),
      contact,
      inGroup: this.members?.has(b.contact.Id) ?? false,
      extra: encodeExtra(extra),
    };
    this.read.set(record.id, record);
    return record;
  }

  /** Whole records by id; those this run already read are not read again. */
  private async records(ids: string[]): Promise<{ records: SideRecord[]; missing: string[] }> {
    const valid = [...new Set(ids.filter(isGuid).map((id) => id.toLowerCase()))];
    const records: SideRecord[] = [];
    const todo: string[] = [];
    for (const id of valid) {
      const r = this.read.get(id);
      if (r) records.push({ ...r, inGroup: this.members?.has(id) ?? r.inGroup });
      else todo.push(id);
    }
    const { bundles, missing } =
      todo.length > 0 ? await this.reader.bundles(todo) : { bundles: new Map(), missing: [] };
    for (const b of bundles.values()) records.push(this.toRecord(b));
    return { records, missing: [...missing, ...ids.filter((id) => !isGuid(id))] };
  }

  releaseReads(): void {
    this.read.clear();
  }

  /** Forgets what this run read of these contacts: a write or a membership change made it stale. */
  private forget(ids: Iterable<string>): void {
    for (const id of ids) this.read.delete(id.toLowerCase());
  }

  async readChanges(
    cursor: string | null,
    options: { full: boolean; known?: () => Promise<ReadonlyMap<string, string>>; deferFullRead?: boolean },
  ): Promise<SideChanges> {
    const t = this.client.tuning;
    const prev = options.full ? null : decodeCursor(cursor);
    const now = this.conn.clock.now();
    this.read.clear();
    if (prev === null || (!options.deferFullRead && this.fullReadDue(prev, now)))
      return this.fullRead(now, prev, options.known);

    // The member list brings each member's ModifiedOn: a contact changed since the watermark (a
    // communication row's save included) shows there, with no query of its own.
    const since = prev.watermark - t.overlapMs;
    const members = new Map<string, string[]>();
    let candidates: [string, string][] = [];
    await this.reader.memberVersions({
      add: (rows) => {
        for (const r of rows) {
          if (r.ContactId === null) continue;
          const list = members.get(r.ContactId);
          if (list) list.push(r.Id);
          else {
            members.set(r.ContactId, [r.Id]);
            if (r.Contact && Date.parse(r.Contact.ModifiedOn) >= since)
              candidates.push([r.ContactId, r.Contact.ModifiedOn]);
          }
        }
      },
      reset: () => {
        members.clear();
        candidates = [];
      },
    });
    this.members = members;
    const watermark = this.watermark(prev, now);
    const addresses = await this.reader.addressesChangedSince(since);
    const seen = new Seen();
    const changed = new Set<string>();
    const consider = (kind: SeenKind, rowId: string, contactId: string | null, modifiedOn: string) => {
      if (contactId === null || !members.has(contactId)) return;
      const at = Date.parse(modifiedOn);
      seen.add(kind, rowId, at);
      if (prev.seen.has(kind, rowId, at)) return;
      const made = prev.created.latest('c', contactId);
      if (made !== null && (kind === 'c' ? at === made : at <= made)) return;
      changed.add(contactId);
    };
    for (const [id, modifiedOn] of candidates) consider('c', id, id, modifiedOn);
    for (const r of addresses) consider('a', r.Id, r.ContactId, r.ModifiedOn);
    const { records } = await this.records([...changed]);
    const next: CrmCursor = { ...prev, watermark, seen };
    const ids = [...members.keys()];
    return {
      records,
      departures: [],
      complete: false,
      memberCount: ids.length,
      members: ids,
      cursor: encodeCursor(next, watermark - t.overlapMs, t),
    };
  }

  /**
   * The server's clock as the member listing answered, before any change query ran: never the
   * largest ModifiedOn seen, which a local-time bump can put in the future.
   */
  private watermark(prev: CrmCursor | null, now: number): number {
    const serverNow = this.client.http.serverNow;
    return serverNow !== null
      ? serverNow - this.client.tuning.safetyMarginMs
      : (prev?.watermark ?? now - NO_DATE_MARGIN_MS);
  }

  /**
   * Every member, with its Contact's columns and lookup names expanded into the member pages. A member
   * still at the version its link holds, with no rows whose deletion would leave no trace, is
   * reported unchanged; the rest have their rows read, a slice at a time. Pages are taken as they
   * come, so only the members that must be read are held.
   */
  private async fullRead(
    now: number,
    prev: CrmCursor | null,
    knownVersions?: () => Promise<ReadonlyMap<string, string>>,
  ): Promise<SideChanges> {
    const t = this.client.tuning;
    // What this read costs is kept, so that a tenant's daily budget can tell whether the next fits.
    const billedBefore = this.client.http.stats.billed;
    const known: ReadonlyMap<string, string> = knownVersions ? await knownVersions() : new Map();
    const members = new Map<string, string[]>();
    let unchanged: string[] = [];
    let toRead: ContactRow[] = [];
    let deferred: string[] = [];
    let seen = new Seen();
    // A read with no cursor to go by (a group's first, its continuations, which keep that cursor, or
    // a full listing the runner asked for) may keep nearly every member: smaller pages.
    const first = prev === null;
    await this.reader.memberContacts(
      {
        add: (rows) => {
          // Pairs the next read can meet again: those within the overlap window of this read.
          const recent = (this.client.http.serverNow ?? now) - t.overlapMs - t.safetyMarginMs - 60_000;
          for (const r of rows) {
            if (r.ContactId === null) continue;
            const list = members.get(r.ContactId);
            if (list) {
              list.push(r.Id);
              continue;
            }
            members.set(r.ContactId, [r.Id]);
            if (!r.Contact) continue;
            const { Account, Department, ...contact } = r.Contact;
            this.lookups.learn('Account', contact.AccountId, Account);
            this.lookups.learn('Department', contact.DepartmentId, Department);
            const at = Date.parse(contact.ModifiedOn);
            const v = parseVersion(known.get(contact.Id));
            // The member's id as the member map holds it: one string, not a copy per list.
            if (v !== null && !v.rows && v.at === at && v.names === namesDigest(Account, Department)) {
              unchanged.push(r.ContactId);
              if (at >= recent) seen.add('c', r.ContactId, at);
            } else if (toRead.length < t.fullReadBound) toRead.push(contact);
            else deferred.push(r.ContactId);
          }
        },
        reset: () => {
          members.clear();
          unchanged = [];
          toRead = [];
          deferred = [];
          seen = new Seen();
        },
      },
      first ? t.firstReadPageSize : undefined,
    );
    this.members = members;
    const watermark = this.watermark(prev, now);
    // Members left for later anyway: this invocation takes fewer, and the chain more invocations.
    if (deferred.length > 0 && toRead.length > t.continuedReadBound)
      deferred = [...toRead.splice(t.continuedReadBound).map((c) => c.Id), ...deferred];
    const records: SideRecord[] = [];
    // Taken off the list slice by slice: a slice's rows are let go once its records are built.
    while (toRead.length > 0) {
      const bundles = await this.reader.rowsOf(toRead.splice(0, FULL_READ_SLICE));
      for (const b of bundles.values()) {
        records.push(this.toRecord(b));
        noteBundle(seen, b);
      }
    }
    const ids = [...members.keys()];
    const fullCalls = this.client.http.stats.billed - billedBefore;
    const next: CrmCursor = { watermark, fullAt: now, fullCalls, seen, created: new Seen() };
    return {
      records,
      unchanged,
      ...(deferred.length > 0 ? { deferred } : {}),
      departures: [],
      complete: true,
      memberCount: ids.length,
      members: ids,
      cursor: encodeCursor(next, watermark - t.overlapMs, t),
    };
  }

  async fetch(ids: string[]): Promise<{ records: SideRecord[]; missing: string[] }> {
    await this.memberMap();
    return this.records(ids);
  }

  async lookup(keys: LookupKeys): Promise<SideRecord[]> {
    await this.memberMap();
    const emails = [...new Set(keys.emails.map(emailKey).filter((e) => e !== ''))];
    const byEmail = emails.length > 0 ? await this.reader.contactsWithEmails(emails) : [];
    const ids = [...new Set([...keys.ids.filter(isGuid).map((id) => id.toLowerCase()), ...byEmail])];
    return ids.length > 0 ? (await this.records(ids)).records : [];
  }

  // ---- writing ----

  /** Re-reads what we wrote: its version and rows, and (when it reads back as written) its echo. */
  private async written(desired: Map<string, Contact>): Promise<Map<string, Written>> {
    this.forget(desired.keys());
    const { bundles } = await this.reader.bundles([...desired.keys()]);
    const out = new Map<string, Written>();
    for (const [id, contact] of desired) {
      const b = bundles.get(id);
      if (!b) {
        out.set(id, { id, version: null, extra: null });
        continue;
      }
      const rec = this.toRecord(b);
      // Only an exact echo is skipped: anything else someone changed meanwhile, and must be read.
      if (contactsEqual(rec.contact, normalizeContact(contact))) noteBundle(this.echo, b);
      out.set(id, { id, version: rec.version, extra: rec.extra ?? null });
    }
    return out;
  }

  async create(items: CreateItem[]): Promise<ItemResults<Written>> {
    const members = await this.memberMap();
    const { outcomes, ids, written: known } = await this.writer.create(items);
    this.forget(ids.values());
    // What the replies told is remembered, not read back; only contacts whose replies said nothing
    // (a repeated create that met its own earlier insert) are read.
    const desired = new Map<string, Contact>();
    const written = new Map<string, Written>();
    for (const item of items) {
      if (!outcomes.get(item.key)?.ok) continue;
      const id = ids.get(item.key)!;
      const w = known.get(id);
      if (w === undefined) desired.set(id, item.contact);
      else {
        const c = normalizeContact(item.contact);
        written.set(id, { id, version: crmVersion(w.at, w.rows, c.company, c.department), extra: null });
        this.created.add('c', id, Date.parse(w.at));
      }
    }
    if (desired.size > 0) for (const [id, w] of await this.written(desired)) written.set(id, w);
    const out: ItemResults<Written> = new Map();
    for (const item of items) {
      const o = outcomes.get(item.key)!;
      if (!o.ok) out.set(item.key, { ok: false, error: { kind: o.kind, message: o.message } });
      else {
        const id = ids.get(item.key)!;
        if (!members.has(id)) members.set(id, []);
        out.set(item.key, { ok: true, value: written.get(id)! });
      }
    }
    return out;
  }

  /**
   * Updates are not read back: the replies give the contact's ModifiedOn (the Contact PATCH and row
   * saves answer the entity), which the cursor remembers as our echo, so the next read skips it. The
   * rows' ids after a change of emails, phones or addresses are left unknown (the next update of
   * those reads them), as after a create.
   */
  async update(items: UpdateItem[]): Promise<ItemResults<Written>> {
    await this.memberMap();
    // Our ids are lower-case GUIDs; results go back under the id the runner gave.
    const key = (id: string) => (isGuid(id) ? id.toLowerCase() : id);
    const { outcomes, written } = await this.writer.update(items.map((i) => ({ ...i, id: key(i.id) })));
    this.forget(items.map((i) => i.id));
    const rowFields: readonly string[] = ['emails', 'phones', 'addresses'];
    const out: ItemResults<Written> = new Map();
    for (const item of items) {
      const id = key(item.id);
      const o = outcomes.get(id) ?? { ok: false, kind: 'failed', message: 'not attempted' };
      if (!o.ok) {
        out.set(item.id, { ok: false, error: { kind: o.kind, message: o.message } });
        continue;
      }
      const w = written.get(id);
      const rowsTouched = item.fields.some((f) => rowFields.includes(f));
      let version: string | null = null;
      if (w?.untouched) version = item.version;
      else if (w?.at) {
        const c = normalizeContact(item.contact);
        const rows = rowsTouched
          ? hasUntracedRows(canonicalRows(c), c.addresses.length)
          : (parseVersion(item.version)?.rows ?? true);
        version = crmVersion(w.at, rows, c.company, c.department);
        this.echo.add('c', id, Date.parse(w.at));
      }
      for (const [rowId, at] of w?.addresses ?? []) this.echo.add('a', rowId, at);
      out.set(item.id, {
        ok: true,
        value: { id: item.id, version, ...(rowsTouched ? { extra: null } : {}) },
      });
    }
    return out;
  }

  async addToGroup(ids: string[]): Promise<ItemResults<null>> {
    const members = await this.memberMap();
    const out: ItemResults<null> = new Map();
    const todo: string[] = [];
    for (const id of ids) {
      if (!isGuid(id))
        out.set(id, result({ ok: false, kind: 'validation', message: 'the id is not a GUID' }));
      else if (members.has(id.toLowerCase())) out.set(id, { ok: true, value: null });
      else todo.push(id);
    }
    if (todo.length > 0) {
      const added = await this.writer.addMembers(todo.map((id) => id.toLowerCase()));
      for (const id of todo) {
        const a = added.get(id.toLowerCase())!;
        if (a.outcome.ok) members.set(id.toLowerCase(), [a.rowId]);
        out.set(id, result(a.outcome));
      }
    }
    return out;
  }

  async removeFromGroup(ids: string[]): Promise<ItemResults<null>> {
    const members = await this.memberMap();
    const out: ItemResults<null> = new Map();
    const todo = ids.filter((id) => {
      if (isGuid(id)) return true;
      out.set(id, result({ ok: false, kind: 'validation', message: 'the id is not a GUID' }));
      return false;
    });
    if (todo.length > 0) {
      const removed = await this.writer.removeMembers(
        todo.map((id) => id.toLowerCase()),
        members,
      );
      for (const id of todo) {
        const o = removed.get(id.toLowerCase())!;
        if (o.ok) members.delete(id.toLowerCase());
        out.set(id, result(o));
      }
    }
    return out;
  }

  /** Adds the rows our writes left (when they read back as written), so the next read skips them. */
  settleCursor(cursor: string): string {
    const c = decodeCursor(cursor);
    if (c === null) return cursor;
    c.seen.merge(this.echo);
    c.created.merge(this.created);
    const t = this.client.tuning;
    return encodeCursor(c, c.watermark - t.overlapMs, t);
  }
}

/** The communication rows a canonical contact's emails and phones become, by type. */
function canonicalRows(c: Contact): { CommunicationTypeId: string | null }[] {
  return [
    ...c.emails.map(() => ({ CommunicationTypeId: 'email' })),
    ...c.phones.map((p) => ({ CommunicationTypeId: PHONE_TYPE_ID[p.type] })),
  ];
}

function noteBundle(seen: Seen, b: Bundle): void {
  seen.add('c', b.contact.Id, Date.parse(b.contact.ModifiedOn));
  for (const r of b.addresses) seen.add('a', r.Id, Date.parse(r.ModifiedOn));
}

function result(o: Outcome): ItemResult<null> {
  return o.ok ? { ok: true, value: null } : { ok: false, error: { kind: o.kind, message: o.message } };
}
