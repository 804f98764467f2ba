// An in-memory fake of our own ContactSide port (not of Google or Creatio). It reports changes the
// way each real side does: 'google' mode by change sequence with tombstones, 'crm' mode by
// modification time plus the full member list (joining a group does not count as a modification).
// Records are stored as written (by the user or by the sync), never through the engine's
// normalisation: only what the side reports is mapped and normalised, as an adapter does, so that
// tests judging the stored data with their own comparison can see a normalisation fault.
import type {
  ContactSide,
  CreateItem,
  ItemResults,
  SideChanges,
  UpdateItem,
  Written,
} from '../../shared/ports.js';
import type { Contact, LookupKeys, Side, SideRecord } from '../../shared/sync/index.js';
import { emailsOf, normalizeContact } from '../../shared/sync/index.js';

export interface FakeRecord {
  id: string;
  contact: Contact;
  version: number;
  modifiedAt: number;
  seq: number;
  inGroup: boolean;
  deleted: boolean;
  marker?: string;
}

/** A write that took effect but whose answer never arrived. */
export class LostAnswer extends Error {}

export type CallName =
  'readChanges' | 'fetch' | 'lookup' | 'create' | 'update' | 'addToGroup' | 'removeFromGroup';

export class FakeSide implements ContactSide {
  readonly limits = { create: 3, update: 3, membership: 4 };
  readonly records = new Map<string, FakeRecord>();
  readonly calls: CallName[] = [];
  private seq = 0;
  private nextId = 1;
  /** Like Google: a change shows in incremental reads only after this delay (the cursor never skips it). */
  visibilityDelayMs = 0;
  /** Called before every port call, and after the write took effect when `after` is true: throw to crash. */
  hook: (call: CallName, after: boolean) => void = () => {};
  /** A create this answers with a message is refused as invalid, like a side rejecting the data. */
  refuseCreate: (contact: Contact) => string | null = () => null;
  /** Most records the side holds; a create past it is refused `full` (a Google account's 25,000). */
  capacity: number | null = null;
  /**
   * Faults of the next write calls: 'failed' answers every item with a failure and writes nothing;
   * 'lost' writes, then the answer is lost (the call rejects, as a dropped connection would).
   */
  writeFaults: ('failed' | 'lost')[] = [];
  /**
   * CRM only: most members a full read reads, like Creatio's `fullReadBound`; members at the version
   * their link holds are said unchanged, the rest past the bound deferred. Null: every member read.
   */
  fullReadBound: number | null = null;
  /** Updates refused for a stale version (etag). */
  staleAnswers = 0;
  /** Reads answered by resting (`rest`): nothing reported, the cursor as it was. */
  rested = 0;

  constructor(
    readonly side: Side,
    private readonly clock: { now(): number },
  ) {}

  // ---- the user, editing in the UI ----

  userCreate(contact: Contact, inGroup = true): string {
    const id = this.side === 'crm' ? `crm-${this.nextId++}` : `people/c${this.nextId++}`;
    this.records.set(id, {
      id,
      contact: structuredClone(contact),
      version: 1,
      modifiedAt: this.clock.now(),
      seq: ++this.seq,
      inGroup,
      deleted: false,
    });
    return id;
  }

  userEdit(id: string, patch: Partial<Contact>): void {
    const r = this.live(id);
    r.contact = structuredClone({ ...r.contact, ...patch });
    this.touch(r);
  }

  userSetGroup(id: string, inGroup: boolean): void {
    const r = this.live(id);
    if (r.inGroup === inGroup) return;
    r.inGroup = inGroup;
    // Creatio: a folder insert does not bump ModifiedOn, a delete does. Google: both change the person.
    if (this.side === 'google' || !inGroup) this.touch(r);
  }

  userDelete(id: string): void {
    const r = this.live(id);
    r.deleted = true;
    r.inGroup = false;
    this.touch(r);
  }

  members(): FakeRecord[] {
    return [...this.records.values()].filter((r) => !r.deleted && r.inGroup);
  }

  alive(): FakeRecord[] {
    return [...this.records.values()].filter((r) => !r.deleted);
  }

  private live(id: string): FakeRecord {
    const r = this.records.get(id);
    if (!r || r.deleted) throw new Error(`no live record ${id}`);
    return r;
  }

  private touch(r: FakeRecord): void {
    r.version += 1;
    r.modifiedAt = this.clock.now();
    r.seq = ++this.seq;
  }

