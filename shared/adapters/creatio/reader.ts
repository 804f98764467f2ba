// Reads: the group's member list (with each member's Contact expanded: its ModifiedOn, or its columns
// and lookup names for a full read), address rows changed since a watermark, and whole contacts by id
// (the Contact row, its communication and address rows, and the names of the lookups they point at).
import type { z } from 'zod';
import { COMMUNICATION_TYPE } from './constants.js';
import { statusError } from './errors.js';
import type { CreatioHttp, SubReply } from './http.js';
import type { Lookups } from './lookups.js';
import type { Bundle } from './mapping.js';
import { anyOf, chunkForFilter, collectionUrl, dateTime, eqGuid, guid, str } from './query.js';
import { scanAll, type ScanLimits, type ScanSpec } from './scan.js';
import {
  ADDRESS_COLUMNS,
  COMMUNICATION_COLUMNS,
  CONTACT_COLUMNS,
  addressRow,
  changeRow,
  collection,
  communicationRow,
  contactRow,
  emailHitRow,
  memberContactRow,
  memberRow,
  memberVersionRow,
  parse,
  type AddressRow,
  type ChangeRow,
  type CommunicationRow,
  type ContactRow,
  type MemberContactRow,
  type MemberRow,
  type MemberVersionRow,
} from './wire.js';

export interface ReadTuning {
  /** Most encoded characters of one `or` filter of ids or names. */
  filterBudget: number;
  limits: ScanLimits;
}

export interface Sink<T> {
  add(rows: T[]): void;
  reset(): void;
}

const expand = (e: string) => `$expand=${encodeURIComponent(e)}`;

type AnySpec = ScanSpec<z.ZodType<{ Id: string }>>;

export class Reader {
  constructor(
    private readonly http: CreatioHttp,
    private readonly folderId: string,
    private readonly tuning: ReadTuning,
    private readonly lookups: Lookups,
  ) {}

  private scan(specs: AnySpec[]): Promise<{ Id: string }[][]> {
    return scanAll(this.http, specs, this.tuning.limits);
  }

  /** Contact id → its membership row ids (duplicates included), ordered as Creatio lists them. */
  async members(): Promise<Map<string, string[]>> {
    const [rows] = (await this.scan([
      {
        set: 'ContactInFolder',
        filter: eqGuid('FolderId', this.folderId),
        select: ['Id', 'ContactId'],
        orderby: 'Id',
        row: memberRow,
        what: 'the group members',
      },
    ])) as MemberRow[][];
    const out = new Map<string, string[]>();
    for (const r of rows!) {
      if (r.ContactId === null) continue;
      out.set(r.ContactId, [...(out.get(r.ContactId) ?? []), r.Id]);
    }
    return out;
  }

  /** The member list, page by page, each row with its Contact's ModifiedOn. */
  async memberVersions(sink: Sink<MemberVersionRow>): Promise<void> {
    await this.scan([
      {
        set: 'ContactInFolder',
        filter: eqGuid('FolderId', this.folderId),
        select: ['Id', 'ContactId'],
        orderby: 'Id',
        row: memberVersionRow,
        what: 'the group members',
        extra: expand('Contact($select=Id,ModifiedOn)'),
        sink: sink as Sink<{ Id: string }>,
      },
    ]);
  }

  /**
   * The member list, page by page, each row with its Contact's columns and lookup names; `pageSize`
   * (at most the scan's) when pages must be smaller, for memory.
   */
  async memberContacts(sink: Sink<MemberContactRow>, pageSize?: number): Promise<void> {
    const named = '($select=Name)';
    const limits = this.tuning.limits;
    await scanAll(
      this.http,
      [
        {
          set: 'ContactInFolder',
          filter: eqGuid('FolderId', this.folderId),
          select: ['Id', 'ContactId'],
          orderby: 'Id',
          row: memberContactRow,
          what: 'the group members',
          extra: expand(
            `Contact($select=${CONTACT_COLUMNS.join(',')};$expand=Account${named},Department${named})`,
          ),
          sink: sink as Sink<{ Id: string }>,
        },
      ],
      { ...limits, pageSize: Math.min(limits.pageSize, pageSize ?? limits.pageSize) },
    );
  }

  /** Membership rows of these contacts, read now (a duplicate added since the listing included). */
  async membershipRows(contactIds: string[]): Promise<MemberRow[]> {
    const specs: AnySpec[] = this.byContact(contactIds).map((part) => ({
      set: 'ContactInFolder',
      filter: this.membershipFilter(part),
      select: ['Id', 'ContactId'],
      orderby: 'Id',
      row: memberRow,
      what: 'membership rows',
    }));
    return ((await this.scan(specs)) as MemberRow[][]).flat();
  }

  private membershipFilter(contactIds: string[]): string {
    return `${eqGuid('FolderId', this.folderId)} and ${anyOf('ContactId', contactIds.map(guid))}`;
  }

  /**
   * Single-page queries of the membership rows of these contacts, to travel in a batch after writes
   * (a contact has a handful of rows at most, far below one page).
   */
  membershipQueries(contactIds: string[]): string[] {
    return this.byContact(contactIds).map((part) =>
      collectionUrl('ContactInFolder', {
        filter: this.membershipFilter(part),
        select: ['Id', 'ContactId'],
        orderby: 'Id',
        top: this.tuning.limits.pageSize,
      }),
    );
  }

