// Contact ↔ canonical contact, pure. The table of rules is in docs/contact-model.md ("Creatio").
// Reading orders list items the way writing leaves them (Position, the primary email first), so a
// contact we wrote reads back equal and our own echo is never taken for an edit.
import { z } from 'zod';
import type {
  Address,
  AddressType,
  Contact,
  Email,
  EmailType,
  Field,
  Phone,
  PhoneType,
} from '../../sync/index.js';
import { EMAIL_TYPES, cleanText, emailKey, normalizeContact, phoneKey } from '../../sync/index.js';
import { COMMUNICATION_TYPE, EMPTY_DATE, NO_YEAR, PHONE_TYPE_BY_ID, PHONE_TYPE_ID } from './constants.js';
import type { AddressRow, CommunicationRow, ContactRow } from './wire.js';
import { isEmptyDate } from './wire.js';
import { flat } from '../../flat.js';

/** Names of the lookup values a contact points at, resolved by the caller (lookups.ts). */
export interface Names {
  account(id: string | null): string;
  department(id: string | null): string;
  city(id: string | null): string;
  region(id: string | null): string;
  country(id: string | null): string;
  addressType(id: string | null): AddressType;
}

export interface Bundle {
  contact: ContactRow;
  communications: CommunicationRow[];
  addresses: AddressRow[];
}

// ---- extra: the row ids and values last seen, so an update can diff without reading again ----

// Row ids come back from storage and go into URLs: anything but a GUID makes the extra unreadable.
const gid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
const extraSchema = z.object({
  /** [row id, address, ExternalCommunicationType, primary 0|1, Position] */
  e: z.array(z.tuple([gid, z.string(), z.string(), z.number(), z.number()])),
  /** [row id, number, CommunicationTypeId, Position] */
  p: z.array(z.tuple([gid, z.string(), gid, z.number()])),
  /** [row id, AddressTypeId, street, zip, CityId, RegionId, CountryId, primary 0|1] */
  a: z.array(
    z.tuple([
      gid,
      gid.nullable(),
      z.string(),
      z.string(),
      gid.nullable(),
      gid.nullable(),
      gid.nullable(),
      z.number(),
    ]),
  ),
});
export type Extra = z.infer<typeof extraSchema>;
export type ExtraEmail = Extra['e'][number];
export type ExtraPhone = Extra['p'][number];
export type ExtraAddress = Extra['a'][number];

export const encodeExtra = (x: Extra): string => flat(JSON.stringify(x));