  private toRecord(r: FakeRecord): SideRecord {
    return {
      id: r.id,
      version: String(r.version),
      modifiedAt: r.modifiedAt,
      contact: normalizeContact(r.contact),
      inGroup: r.inGroup,
      ...(r.marker ? { marker: r.marker } : {}),
    };
  }

  private enter(call: CallName): void {
    this.calls.push(call);
    this.hook(call, false);
  }

  /** The fault of this write call, if one is due: a 'failed' call answers before writing. */
  private writeFault<T>(ids: string[]): { fault: 'failed' | 'lost' | null; failed: ItemResults<T> | null } {
    const fault = this.writeFaults.shift() ?? null;
    if (fault !== 'failed') return { fault, failed: null };
    const out: ItemResults<T> = new Map();
    for (const id of ids) out.set(id, { ok: false, error: { kind: 'failed', message: 'backend error' } });
    return { fault, failed: out };
  }

  private afterWrite(call: CallName, fault: 'failed' | 'lost' | null): void {
    this.hook(call, true);
    if (fault === 'lost') throw new LostAnswer(`${this.side} ${call}: the answer was lost`);
  }

  // ---- the port ----

  async readChanges(
    cursor: string | null,
    options: { full: boolean; known?: () => Promise<ReadonlyMap<string, string>>; rest?: boolean },
  ): Promise<SideChanges> {
    this.enter('readChanges');
    // Like Google read moments ago: its lookups still answer from the side itself.
    if (options.rest && !options.full && cursor !== null) {
      this.rested++;
      return { records: [], departures: [], complete: false, memberCount: null, members: null, cursor };
    }
    const since = cursor === null || options.full ? null : Number(cursor);
    const members = this.members();
    const fresh = (r: FakeRecord) =>
      since !== null && r.modifiedAt > this.clock.now() - this.visibilityDelayMs;
    const all = [...this.records.values()].filter((r) => since === null || r.seq > since);
    const withheld = all.filter(fresh);
    const changed = all.filter((r) => !fresh(r));
    const upTo = withheld.length > 0 ? Math.min(...withheld.map((r) => r.seq)) - 1 : this.seq;
    const base = { cursor: String(upTo), memberCount: members.length };
    if (this.side === 'crm' && since === null && this.fullReadBound !== null) {
      const known = options.known ? await options.known() : new Map<string, string>();
      const toRead = members.filter((r) => known.get(r.id) !== String(r.version));
      return {
        ...base,
        records: toRead.slice(0, this.fullReadBound).map((r) => this.toRecord(r)),
        unchanged: members.filter((r) => known.get(r.id) === String(r.version)).map((r) => r.id),
        deferred: toRead.slice(this.fullReadBound).map((r) => r.id),
        departures: [],
        complete: true,
        members: members.map((r) => r.id),
      };
    }
    if (this.side === 'crm') {
      return {
        ...base,
        records: (since === null ? members : changed.filter((r) => r.inGroup && !r.deleted)).map((r) =>
          this.toRecord(r),
        ),
        departures: [],
        complete: since === null,
        members: members.map((r) => r.id),
      };
    }
    if (since === null) {
      // Like the Google side: members at the version their link holds are only said to be present.
      const known = options.known ? await options.known() : new Map<string, string>();
      return {
        ...base,
        records: members.filter((r) => known.get(r.id) !== String(r.version)).map((r) => this.toRecord(r)),
        unchanged: members.filter((r) => known.get(r.id) === String(r.version)).map((r) => r.id),
        departures: [],
        complete: true,
        members: null,
      };
    }
    return {
      ...base,
      memberCount: null,
      records: changed.filter((r) => !r.deleted).map((r) => this.toRecord(r)),
      departures: changed.filter((r) => r.deleted).map((r) => ({ id: r.id, deleted: true })),
      complete: false,
      members: null,
    };
  }

  async fetch(ids: string[]): Promise<{ records: SideRecord[]; missing: string[] }> {
    this.enter('fetch');
    const records: SideRecord[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const r = this.records.get(id);
      if (r && !r.deleted) records.push(this.toRecord(r));
      else missing.push(id);
    }
    return { records, missing };
  }

