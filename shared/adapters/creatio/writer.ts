// Writes through $batch: one change set per contact (all of its rows apply or none does), every
// sub-response checked and mapped back to its item. Every POST carries an Id we chose, so a
// repeated request meets its own earlier insert instead of duplicating it.
import type { CreateItem, ItemErrorKind, UpdateItem } from '../../ports.js';
import type { Field } from '../../sync/index.js';
import { normalizeContact } from '../../sync/index.js';
import { isDuplicateKey, itemErrorKind } from './errors.js';
import type { CreatioHttp, SubReply, SubRequest } from './http.js';
import type { Lookups, Place } from './lookups.js';
import {
  addressOps,
  contactBody,
  createPlan,
  decodeExtra,
  emailOps,
  phoneOps,
  toCanonical,
  type Extra,
  type Names,
  type ResolvedAddress,
  type RowOp,
} from './mapping.js';
import { entityUrl, guid, isGuid } from './query.js';
import type { Reader } from './reader.js';

export type Outcome = { ok: true } | { ok: false; kind: ItemErrorKind; message: string };

/** What an update's replies tell, so the contact need not be read back. */
export interface UpdateWritten {
  /** The contact's ModifiedOn after the change set; null when a reply left it unknown. */
  at: string | null;
  /** Address rows saved, with their ModifiedOn (an address save is not known to stamp the contact). */
  addresses: [string, number][];
  /** Nothing needed writing. */
  untouched: boolean;
}

const OK: Outcome = { ok: true };
const fail = (kind: ItemErrorKind, message: string): Outcome => ({ ok: false, kind, message });
const success = (s: number) => s >= 200 && s < 300;

interface Planned {
  subs: SubRequest[];
  /** Index (into `subs`) of the Contact write, when there is one. */
  contactAt: number;
}

export class Writer {
  constructor(
    private readonly http: CreatioHttp,
    private readonly reader: Reader,
    private readonly lookups: Lookups,
    private readonly names: Names,
    private readonly folderId: string,
    private readonly newId: () => string,
  ) {}

  // ---- lookups the writes need ----

  private async prepareLookups(
    contacts: { contact: CreateItem['contact']; fields: readonly Field[] | null }[],
  ) {
    const has = (fields: readonly Field[] | null, f: Field) => fields === null || fields.includes(f);
    const places: Place[] = [];
    const withAddresses = contacts.filter(
      (c) => has(c.fields, 'addresses') && c.contact.addresses.length > 0,
    );
    for (const c of withAddresses)
      for (const a of c.contact.addresses)
        places.push({ city: a.city, region: a.region, country: a.country });
    await this.lookups.ensure(
      {
        Account: contacts.filter((c) => has(c.fields, 'company')).map((c) => c.contact.company),
        Department: contacts.filter((c) => has(c.fields, 'department')).map((c) => c.contact.department),
        places,
      },
      withAddresses.length > 0,
    );
  }

  /** Lookup ids for one contact, or the reason it cannot be written. */
  private resolve(
    contact: CreateItem['contact'],
    fields: readonly Field[] | null,
  ): { accountId: string | null; departmentId: string | null; addresses: ResolvedAddress[] } | string {
    const has = (f: Field) => fields === null || fields.includes(f);
    if (has('company') && this.lookups.unavailable('Account', contact.company))
      return 'the account could not be created';
    if (has('department') && this.lookups.unavailable('Department', contact.department))
      return 'the department could not be created';
    const addresses: ResolvedAddress[] = [];
    if (has('addresses'))
      for (const a of contact.addresses) {
        const place = this.lookups.place(a);
        if (
          (a.city !== '' && place.cityId === null) ||
          (a.region !== '' && place.regionId === null) ||
          (a.country !== '' && place.countryId === null)
        )
          return 'a city, region or country could not be created';
        addresses.push({ address: a, typeId: this.lookups.addressTypeId(a.type), ...place });
      }
    return {
      accountId: has('company') ? this.lookups.idOf('Account', contact.company) : null,
      departmentId: has('department') ? this.lookups.idOf('Department', contact.department) : null,
      addresses,
    };
  }

  private rowSubs(ops: RowOp[], group: string): SubRequest[] {
    return ops.map((o) =>
      o.op === 'post'
        ? { method: 'POST', url: o.set, body: { Id: o.id, ...o.body }, group }
        : o.op === 'patch'
          ? { method: 'PATCH', url: entityUrl(o.set, o.id), body: o.body, group, representation: true }
          : { method: 'DELETE', url: entityUrl(o.set, o.id), group },
    );
  }

  // ---- create ----