  parseMembershipReplies(replies: SubReply[]): MemberRow[] {
    return replies.flatMap((r) => {
      if (r.status !== 200) throw statusError(r.status === 0 ? 503 : r.status, 'membership rows');
      return parse(collection(memberRow), r.body, 'membership rows').value;
    });
  }

  /**
   * Address rows whose ModifiedOn is at or past `since`, oldest first. Contacts and their
   * communication rows need no query of their own: a communication row's save stamps its contact
   * (reference §6.2), whose ModifiedOn the member listing brings; an address row's save is not known
   * to stamp it.
   */
  async addressesChangedSince(since: number): Promise<ChangeRow[]> {
    const [rows] = (await this.scan([
      {
        set: 'ContactAddress',
        filter: `ModifiedOn ge ${dateTime(since)}`,
        select: ['Id', 'ContactId', 'ModifiedOn'],
        orderby: 'ModifiedOn,Id',
        row: changeRow,
        what: 'changes of ContactAddress',
      },
    ])) as ChangeRow[][];
    return rows!;
  }

  private byContact(ids: string[]): string[][] {
    return chunkForFilter(ids, (id) => `ContactId eq ${guid(id)}`, this.tuning.filterBudget);
  }

  /**
   * Whole contacts by id: per chunk of ids one query each for Contact, ContactCommunication and
   * ContactAddress (batched), then one round for the lookup names the cache lacks.
   */
  async bundles(ids: string[]): Promise<{ bundles: Map<string, Bundle>; missing: string[] }> {
    const unique = [...new Set(ids.map((id) => guid(id)))];
    const bundles = await this.withRows(unique, null);
    return { bundles, missing: unique.filter((id) => !bundles.has(id)) };
  }

  /** Whole contacts whose Contact row is already read (a full read's expanded members): their rows. */
  rowsOf(contacts: ContactRow[]): Promise<Map<string, Bundle>> {
    return this.withRows(
      contacts.map((c) => c.Id),
      contacts,
    );
  }

  /**
   * Per chunk of ids one query each for ContactCommunication and ContactAddress (and Contact, unless
   * its rows are `known`), batched; then one round for the lookup names the cache lacks.
   */
  private async withRows(ids: string[], known: ContactRow[] | null): Promise<Map<string, Bundle>> {
    const specs: AnySpec[] = [];
    for (const part of this.byContact(ids)) {
      const lits = part.map(guid);
      if (known === null)
        specs.push({
          set: 'Contact',
          filter: anyOf('Id', lits),
          select: CONTACT_COLUMNS,
          orderby: 'Id',
          row: contactRow,
          what: 'contacts',
        });
      specs.push(
        {
          set: 'ContactCommunication',
          filter: anyOf('ContactId', lits),
          select: COMMUNICATION_COLUMNS,
          orderby: 'Id',
          row: communicationRow,
          what: 'communications',
        },
        {
          set: 'ContactAddress',
          filter: anyOf('ContactId', lits),
          select: ADDRESS_COLUMNS,
          orderby: 'Id',
          row: addressRow,
          what: 'addresses',
        },
      );
    }
    const results = await this.scan(specs);
    const bundles = new Map<string, Bundle>();
    for (const c of known ?? []) bundles.set(c.Id, { contact: c, communications: [], addresses: [] });
    const stride = known === null ? 3 : 2;
    for (let i = 0; i < results.length; i += stride) {
      if (known === null)
        for (const c of results[i] as ContactRow[])
          bundles.set(c.Id, { contact: c, communications: [], addresses: [] });
      const at = i + stride - 2;
      for (const r of results[at] as CommunicationRow[])
        if (r.ContactId !== null) bundles.get(r.ContactId)?.communications.push(r);
      for (const r of results[at + 1] as AddressRow[])
        if (r.ContactId !== null) bundles.get(r.ContactId)?.addresses.push(r);
    }
    const all = [...bundles.values()];
    const addresses = all.flatMap((b) => b.addresses);
    await this.lookups.loadNames(
      {
        Account: all.map((b) => b.contact.AccountId),
        Department: all.map((b) => b.contact.DepartmentId),
        City: addresses.map((a) => a.CityId),
        Region: addresses.map((a) => a.RegionId),
        Country: addresses.map((a) => a.CountryId),
      },
      addresses.length > 0,
    );
    return bundles;
  }

  /** Ids of contacts that have an email row whose Number equals one of `emails`. */
  async contactsWithEmails(emails: string[]): Promise<string[]> {
    const specs: AnySpec[] = chunkForFilter(
      [...new Set(emails)],
      (e) => `Number eq ${str(e)}`,
      this.tuning.filterBudget,
    ).map((part) => ({
      set: 'ContactCommunication',
      filter: `CommunicationTypeId eq ${guid(COMMUNICATION_TYPE.Email)} and ${anyOf('Number', part.map(str))}`,
      select: ['Id', 'ContactId', 'Number'],
      orderby: 'Id',
      row: emailHitRow,
      what: 'contacts by email',
    }));
    const rows = (await this.scan(specs)).flat() as z.infer<typeof emailHitRow>[];
    return [...new Set(rows.flatMap((r) => (r.ContactId === null ? [] : [r.ContactId])))];
  }
}