  async lookup(keys: LookupKeys): Promise<SideRecord[]> {
    this.enter('lookup');
    const emails = new Set(keys.emails);
    return this.alive()
      .filter(
        (r) =>
          keys.ids.includes(r.id) ||
          (r.marker !== undefined && keys.markers.includes(r.marker)) ||
          emailsOf(normalizeContact(r.contact)).some((e) => emails.has(e)),
      )
      .map((r) => this.toRecord(r));
  }

  async create(items: CreateItem[]): Promise<ItemResults<Written>> {
    this.enter('create');
    const { fault, failed } = this.writeFault<Written>(items.map((i) => i.key));
    if (failed) return failed;
    const out: ItemResults<Written> = new Map();
    for (const item of items) {
      const existing = item.id ? this.records.get(item.id) : undefined;
      if (existing && !existing.deleted) {
        // Our own earlier create with the same preassigned id: report it, never make a second one.
        out.set(item.key, { ok: true, value: { id: existing.id, version: String(existing.version) } });
        continue;
      }
      const live = [...this.records.values()].filter((r) => !r.deleted).length;
      if (this.capacity !== null && live >= this.capacity) {
        out.set(item.key, { ok: false, error: { kind: 'full', message: 'account full' } });
        continue;
      }
      const refused = this.refuseCreate(item.contact);
      if (refused !== null) {
        out.set(item.key, { ok: false, error: { kind: 'validation', message: refused } });
        continue;
      }
      const id = item.id ?? `people/c${this.nextId++}`;
      const rec: FakeRecord = {
        id,
        contact: structuredClone(item.contact),
        version: 1,
        modifiedAt: this.clock.now(),
        seq: ++this.seq,
        inGroup: true,
        deleted: false,
        ...(item.marker ? { marker: item.marker } : {}),
      };
      this.records.set(id, rec);
      out.set(item.key, { ok: true, value: { id, version: '1' } });
    }
    this.afterWrite('create', fault);
    return out;
  }

  async update(items: UpdateItem[]): Promise<ItemResults<Written>> {
    this.enter('update');
    const { fault, failed } = this.writeFault<Written>(items.map((i) => i.id));
    if (failed) return failed;
    const out: ItemResults<Written> = new Map();
    for (const item of items) {
      const r = this.records.get(item.id);
      if (!r || r.deleted) {
        out.set(item.id, { ok: false, error: { kind: 'not-found', message: 'gone' } });
        continue;
      }
      if (this.side === 'google' && item.version !== null && item.version !== String(r.version)) {
        this.staleAnswers += 1;
        out.set(item.id, { ok: false, error: { kind: 'stale', message: 'etag' } });
        continue;
      }
      // No etag to send (a membership change rotated it): the side reads the record first, and the
      // written fields holding other than what the plan saw mean an edit since: stale, as the port says.
      const edited = (f: keyof Contact) => JSON.stringify(r.contact[f]) !== JSON.stringify(item.held[f]);
      if (this.side === 'google' && item.version === null && item.fields.some(edited)) {
        this.staleAnswers += 1;
        out.set(item.id, { ok: false, error: { kind: 'stale', message: 'edited since read' } });
        continue;
      }
      const next = { ...r.contact } as Record<string, unknown>;
      for (const f of item.fields) next[f] = item.contact[f];
      r.contact = structuredClone(next as unknown as Contact);
      this.touch(r);
      out.set(item.id, { ok: true, value: { id: r.id, version: String(r.version) } });
    }
    this.afterWrite('update', fault);
    return out;
  }

  async addToGroup(ids: string[]): Promise<ItemResults<null>> {
    return this.membership('addToGroup', ids, true);
  }

  async removeFromGroup(ids: string[]): Promise<ItemResults<null>> {
    return this.membership('removeFromGroup', ids, false);
  }

  private async membership(call: CallName, ids: string[], inGroup: boolean): Promise<ItemResults<null>> {
    this.enter(call);
    const { fault, failed } = this.writeFault<null>(ids);
    if (failed) return failed;
    const out: ItemResults<null> = new Map();
    for (const id of ids) {
      const r = this.records.get(id);
      if (!r || r.deleted) out.set(id, { ok: false, error: { kind: 'not-found', message: 'gone' } });
      else {
        if (r.inGroup !== inGroup) {
          r.inGroup = inGroup;
          if (this.side === 'google' || !inGroup) this.touch(r);
        }
        out.set(id, { ok: true, value: null });
      }
    }
    this.afterWrite(call, fault);
    return out;
  }

  settleCursor(cursor: string): string {
    return cursor;
  }
}
