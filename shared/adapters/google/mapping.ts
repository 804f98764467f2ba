// Person ↔ canonical contact, both ways, pure. The rules are tabled in docs/contact-model.md.
// Reading also collects what we do not map (extras.ts) so that writing can give it back.
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
import { addressKey, cleanText, emailKey, normalizeContact, phoneKey } from '../../sync/index.js';
import type { Extra } from './extras.js';
import type { Person } from './schemas.js';

/** The clientData key carrying the CRM id of a contact we created. */
export const MARKER_KEY = 'contactSync.crmId';

/** Read on every listing page, fetch and search: the same mask everywhere. */
export const PERSON_FIELDS =
  'names,emailAddresses,phoneNumbers,organizations,addresses,birthdays,biographies,memberships,clientData,metadata';

export type WritableField =
  'names' | 'emailAddresses' | 'phoneNumbers' | 'organizations' | 'addresses' | 'birthdays' | 'biographies';

export const PERSON_FIELD_OF: Record<Field, WritableField> = {
  givenName: 'names',
  familyName: 'names',
  middleName: 'names',
  emails: 'emailAddresses',
  phones: 'phoneNumbers',
  company: 'organizations',
  jobTitle: 'organizations',
  department: 'organizations',
  addresses: 'addresses',
  birthday: 'birthdays',
  notes: 'biographies',
};

const WRITABLE_ORDER: readonly WritableField[] = [
  'names',
  'emailAddresses',
  'phoneNumbers',
  'organizations',
  'addresses',
  'birthdays',
  'biographies',
];

/** The Person fields holding these canonical fields, in a fixed order (the update mask). */
export function personFieldsOf(fields: readonly Field[]): WritableField[] {
  const wanted = new Set(fields.map((f) => PERSON_FIELD_OF[f]));
  return WRITABLE_ORDER.filter((f) => wanted.has(f));
}

type Item = Record<string, unknown>;
export type PersonBody = Partial<Record<WritableField, Item[]>>;

const str = (item: Item | undefined, key: string): string => {
  const v = item?.[key];
  return typeof v === 'string' ? v : '';
};

/** The primary item first, the rest in Google's order. */
function primaryFirst<T extends Item>(items: readonly T[] | undefined): T[] {
  const list = [...(items ?? [])];
  const isPrimary = (i: Item) => (i.metadata as { primary?: boolean } | undefined)?.primary === true;
  return [...list.filter(isPrimary), ...list.filter((i) => !isPrimary(i))];
}

const first = <T extends Item>(items: readonly T[] | undefined): T | undefined => primaryFirst(items)[0];

/** A copy without Google's computed or per-source output. */
function plain(item: Item, drop: readonly string[] = []): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === 'metadata' || k === 'formattedType' || drop.includes(k)) continue;
    if (v === undefined || v === '') continue;
    out[k] = v;
  }
  return out;
}

// ---- types ----

export function emailTypeOf(googleType: string): EmailType {
  return googleType === 'work' || googleType === 'home' ? googleType : 'other';
}

const PHONE_TYPE: Record<string, PhoneType> = {
  mobile: 'mobile',
  work: 'work',
  workMobile: 'work',
  pager: 'work',
  workPager: 'work',
  home: 'home',
  main: 'main',
  googleVoice: 'main',
  homeFax: 'fax',
  workFax: 'fax',
  otherFax: 'fax',
  other: 'other',
};

export const phoneTypeOf = (googleType: string): PhoneType => PHONE_TYPE[googleType] ?? 'other';

/** What a canonical phone type becomes in Google when no exact type is kept. */
export const GOOGLE_PHONE_TYPE: Record<PhoneType, string> = {
  mobile: 'mobile',
  work: 'work',
  home: 'home',
  main: 'main',
  fax: 'otherFax',
  other: 'other',
};

export function addressTypeOf(googleType: string): AddressType {
  return googleType === 'work' || googleType === 'home' ? googleType : 'other';
}

// ---- birthdays ----

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export function birthdayOf(date: { year?: number; month?: number; day?: number } | undefined): string {
  if (!date?.month || !date.day) return '';
  const md = `${pad(date.month, 2)}-${pad(date.day, 2)}`;
  return date.year && date.year > 0 ? `${pad(date.year, 4)}-${md}` : `--${md}`;
}

export function dateOf(birthday: string): { year?: number; month: number; day: number } | null {
  const m = /^(\d{4}|-)-(\d{2})-(\d{2})$/.exec(birthday);
  if (!m) return null;
  const [, year, month, day] = m as unknown as [string, string, string, string];
  return year === '-'
    ? { month: Number(month), day: Number(day) }
    : { year: Number(year), month: Number(month), day: Number(day) };
}

// ---- Google → canonical ----