/** Our own data coming back through storage: anything unreadable means "unknown, read again". */
export function decodeExtra(s: string | null | undefined): Extra | null {
  if (!s) return null;
  try {
    const r = extraSchema.safeParse(JSON.parse(s));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

// ---- reading ----

const byPositionThenAge = (
  a: { Position?: number; CreatedOn: string; Id: string },
  b: { Position?: number; CreatedOn: string; Id: string },
) =>
  (a.Position ?? 0) - (b.Position ?? 0) ||
  Date.parse(a.CreatedOn) - Date.parse(b.CreatedOn) ||
  a.Id.localeCompare(b.Id);

/**
 * Phone types Creatio mirrors from a flat Contact column (reference §6.2). Rows Creatio mirrors all
 * have Position 0 and are saved in one Contact save, in an order the reference does not give, so
 * reading breaks a Position tie by this order before age: what we wrote through the columns in this
 * order reads back in it.
 */
export const FLAT_PHONES: readonly { type: PhoneType; column: 'Phone' | 'MobilePhone' | 'HomePhone' }[] = [
  { type: 'work', column: 'Phone' },
  { type: 'mobile', column: 'MobilePhone' },
  { type: 'home', column: 'HomePhone' },
];
const flatRank = (typeId: string | null): number => {
  const t = typeId === null ? undefined : PHONE_TYPE_BY_ID.get(typeId);
  const i = FLAT_PHONES.findIndex((f) => PHONE_TYPE_ID[f.type] === typeId && f.type === t);
  return i < 0 ? FLAT_PHONES.length : i;
};
const byPhoneOrder = (x: CommunicationRow, y: CommunicationRow) =>
  (x.Position ?? 0) - (y.Position ?? 0) ||
  flatRank(x.CommunicationTypeId) - flatRank(y.CommunicationTypeId) ||
  byPositionThenAge(x, y);

/** Creatio keeps no email kind of its own; the canonical one lives in ExternalCommunicationType. */
export function emailTypeOf(external: string): EmailType {
  const t = cleanText(external).toLowerCase();
  if (t === '') return 'work';
  return (EMAIL_TYPES as readonly string[]).includes(t) ? (t as EmailType) : 'other';
}

export function birthdayOf(birthDate: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthDate ?? '');
  // Creatio shows an empty date as 0001-01-01: nobody's birthday.
  if (!m || isEmptyDate(birthDate!)) return '';
  return m[1] === NO_YEAR ? `--${m[2]}-${m[3]}` : `${m[1]}-${m[2]}-${m[3]}`;
}

export function toCanonical(b: Bundle, names: Names): { contact: Contact; extra: Extra } {
  const c = b.contact;
  const primaryEmail = emailKey(c.Email);
  const isPrimary = (r: CommunicationRow) => primaryEmail !== '' && emailKey(r.Number) === primaryEmail;
  const emailRows = b.communications
    .filter((r) => r.CommunicationTypeId === COMMUNICATION_TYPE.Email && cleanText(r.Number) !== '')
    .sort((x, y) => Number(isPrimary(y)) - Number(isPrimary(x)) || byPositionThenAge(x, y));
  const phoneRows = b.communications
    .filter((r) => r.CommunicationTypeId !== null && PHONE_TYPE_BY_ID.has(r.CommunicationTypeId))
    .filter((r) => cleanText(r.Number) !== '')
    .sort(byPhoneOrder);
  const addressRows = [...b.addresses].sort(
    (x, y) => Number(y.Primary) - Number(x.Primary) || byPositionThenAge(x, y),
  );

  const contact: Contact = namePartsOf(
    normalizeContact({
      givenName: c.GivenName,
      familyName: c.Surname,
      middleName: c.MiddleName,
      emails: emailRows.map((r) => ({ address: r.Number, type: emailTypeOf(r.ExternalCommunicationType) })),
      phones: phoneRows.map((r) => ({
        number: r.Number,
        type: PHONE_TYPE_BY_ID.get(r.CommunicationTypeId!)!,
      })),
      company: names.account(c.AccountId),
      jobTitle: c.JobTitle,
      department: names.department(c.DepartmentId),
      addresses: addressRows.map((r) => ({
        type: names.addressType(r.AddressTypeId),
        street: r.Address,
        city: names.city(r.CityId),
        region: names.region(r.RegionId),
        postalCode: r.Zip,
        country: names.country(r.CountryId),
      })),
      birthday: birthdayOf(c.BirthDate),
      notes: c.Notes,
    }),
  );
  const extra: Extra = {
    e: emailRows.map((r) => [r.Id, r.Number, r.ExternalCommunicationType, isPrimary(r) ? 1 : 0, r.Position]),
    p: phoneRows.map((r) => [r.Id, r.Number, r.CommunicationTypeId!, r.Position]),
    a: addressRows.map((r) => [
      r.Id,
      r.AddressTypeId,
      r.Address,
      r.Zip,
      r.CityId,
      r.RegionId,
      r.CountryId,
      r.Primary ? 1 : 0,
    ]),
  };
  return { contact, extra };
}

// ---- writing the Contact row ----

const NAME_FIELDS: readonly Field[] = ['givenName', 'middleName', 'familyName'];

/** Creatio's default ContactFieldConverter order; sending Name with the parts stops a re-split. */
export function fullName(c: Contact): string {
  const joined = [c.givenName, c.middleName, c.familyName].filter((p) => p !== '').join(' ');
  return joined !== '' ? joined : nameless(c);
}

/**
 * Creatio needs a Name. A contact without one gets its email (else phone, else company): text that is
 * no person's name, so that the parts Creatio splits from it can be told from a name (namePartsOf).
 */
function nameless(c: Contact): string {
  return c.emails[0]?.address || c.phones[0]?.number || c.company;
}

const words = (s: string): string =>
  s
    .toLowerCase()
    .split(' ')
    .filter((w) => w !== '')
    .sort()
    .join(' ');

/**
 * Creatio splits a Name saved without its parts into GivenName/MiddleName/Surname (in the order its
 * ContactFieldConverter setting says): parts that only spell what fullName wrote for a nameless
 * contact are no name, or every contact created without one would come back named after its email.
 */
export function namePartsOf(c: Contact): Contact {
  const parts = words([c.givenName, c.middleName, c.familyName].join(' '));
  if (parts === '' || parts !== words(nameless(c))) return c;
  return { ...c, givenName: '', middleName: '', familyName: '' };
}

/** A Date column is shown and taken as a date-time at midnight UTC; empty is Creatio's own empty date. */
export function birthDateOf(birthday: string): string {
  if (birthday === '') return EMPTY_DATE;
  return `${birthday.startsWith('--') ? `${NO_YEAR}${birthday.slice(1)}` : birthday}T00:00:00Z`;
}

/**
 * Contact columns for the named fields (all of them when `fields` is null, for a create). Emails and
 * phones are never written through the flat Email/Phone columns: their rows carry them.
 */
export function contactBody(
  c: Contact,
  fields: readonly Field[] | null,
  ids: { accountId: string | null; departmentId: string | null },
): Record<string, unknown> {
  const has = (f: Field) => fields === null || fields.includes(f);
  const body: Record<string, unknown> = {};
  if (NAME_FIELDS.some(has)) {
    body.GivenName = c.givenName;
    body.MiddleName = c.middleName;
    body.Surname = c.familyName;
    body.Name = fullName(c);
  }
  if (has('company')) body.AccountId = ids.accountId;
  if (has('department')) body.DepartmentId = ids.departmentId;
  if (has('jobTitle')) body.JobTitle = c.jobTitle;
  if (has('birthday')) body.BirthDate = birthDateOf(c.birthday);
  if (has('notes')) body.Notes = c.notes;
  return body;
}

// ---- row diffs ----

export type RowSet = 'ContactCommunication' | 'ContactAddress';
export type RowOp =
  | { op: 'post'; set: RowSet; id: string; body: Record<string, unknown> }
  | { op: 'patch'; set: RowSet; id: string; body: Record<string, unknown> }
  | { op: 'delete'; set: RowSet; id: string };

/** Pairs desired items with current rows: same key first, then (for edits) a leftover row `alike`. */
function pair<R, D>(
  rows: readonly R[],
  desired: readonly D[],
  rowKey: (r: R) => string,
  wantKey: (d: D) => string,
  alike: (r: R, d: D) => boolean,
): { matched: (R | undefined)[]; exact: boolean[]; leftover: R[] } {
  const used = new Set<number>();
  const matched: (R | undefined)[] = desired.map(() => undefined);
  const exact = desired.map(() => false);
  desired.forEach((d, i) => {
    const j = rows.findIndex((r, k) => !used.has(k) && rowKey(r) === wantKey(d));
    if (j >= 0) {
      used.add(j);
      matched[i] = rows[j];
      exact[i] = true;
    }
  });
  desired.forEach((d, i) => {
    if (matched[i] !== undefined) return;
    const j = rows.findIndex((r, k) => !used.has(k) && alike(r, d));
    if (j >= 0) {
      used.add(j);
      matched[i] = rows[j];
    }
  });
  return { matched, exact, leftover: rows.filter((_, k) => !used.has(k)) };
}

/** Deletes first, then edits, then inserts in reverse so the first item is saved last and is primary. */
const ordered = (ops: RowOp[]): RowOp[] => [
  ...ops.filter((o) => o.op === 'delete'),
  ...ops.filter((o) => o.op === 'patch'),
  ...ops.filter((o) => o.op === 'post').reverse(),
];

export function emailOps(
  rows: readonly ExtraEmail[],
  desired: readonly Email[],
  contactId: string,
  newId: () => string,
): RowOp[] {
  const set = 'ContactCommunication';
  const { matched, leftover } = pair(
    rows,
    desired,
    (r) => emailKey(r[1]),
    (d) => emailKey(d.address),
    () => true,
  );
  const ops: RowOp[] = leftover.map((r) => ({ op: 'delete', set, id: r[0] }));
  const posts: { i: number; d: Email }[] = [];
  desired.forEach((d, i) => {
    const r = matched[i];
    if (r === undefined) return posts.push({ i, d });
    const body: Record<string, unknown> = {};
    if (emailKey(r[1]) !== emailKey(d.address)) body.Number = d.address;
    if (emailTypeOf(r[2]) !== d.type) body.ExternalCommunicationType = d.type;
    if (r[4] !== i) body.Position = i;
    if (Object.keys(body).length > 0) ops.push({ op: 'patch', set, id: r[0], body });
  });
  // Creatio makes the row saved last the primary one (and the flat Email). The first email must end
  // up primary: when it is not already, or when other rows are inserted after it, it is re-inserted.
  const first = matched[0];
  if (desired.length > 0 && first !== undefined && (first[3] !== 1 || posts.length > 0)) {
    ops.push({ op: 'delete', set, id: first[0] });
    posts.unshift({ i: 0, d: desired[0]! });
  }
  for (const { i, d } of posts)
    ops.push({
      op: 'post',
      set,
      id: newId(),
      body: {
        ContactId: contactId,
        CommunicationTypeId: COMMUNICATION_TYPE.Email,
        Number: d.address,
        ExternalCommunicationType: d.type,
        Position: i,
      },
    });
  return ordered(dropPatchesOfDeleted(ops));
}

export function phoneOps(
  rows: readonly ExtraPhone[],
  desired: readonly Phone[],
  contactId: string,
  newId: () => string,
): RowOp[] {
  const set = 'ContactCommunication';
  const typeOf = (r: ExtraPhone): PhoneType => PHONE_TYPE_BY_ID.get(r[2]) ?? 'other';
  const { matched, leftover } = pair(
    rows,
    desired,
    (r) => phoneKey(r[1]),
    (d) => phoneKey(d.number),
    (r, d) => typeOf(r) === d.type,
  );
  const ops: RowOp[] = leftover.map((r) => ({ op: 'delete', set, id: r[0] }));
  desired.forEach((d, i) => {
    const r = matched[i];
    if (r === undefined) {
      ops.push({
        op: 'post',
        set,
        id: newId(),
        body: {
          ContactId: contactId,
          CommunicationTypeId: PHONE_TYPE_ID[d.type],
          Number: d.number,
          Position: i,
        },
      });
      return;
    }
    const body: Record<string, unknown> = {};
    if (phoneKey(r[1]) !== phoneKey(d.number)) body.Number = d.number;
    if (typeOf(r) !== d.type) body.CommunicationTypeId = PHONE_TYPE_ID[d.type];
    if (r[3] !== i) body.Position = i;
    if (Object.keys(body).length > 0) ops.push({ op: 'patch', set, id: r[0], body });
  });
  return ordered(ops);
}

/** A canonical address with its lookups resolved to ids. */
export interface ResolvedAddress {
  address: Address;
  typeId: string | null;
  cityId: string | null;
  regionId: string | null;
  countryId: string | null;
}

export function addressOps(
  rows: readonly ExtraAddress[],
  desired: readonly ResolvedAddress[],
  contactId: string,
  newId: () => string,
  typeOf: (typeId: string | null) => AddressType,
): RowOp[] {
  const set = 'ContactAddress';
  const low = (s: string) => cleanText(s).toLowerCase();
  const rowKey = (r: ExtraAddress) => [typeOf(r[1]), low(r[2]), low(r[3]), r[4], r[5], r[6]].join('|');
  const wantKey = (d: ResolvedAddress) =>
    [
      d.address.type,
      low(d.address.street),
      low(d.address.postalCode),
      d.cityId,
      d.regionId,
      d.countryId,
    ].join('|');
  const { matched, leftover } = pair(
    rows,
    desired,
    rowKey,
    wantKey,
    (r, d) => typeOf(r[1]) === d.address.type,
  );
  const ops: RowOp[] = leftover.map((r) => ({ op: 'delete', set, id: r[0] }));
  desired.forEach((d, i) => {
    const r = matched[i];
    const primary = i === 0;
    if (r === undefined) {
      ops.push({
        op: 'post',
        set,
        id: newId(),
        body: {
          ContactId: contactId,
          AddressTypeId: d.typeId,
          Address: d.address.street,
          Zip: d.address.postalCode,
          CityId: d.cityId,
          RegionId: d.regionId,
          CountryId: d.countryId,
          Primary: primary,
        },
      });
      return;
    }
    const body: Record<string, unknown> = {};
    if (typeOf(r[1]) !== d.address.type) body.AddressTypeId = d.typeId;
    if (low(r[2]) !== low(d.address.street)) body.Address = d.address.street;
    if (low(r[3]) !== low(d.address.postalCode)) body.Zip = d.address.postalCode;
    if (r[4] !== d.cityId) body.CityId = d.cityId;
    if (r[5] !== d.regionId) body.RegionId = d.regionId;
    if (r[6] !== d.countryId) body.CountryId = d.countryId;
    if ((r[7] === 1) !== primary) body.Primary = primary;
    if (Object.keys(body).length > 0) ops.push({ op: 'patch', set, id: r[0], body });
  });
  // Rows are read primary first, then oldest first: inserting in order keeps the order.
  return [...ops.filter((o) => o.op !== 'post'), ...ops.filter((o) => o.op === 'post')];
}

function dropPatchesOfDeleted(ops: RowOp[]): RowOp[] {
  const deleted = new Set(ops.filter((o) => o.op === 'delete').map((o) => o.id));
  return ops.filter((o) => o.op === 'delete' || !deleted.has(o.id));
}

// ---- a new contact through the flat columns ----

/**
 * A new contact split between the flat Contact columns Creatio mirrors into rows itself, unbilled
 * (reference §6.1, §6.2: a lone email, a work, a mobile and a home phone, the primary address; the
 * birthday is always flat), and the rows those columns cannot carry. A mirrored email row has no
 * ExternalCommunicationType, which reads as 'work': only a lone work email goes flat. Phones go flat
 * while they come in the order reading gives mirrored rows (work, mobile, home, each once); the rest
 * are rows placed after them. Addresses after the first are rows that are not primary.
 */
export function createPlan(
  c: Contact,
  addresses: readonly ResolvedAddress[],
  contactId: string,
  newId: () => string,
): { flat: Record<string, unknown>; ops: RowOp[] } {
  const flat: Record<string, unknown> = {};
  const ops: RowOp[] = [];
  const set = 'ContactCommunication';
  if (c.emails.length === 1 && c.emails[0]!.type === 'work') flat.Email = c.emails[0]!.address;
  else ops.push(...emailOps([], c.emails, contactId, newId));
  let rank = -1;
  c.phones.forEach((p, i) => {
    const r = FLAT_PHONES.findIndex((f) => f.type === p.type);
    if (i === Object.keys(flat).filter((k) => k !== 'Email').length && r > rank) {
      rank = r;
      flat[FLAT_PHONES[r]!.column] = p.number;
      return;
    }
    ops.push({
      op: 'post',
      set,
      id: newId(),
      body: {
        ContactId: contactId,
        CommunicationTypeId: PHONE_TYPE_ID[p.type],
        Number: p.number,
        Position: i,
      },
    });
  });
  addresses.forEach((d, i) => {
    const columns = {
      AddressTypeId: d.typeId,
      Address: d.address.street,
      Zip: d.address.postalCode,
      CityId: d.cityId,
      RegionId: d.regionId,
      CountryId: d.countryId,
    };
    if (i === 0) Object.assign(flat, columns);
    else
      ops.push({
        op: 'post',
        set: 'ContactAddress',
        id: newId(),
        body: { ContactId: contactId, ...columns, Primary: false },
      });
  });
  return { flat, ops };
}