  /** Creates each contact with its rows and its membership, in one change set per contact. */
  async create(items: CreateItem[]): Promise<{
    outcomes: Map<string, Outcome>;
    ids: Map<string, string>;
    /**
     * What each contact was left as, by id, when the replies say it (else it must be read): its
     * ModifiedOn, and whether rows beside the mirrored ones were written.
     */
    written: Map<string, { at: string; rows: boolean }>;
  }> {
    const written = new Map<string, { at: string; rows: boolean }>();
    const rowsOf = new Map<string, boolean>();
    const outcomes = new Map<string, Outcome>();
    const ids = new Map<string, string>();
    for (const item of items) {
      if (item.id !== null && !isGuid(item.id))
        outcomes.set(item.key, fail('validation', 'the preassigned id is not a GUID'));
      else ids.set(item.key, (item.id ?? this.newId()).toLowerCase());
    }
    const todo = items.filter((i) => ids.has(i.key));
    await this.prepareLookups(todo.map((i) => ({ contact: normalizeContact(i.contact), fields: null })));

    const planned = new Map<string, Planned>();
    for (const [n, item] of todo.entries()) {
      const id = ids.get(item.key)!;
      const contact = normalizeContact(item.contact);
      const r = this.resolve(contact, null);
      if (typeof r === 'string') {
        outcomes.set(item.key, fail('failed', r));
        continue;
      }
      const group = `c${n}`;
      const plan = createPlan(contact, r.addresses, id, this.newId);
      rowsOf.set(item.key, plan.ops.length > 0 || r.addresses.length > 0);
      planned.set(item.key, {
        contactAt: 0,
        subs: [
          {
            method: 'POST',
            url: 'Contact',
            body: { Id: id, ...contactBody(contact, null, r), ...plan.flat },
            group,
          },
          ...this.rowSubs(plan.ops, group),
          {
            method: 'POST',
            url: 'ContactInFolder',
            body: { Id: this.newId(), FolderId: this.folderId, ContactId: id },
            group,
          },
        ],
      });
    }
    const replies = await this.run(planned, 'creates');
    const maybeOurs: string[] = [];
    for (const [key, p] of planned) {
      const got = replies.get(key)!;
      if (got.every((r) => success(r.status))) {
        outcomes.set(key, OK);
        // The membership insert (last) does not touch the Contact; every other row save sets its
        // ModifiedOn (reference §6.2), so the latest of them is the version the contact is left at.
        const at = latestModifiedOn(got.slice(0, -1));
        if (at !== null) written.set(ids.get(key)!, { at, rows: rowsOf.get(key)! });
      }
      // The contact's own insert failed: a repeated create meets the Id it inserted before.
      else if (got[p.contactAt]!.status >= 500) maybeOurs.push(key);
      else outcomes.set(key, outcomeOf(got, 'create'));
    }
    if (maybeOurs.length > 0) {
      const { bundles } = await this.reader.bundles(maybeOurs.map((k) => ids.get(k)!));
      const found = maybeOurs.filter((k) => bundles.has(ids.get(k)!));
      for (const k of found) written.delete(ids.get(k)!);
      await this.ensureMembership(found.map((k) => ids.get(k)!));
      for (const k of maybeOurs)
        outcomes.set(k, found.includes(k) ? OK : outcomeOf(replies.get(k)!, 'create'));
    }
    return { outcomes, ids, written };
  }

  /** Adds a membership row for each contact that has none in the group. */
  private async ensureMembership(contactIds: string[]): Promise<void> {
    if (contactIds.length === 0) return;
    const rows = await this.reader.membershipRows(contactIds);
    const present = new Set(rows.map((r) => r.ContactId));
    const missing = contactIds.filter((id) => !present.has(id));
    if (missing.length > 0) await this.addMembers(missing);
  }

  // ---- update ----

  async update(
    items: UpdateItem[],
  ): Promise<{ outcomes: Map<string, Outcome>; written: Map<string, UpdateWritten> }> {
    const outcomes = new Map<string, Outcome>();
    const written = new Map<string, UpdateWritten>();
    const valid = items.filter((i) => {
      if (isGuid(i.id)) return true;
      outcomes.set(i.id, fail('validation', 'the id is not a GUID'));
      return false;
    });
    await this.prepareLookups(valid.map((i) => ({ contact: normalizeContact(i.contact), fields: i.fields })));
    const retry: UpdateItem[] = [];
    const first = await this.updateOnce(valid, false, outcomes, written);
    for (const [item, outcome] of first) {
      if (outcome === 'again') retry.push(item);
      else outcomes.set(item.id, outcome);
    }
    // Rows we knew have changed under us (deleted, or our earlier write already applied): read them
    // now and diff again, once.
    if (retry.length > 0)
      for (const [item, outcome] of await this.updateOnce(retry, true, outcomes, written))
        outcomes.set(
          item.id,
          outcome === 'again' ? fail('failed', 'the rows changed while they were written') : outcome,
        );
    return { outcomes, written };
  }

