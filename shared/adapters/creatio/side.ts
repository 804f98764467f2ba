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
    return {
      id: b.contact.Id,
      version: b.contact.ModifiedOn,
      modifiedAt: Date.parse(b.contact.ModifiedOn),
      contact,
      inGroup: this.members?.has(b.contact.Id) ?? false,
      extra: encodeExtra(extra),
    };
  }

  private async records(
    ids: string[],
  ): Promise<{ records: SideRecord[]; missing: string[]; bundles: Map<string, Bundle> }> {
    const valid = ids.filter(isGuid);
    const { bundles, missing } = await this.reader.bundles(valid);
    return {
      records: [...bundles.values()].map((b) => this.toRecord(b)),
      missing: [...missing, ...ids.filter((id) => !isGuid(id))],
      bundles,
    };
  }

  async readChanges(
    cursor: string | null,
    options: { full: boolean; deferFullRead?: boolean },
  ): Promise<SideChanges> {
    const t = this.client.tuning;
    const prev = options.full ? null : decodeCursor(cursor);
    const now = this.conn.clock.now();
    const billedBefore = this.client.http.stats.billed;
    this.members = await this.reader.members();
    // The watermark is the server's own clock as the member listing answered, before any change
    // query ran: never the largest ModifiedOn seen, which a local-time bump can put in the future.
    const serverNow = this.client.http.serverNow;
    const watermark =
      serverNow !== null ? serverNow - t.safetyMarginMs : (prev?.watermark ?? now - NO_DATE_MARGIN_MS);
    const memberIds = [...this.members.keys()];
    const base = { departures: [], memberCount: memberIds.length, members: memberIds };

    if (prev === null || (!options.deferFullRead && this.fullReadDue(prev, now))) {
      // In slices, so that the raw rows of one slice are let go before the next is read.
      const records: SideRecord[] = [];
      const seen = new Seen();
      for (let i = 0; i < memberIds.length; i += FULL_READ_SLICE) {
        const slice = await this.records(memberIds.slice(i, i + FULL_READ_SLICE));
        records.push(...slice.records);
        for (const b of slice.bundles.values()) noteBundle(seen, b);
      }
      const fullCalls = this.client.http.stats.billed - billedBefore;
      const next: CrmCursor = { watermark, fullAt: now, fullCalls, seen, created: new Seen() };
      return {
        ...base,
        records,
        complete: true,
        cursor: encodeCursor(next, watermark - t.overlapMs, t),
      };
    }

    const changes = await this.reader.changedSince(prev.watermark - t.overlapMs);
    const seen = new Seen();
    const changed = new Set<string>();
    const consider = (kind: SeenKind, rowId: string, contactId: string | null, modifiedOn: string) => {
      if (contactId === null || !this.members!.has(contactId)) return;
      const at = Date.parse(modifiedOn);
      seen.add(kind, rowId, at);
      if (prev.seen.has(kind, rowId, at)) return;
      const made = prev.created.latest('c', contactId);
      if (made !== null && (kind === 'c' ? at === made : at <= made)) return;
      changed.add(contactId);
    };
    for (const r of changes.contacts) consider('c', r.Id, r.Id, r.ModifiedOn);
    for (const r of changes.communications) consider('k', r.Id, r.ContactId, r.ModifiedOn);
    for (const r of changes.addresses) consider('a', r.Id, r.ContactId, r.ModifiedOn);
    const { records } = await this.records([...changed]);
    const next: CrmCursor = { ...prev, watermark, seen };
    return {
      ...base,
      records,
      complete: false,
      cursor: encodeCursor(next, watermark - t.overlapMs, t),
    };
  }

  async fetch(ids: string[]): Promise<{ records: SideRecord[]; missing: string[] }> {
    await this.memberMap();
    const { records, missing } = await this.records(ids);
    return { records, missing };
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
        written.set(id, { id, ...w });
        this.created.add('c', id, Date.parse(w.version));
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

  async update(items: UpdateItem[]): Promise<ItemResults<Written>> {
    await this.memberMap();
    // Our ids are lower-case GUIDs; results go back under the id the runner gave.
    const key = (id: string) => (isGuid(id) ? id.toLowerCase() : id);
    const outcomes = await this.writer.update(items.map((i) => ({ ...i, id: key(i.id) })));
    const desired = new Map<string, Contact>();
    for (const item of items) if (outcomes.get(key(item.id))?.ok) desired.set(key(item.id), item.contact);
    const written = desired.size > 0 ? await this.written(desired) : new Map<string, Written>();
    const out: ItemResults<Written> = new Map();
    for (const item of items) {
      const o = outcomes.get(key(item.id)) ?? { ok: false, kind: 'failed', message: 'not attempted' };
      out.set(
        item.id,
        o.ok
          ? { ok: true, value: written.get(key(item.id))! }
          : { ok: false, error: { kind: o.kind, message: o.message } },
      );
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

function noteBundle(seen: Seen, b: Bundle): void {
  seen.add('c', b.contact.Id, Date.parse(b.contact.ModifiedOn));
  for (const r of b.communications) seen.add('k', r.Id, Date.parse(r.ModifiedOn));
  for (const r of b.addresses) seen.add('a', r.Id, Date.parse(r.ModifiedOn));
}

function result(o: Outcome): ItemResult<null> {
  return o.ok ? { ok: true, value: null } : { ok: false, error: { kind: o.kind, message: o.message } };
}