const NAME_EXTRA_KEYS = [
  'honorificPrefix',
  'honorificSuffix',
  'phoneticFullName',
  'phoneticFamilyName',
  'phoneticGivenName',
  'phoneticMiddleName',
  'phoneticHonorificPrefix',
  'phoneticHonorificSuffix',
] as const;

const ADDRESS_MAPPED = ['type', 'streetAddress', 'city', 'region', 'postalCode', 'country', 'formattedValue'];

function addressOf(a: Item): Address {
  const mapped: Address = {
    type: addressTypeOf(str(a, 'type')),
    street: str(a, 'streetAddress'),
    city: str(a, 'city'),
    region: str(a, 'region'),
    postalCode: str(a, 'postalCode'),
    country: str(a, 'country'),
  };
  // An address typed as one free-text line has no structured parts: keep its text as the street.
  const structured = [mapped.street, mapped.city, mapped.region, mapped.postalCode, mapped.country];
  if (structured.every((p) => cleanText(p) === '')) mapped.street = str(a, 'formattedValue');
  return mapped;
}

const isBlankAddress = (a: Address) =>
  [a.street, a.city, a.region, a.postalCode, a.country].every((p) => cleanText(p) === '');

export interface Mapped {
  contact: Contact;
  marker: string | undefined;
  modifiedAt: number;
  extra: Extra;
}

export function personToContact(p: Person): Mapped {
  const name = first(p.names);
  const org = p.organizations?.[0];
  const emails: Email[] = primaryFirst(p.emailAddresses)
    .filter((e) => cleanText(str(e, 'value')) !== '')
    .map((e) => ({ address: str(e, 'value'), type: emailTypeOf(str(e, 'type')) }));
  const phones: Phone[] = primaryFirst(p.phoneNumbers)
    .filter((x) => cleanText(str(x, 'value')) !== '')
    .map((x) => ({ number: str(x, 'value'), type: phoneTypeOf(str(x, 'type')) }));
  const addresses = (p.addresses ?? []).map(addressOf).filter((a) => !isBlankAddress(a));
  const contact = normalizeContact({
    givenName: str(name, 'givenName'),
    familyName: str(name, 'familyName'),
    middleName: str(name, 'middleName'),
    emails,
    phones,
    company: str(org, 'name'),
    jobTitle: str(org, 'title'),
    department: str(org, 'department'),
    addresses,
    birthday: birthdayOf(first(p.birthdays)?.date),
    notes: str(first(p.biographies), 'value'),
  });
  const marker = p.clientData?.find((c) => c.key === MARKER_KEY && c.value)?.value;
  const source = p.metadata?.sources?.find((s) => s.type === 'CONTACT') ?? p.metadata?.sources?.[0];
  const modifiedAt = source?.updateTime ? Date.parse(source.updateTime) : NaN;
  return {
    contact,
    marker: marker || undefined,
    modifiedAt: Number.isFinite(modifiedAt) ? modifiedAt : 0,
    extra: extraOf(p),
  };
}

/** What a Person holds beyond the canonical contact, per field (extras.ts). */
export function extraOf(p: PersonBody): Extra {
  const extra: Extra = {};
  const name = first(p.names);
  if (name) {
    const n: Record<string, string> = {};
    for (const k of NAME_EXTRA_KEYS) if (cleanText(str(name, k)) !== '') n[k] = str(name, k);
    extra.n = n;
  }
  const e: NonNullable<Extra['e']> = {};
  for (const item of primaryFirst(p.emailAddresses)) {
    const value = str(item, 'value');
    const key = emailKey(value);
    if (key === '' || e[key]) continue;
    const raw = str(item, 'type');
    const entry: { v?: string; t?: string; d?: string } = {};
    if (cleanText(value) !== key) entry.v = cleanText(value);
    if (raw !== emailTypeOf(raw)) entry.t = raw;
    if (str(item, 'displayName') !== '') entry.d = str(item, 'displayName');
    e[key] = entry;
  }
  extra.e = e;
  const phones: Record<string, string> = {};
  for (const item of primaryFirst(p.phoneNumbers)) {
    const key = phoneKey(str(item, 'value'));
    if (key === '' || key in phones) continue;
    const raw = str(item, 'type');
    if (raw !== GOOGLE_PHONE_TYPE[phoneTypeOf(raw)]) phones[key] = raw;
  }
  extra.p = phones;
  const orgs = p.organizations ?? [];
  if (orgs.length > 0) {
    extra.o = {
      f: plain(orgs[0]!, ['name', 'title', 'department']),
      r: orgs.slice(1).map((o) => plain(o)),
    };
  }
  const a: NonNullable<Extra['a']> = {};
  for (const item of p.addresses ?? []) {
    const mapped = addressOf(item);
    if (isBlankAddress(mapped)) continue;
    const key = addressKey(mapped);
    if (a[key]) continue;
    const raw = str(item, 'type');
    const entry: { t?: string; x?: Item } = { x: plain(item, ADDRESS_MAPPED) };
    if (raw !== mapped.type) entry.t = raw;
    a[key] = entry;
  }
  extra.a = a;
  const birthday = first(p.birthdays);
  const text = cleanText(str(birthday, 'text'));
  if (birthday && text !== '') {
    const date = birthday.date as { year?: number; month?: number; day?: number } | undefined;
    extra.b = { d: birthdayOf(date), t: str(birthday, 'text') };
  }
  const bio = first(p.biographies);
  const contentType = str(bio, 'contentType');
  if (contentType !== '' && contentType !== 'TEXT_PLAIN') extra.c = contentType;
  return extra;
}