  private async updateOnce(
    items: UpdateItem[],
    fresh: boolean,
    outcomes: Map<string, Outcome>,
    written: Map<string, UpdateWritten>,
  ): Promise<Map<UpdateItem, Outcome | 'again'>> {
    const out = new Map<UpdateItem, Outcome | 'again'>();
    const rowFields: readonly Field[] = ['emails', 'phones', 'addresses'];
    const extras = new Map<string, Extra>();
    const needRead = items.filter((i) => {
      if (!i.fields.some((f) => rowFields.includes(f))) return false;
      const x = fresh ? null : decodeExtra(i.extra);
      if (x) extras.set(i.id, x);
      return x === null;
    });
    if (needRead.length > 0) {
      const { bundles, missing } = await this.reader.bundles(needRead.map((i) => i.id));
      for (const [id, b] of bundles) extras.set(id, toCanonical(b, this.names).extra);
      for (const id of missing) outcomes.set(id, fail('not-found', 'the contact no longer exists'));
    }
    const planned = new Map<string, Planned>();
    const byKey = new Map<string, UpdateItem>();
    for (const [n, item] of items.entries()) {
      const id = guid(item.id);
      if (outcomes.get(item.id)?.ok === false) continue;
      const contact = normalizeContact(item.contact);
      const r = this.resolve(contact, item.fields);
      if (typeof r === 'string') {
        out.set(item, fail('failed', r));
        continue;
      }
      const group = `u${n}`;
      const x = extras.get(item.id) ?? { e: [], p: [], a: [] };
      const ops: RowOp[] = [];
      if (item.fields.includes('emails')) ops.push(...emailOps(x.e, contact.emails, id, this.newId));
      if (item.fields.includes('phones')) ops.push(...phoneOps(x.p, contact.phones, id, this.newId));
      if (item.fields.includes('addresses'))
        ops.push(...addressOps(x.a, r.addresses, id, this.newId, (t) => this.names.addressType(t)));
      const body = contactBody(contact, item.fields, r);
      const subs: SubRequest[] = [];
      if (Object.keys(body).length > 0)
        subs.push({ method: 'PATCH', url: entityUrl('Contact', id), body, group, representation: true });
      subs.push(...this.rowSubs(ops, group));
      if (subs.length === 0) {
        out.set(item, OK);
        written.set(id, { at: null, addresses: [], untouched: true });
      } else {
        planned.set(id, { subs, contactAt: Object.keys(body).length > 0 ? 0 : -1 });
        byKey.set(id, item);
      }
    }
    const replies = await this.run(planned, 'updates');
    for (const [id, p] of planned) {
      const item = byKey.get(id)!;
      const got = replies.get(id)!;
      if (got.every((r) => success(r.status))) {
        out.set(item, OK);
        written.set(id, whatWasWritten(p.subs, got));
      } else if (p.contactAt === 0 && got[0]!.status === 404)
        out.set(item, fail('not-found', 'the contact no longer exists'));
      else if (got.some((r) => r.status === 400)) out.set(item, outcomeOf(got, 'update'));
      else out.set(item, fresh ? outcomeOf(got, 'update') : 'again');
    }
    return out;
  }

  // ---- membership ----

  /** Inserts one membership row per contact; returns the outcome and the new row id per contact. */
  async addMembers(contactIds: string[]): Promise<Map<string, { outcome: Outcome; rowId: string }>> {
    const subs: SubRequest[] = contactIds.map((c) => ({
      method: 'POST',
      url: 'ContactInFolder',
      body: { Id: this.newId(), FolderId: this.folderId, ContactId: guid(c) },
    }));
    const replies = await this.http.batch(subs, 'group additions');
    const out = new Map<string, { outcome: Outcome; rowId: string }>();
    const doubtful: string[] = [];
    contactIds.forEach((c, i) => {
      const r = replies[i]!;
      const rowId = subs[i]!.body!.Id as string;
      if (success(r.status) || isDuplicateKey(r.status, r.body)) out.set(c, { outcome: OK, rowId });
      else {
        doubtful.push(c);
        out.set(c, { outcome: outcomeOf([r], 'group addition'), rowId });
      }
    });
    // A membership of a contact that no longer exists fails on its foreign key (a 500): say not-found.
    if (doubtful.length > 0) {
      const { missing } = await this.reader.bundles(doubtful);
      for (const c of missing)
        out.set(c, { outcome: fail('not-found', 'the contact no longer exists'), rowId: '' });
    }
    return out;
  }

  /**
   * Deletes every membership row of each contact in the group, duplicates included: the rows we know
   * from the listing, then, in the same batch, a read of what is left (a duplicate added since, or a
   * contact that joined after the listing), deleted in a further round.
   */
  async removeMembers(contactIds: string[], known: Map<string, string[]>): Promise<Map<string, Outcome>> {
    const out = new Map<string, Outcome>(contactIds.map((c) => [c, OK]));
    let rows = contactIds.flatMap((c) => (known.get(c) ?? []).map((Id) => ({ Id, ContactId: c })));
    const checks = this.reader.membershipQueries(contactIds.map((c) => guid(c)));
    for (let round = 0; round < 3; round++) {
      const subs: SubRequest[] = [
        ...rows.map((r) => ({ method: 'DELETE' as const, url: entityUrl('ContactInFolder', r.Id) })),
        ...checks.map((url) => ({ method: 'GET' as const, url })),
      ];
      const replies = await this.http.batch(subs, 'group removals');
      rows.forEach((r, i) => {
        const s = replies[i]!.status;
        // Gone already is the goal reached.
        if (!success(s) && s !== 404) out.set(r.ContactId, outcomeOf([replies[i]!], 'group removal'));
      });
      const left = this.reader.parseMembershipReplies(replies.slice(rows.length));
      const failed = new Set(rows.filter((r) => out.get(r.ContactId)?.ok === false).map((r) => r.Id));
      rows = left.filter((r) => !failed.has(r.Id) && r.ContactId !== null) as {
        Id: string;
        ContactId: string;
      }[];
      if (rows.length === 0) return out;
    }
    for (const r of rows) out.set(r.ContactId, fail('failed', 'membership rows kept reappearing'));
    return out;
  }

  private async run(planned: Map<string, Planned>, what: string): Promise<Map<string, SubReply[]>> {
    const keys = [...planned.keys()];
    const subs = keys.flatMap((k) => planned.get(k)!.subs);
    const replies = subs.length > 0 ? await this.http.batch(subs, what) : [];
    const out = new Map<string, SubReply[]>();
    let at = 0;
    for (const k of keys) {
      const n = planned.get(k)!.subs.length;
      out.set(k, replies.slice(at, at + n));
      at += n;
    }
    return out;
  }
}

/** The latest ModifiedOn among write replies that echo their row, in the form a GET gives it. */
function latestModifiedOn(replies: SubReply[]): string | null {
  let latest: number | null = null;
  for (const r of replies) {
    const m = (r.body as { ModifiedOn?: unknown } | null)?.ModifiedOn;
    const at = typeof m === 'string' ? Date.parse(m) : NaN;
    if (!Number.isNaN(at) && (latest === null || at > latest)) latest = at;
  }
  return latest === null ? null : new Date(latest).toISOString();
}

/**
 * The contact's ModifiedOn after a change set, from the replies that echo a row: the Contact and each
 * communication row save stamp the contact (reference §6.2), so the latest of them is its version,
 * unless a later one (a DELETE, or a 204 from a server that ignores `return=representation`) left
 * the stamp unknown.
 */
function whatWasWritten(subs: SubRequest[], got: SubReply[]): UpdateWritten {
  let at: number | null = null;
  let open = false;
  const addresses: [string, number][] = [];
  subs.forEach((s, i) => {
    const body = got[i]!.body as { ModifiedOn?: unknown; Id?: unknown } | null | undefined;
    const t = typeof body?.ModifiedOn === 'string' ? Date.parse(body.ModifiedOn) : NaN;
    if (s.url.startsWith('ContactAddress')) {
      if (!Number.isNaN(t) && typeof body?.Id === 'string') addresses.push([body.Id.toLowerCase(), t]);
      return;
    }
    if (Number.isNaN(t)) open = true;
    else if (at === null || t >= at) {
      at = t;
      open = false;
    }
  });
  return { at: open || at === null ? null : new Date(at).toISOString(), addresses, untouched: false };
}

/** The first real failure of an item (424 only says a sibling in the change set failed). */
function outcomeOf(replies: SubReply[], what: string): Outcome {
  const bad =
    replies.find((r) => !success(r.status) && r.status !== 424) ?? replies.find((r) => !success(r.status));
  const status = bad?.status ?? 0;
  return fail(itemErrorKind(status), `Creatio answered ${status || 'nothing'} to a ${what}`);
}