// ---- canonical → Google ----

function setIf(out: Item, key: string, value: string): void {
  if (value !== '') out[key] = value;
}

/** The named Person fields of a contact, with the unmapped data kept in `extra` put back. */
export function contactToPerson(c: Contact, fields: readonly WritableField[], extra: Extra): PersonBody {
  const body: PersonBody = {};
  for (const f of fields) body[f] = WRITERS[f](c, extra);
  return body;
}

const WRITERS: Record<WritableField, (c: Contact, x: Extra) => Item[]> = {
  names(c, x) {
    const n: Item = { ...x.n };
    setIf(n, 'givenName', c.givenName);
    setIf(n, 'familyName', c.familyName);
    setIf(n, 'middleName', c.middleName);
    return Object.keys(n).length > 0 ? [n] : [];
  },
  emailAddresses(c, x) {
    return c.emails.map((e) => {
      const key = emailKey(e.address);
      const kept = x.e?.[key];
      const out: Item = { value: kept?.v !== undefined && emailKey(kept.v) === key ? kept.v : key };
      const type = kept?.t !== undefined && emailTypeOf(kept.t) === e.type ? kept.t : e.type;
      setIf(out, 'type', type);
      if (kept?.d) out.displayName = kept.d;
      return out;
    });
  },
  phoneNumbers(c, x) {
    return c.phones.map((p) => {
      const kept = x.p?.[phoneKey(p.number)];
      const type = kept !== undefined && phoneTypeOf(kept) === p.type ? kept : GOOGLE_PHONE_TYPE[p.type];
      const out: Item = { value: p.number };
      setIf(out, 'type', type);
      return out;
    });
  },
  organizations(c, x) {
    const head: Item = { ...x.o?.f };
    setIf(head, 'name', c.company);
    setIf(head, 'title', c.jobTitle);
    setIf(head, 'department', c.department);
    const rest = (x.o?.r ?? []).map((o) => ({ ...o }));
    // The first organization is the one we map: with nothing left in it, a placeholder keeps the
    // second one from being read back as the company.
    if (Object.keys(head).length === 0) return rest.length > 0 ? [{ type: 'work' }, ...rest] : [];
    return [head, ...rest];
  },
  addresses(c, x) {
    return c.addresses.map((a) => {
      const kept = x.a?.[addressKey(a)];
      const out: Item = { ...kept?.x };
      const type = kept?.t !== undefined && addressTypeOf(kept.t) === a.type ? kept.t : a.type;
      setIf(out, 'type', type);
      setIf(out, 'streetAddress', a.street);
      setIf(out, 'city', a.city);
      setIf(out, 'region', a.region);
      setIf(out, 'postalCode', a.postalCode);
      setIf(out, 'country', a.country);
      return out;
    });
  },
  birthdays(c, x) {
    const date = dateOf(c.birthday);
    if (date === null) return [];
    // Google wants `date` on every write; the free text survives only beside the date it described.
    const out: Item = { date };
    if (x.b && x.b.d === c.birthday) out.text = x.b.t;
    return [out];
  },
  biographies(c, x) {
    if (c.notes === '') return [];
    const out: Item = { value: c.notes };
    if (x.c) out.contentType = x.c;
    return [out];
  },
};

/** A new contact: every non-empty mapped field, in our group, stamped with the CRM id. */
export function newPerson(c: Contact, groups: readonly string[], marker: string | null): Item {
  const body: Item = { ...contactToPerson(c, WRITABLE_ORDER, {}) };
  for (const k of Object.keys(body)) if ((body[k] as Item[]).length === 0) delete body[k];
  body.memberships = groups.map((g) => ({ contactGroupMembership: { contactGroupResourceName: g } }));
  if (marker) body.clientData = [{ key: MARKER_KEY, value: marker }];
  return body;
}

export function inGroup(p: Person, group: string): boolean {
  const id = group.replace(/^contactGroups\//, '');
  return (p.memberships ?? []).some(
    (m) =>
      m.contactGroupMembership?.contactGroupResourceName === group ||
      m.contactGroupMembership?.contactGroupId === id,
  );
}
