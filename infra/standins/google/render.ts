// Person and group JSON as Google serialises them: proto3 JSON omits empty lists and zero
// values, every field item carries source metadata, and some values are computed server-side.
import type {
  Account,
  FieldItem,
  GroupTombstone,
  PersonTombstone,
  StoredGroup,
  StoredPerson,
} from './store.js';

export type Json = Record<string, unknown>;

const iso = (ms: number): string => new Date(ms).toISOString();

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;

/** `homeFax` → `Home Fax`; custom labels (anything not a lowerCamel identifier) are shown as given. */
export function formatType(type: string): string {
  if (!/^[a-z][a-zA-Z]*$/.test(type)) return type;
  return type
    .replace(/([A-Z])/g, ' $1')
    .split(' ')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/**
 * E.164 for numbers that are plainly international (`+…` or `00…`) or plainly North American
 * national (10 digits, or 11 starting with 1). Google uses the account's region for national
 * numbers; the stand-in assumes US and leaves anything else without a canonical form.
 */
export function canonicalPhone(value: string): string | undefined {
  const trimmed = value.trim();
  if (!/^\+?[\d\s().\-/]+$/.test(trimmed)) return undefined;
  const digits = trimmed.replace(/\D/g, '');
  if (trimmed.startsWith('+')) return digits.length >= 7 && digits.length <= 15 ? `+${digits}` : undefined;
  if (digits.startsWith('00')) {
    const rest = digits.slice(2);
    return rest.length >= 7 && rest.length <= 15 ? `+${rest}` : undefined;
  }
  if (digits.length === 10 && /^[2-9]/.test(digits)) return `+1${digits}`;
  if (digits.length === 11 && /^1[2-9]/.test(digits)) return `+${digits}`;
  return undefined;
}

export function formatAddress(a: FieldItem): string | undefined {
  const region = [str(a.region), str(a.postalCode)].filter(Boolean).join(' ');
  const cityLine = [str(a.city), region || undefined].filter(Boolean).join(', ');
  const lines = [
    str(a.poBox) ? `PO Box ${str(a.poBox)}` : undefined,
    str(a.streetAddress),
    str(a.extendedAddress),
    cityLine || undefined,
    str(a.country) ?? str(a.countryCode),
  ].filter(Boolean);
  return lines.length > 0 ? lines.join('\n') : undefined;
}

function nameComputed(n: FieldItem): FieldItem {
  const out: FieldItem = { ...n };
  const given = [str(n.givenName), str(n.middleName)].filter(Boolean).join(' ');
  const full = [
    str(n.honorificPrefix),
    str(n.givenName),
    str(n.middleName),
    str(n.familyName),
    str(n.honorificSuffix),
  ]
    .filter(Boolean)
    .join(' ');
  const display = full || str(n.unstructuredName);
  if (display) out.displayName = display;
  const family = str(n.familyName);
  const lastFirst = family
    ? [family + (given ? `, ${given}` : ''), str(n.honorificSuffix)].filter(Boolean).join(', ')
    : display;
  if (lastFirst) out.displayNameLastFirst = lastFirst;
  if (!str(n.unstructuredName) && display) out.unstructuredName = display;
  return out;
}

function computed(field: string, item: FieldItem): FieldItem {
  let out: FieldItem = { ...item };
  if (typeof out.type === 'string' && out.type !== '') out.formattedType = formatType(out.type);
  switch (field) {
    case 'names':
      out = nameComputed(out);
      break;
    case 'phoneNumbers': {
      const c = typeof out.value === 'string' ? canonicalPhone(out.value) : undefined;
      if (c) out.canonicalForm = c;
      break;
    }
    case 'addresses':
      if (!str(out.formattedValue)) {
        const f = formatAddress(out);
        if (f) out.formattedValue = f;
      }
      break;
    case 'genders':
      if (typeof out.value === 'string' && out.value !== '') out.formattedValue = formatType(out.value);
      break;
    case 'biographies':
      if (out.contentType === undefined) out.contentType = 'TEXT_PLAIN';
      break;
  }
  return out;
}

function fieldMetadata(sourceId: string, primary: boolean): Json {
  const meta: Json = {};
  if (primary) {
    meta.primary = true;
    meta.sourcePrimary = true;
  }
  meta.source = { type: 'CONTACT', id: sourceId };
  return meta;
}

function personSources(p: { sourceId: string; sourceEtag: string; updateTime: number }): Json[] {
  return [{ type: 'CONTACT', id: p.sourceId, etag: p.sourceEtag, updateTime: iso(p.updateTime) }];
}

/** Reference §3: list results carry at most 100 emails and phones per person. */
const LIST_CAPPED = new Set(['emailAddresses', 'phoneNumbers']);
const LIST_CAP = 100;

/** Only the requested fields; `resourceName` and `etag` always come back. */
export function renderPerson(
  p: StoredPerson,
  fields: readonly string[],
  opts: { inList?: boolean } = {},
): Json {
  const out: Json = { resourceName: p.resourceName, etag: p.etag };
  for (const field of fields) {
    if (field === 'metadata') {
      out.metadata = { sources: personSources(p), objectType: 'PERSON' };
    } else if (field === 'memberships') {
      if (p.memberships.size === 0) continue;
      out.memberships = [...p.memberships].map((rn) => ({
        metadata: { source: { type: 'CONTACT', id: p.sourceId } },
        contactGroupMembership: {
          contactGroupId: rn.replace(/^contactGroups\//, ''),
          contactGroupResourceName: rn,
        },
      }));
    } else {
      let items = p.fields.get(field);
      if (!items || items.length === 0) continue;
      if (opts.inList && LIST_CAPPED.has(field)) items = items.slice(0, LIST_CAP);
      out[field] = items.map((item, i) => ({
        metadata: fieldMetadata(p.sourceId, i === 0),
        ...computed(field, item),
      }));
    }
  }
  return out;
}

/**
 * A deleted contact as sync requests report it. Without `metadata` in the mask the entry is a
 * bare resourceName + etag, so the deletion cannot be told apart (reference §3).
 */
export function renderTombstone(t: PersonTombstone, fields: readonly string[]): Json {
  const out: Json = { resourceName: t.resourceName, etag: t.etag };
  if (fields.includes('metadata'))
    out.metadata = { sources: personSources(t), deleted: true, objectType: 'PERSON' };
  return out;
}

export function renderProfile(acc: Account, fields: readonly string[]): Json {
  const out: Json = { resourceName: `people/${acc.profileId}`, etag: acc.profileEtag };
  const source = { type: 'PROFILE', id: acc.profileId };
  const local = acc.email.split('@')[0] ?? acc.email;
  const words = local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  const givenName = words[0] ?? local;
  const familyName = words.slice(1).join(' ');
  if (fields.includes('metadata')) out.metadata = { sources: [source], objectType: 'PERSON' };
  if (fields.includes('names')) {
    const name: FieldItem = { givenName };
    if (familyName) name.familyName = familyName;
    out.names = [{ metadata: { primary: true, sourcePrimary: true, source }, ...nameComputed(name) }];
  }
  if (fields.includes('emailAddresses')) {
    out.emailAddresses = [
      {
        metadata: {
          primary: true,
          verified: true,
          sourcePrimary: true,
          source: { type: 'ACCOUNT', id: acc.profileId },
        },
        value: acc.email,
      },
    ];
  }
  return out;
}

export interface GroupRenderOptions {
  fields: readonly string[];
  maxMembers?: number;
}

export function renderGroup(g: StoredGroup, opts: GroupRenderOptions): Json {
  const out: Json = { resourceName: g.resourceName, etag: g.etag };
  const f = opts.fields;
  if (f.includes('metadata')) out.metadata = { updateTime: iso(g.updateTime) };
  if (f.includes('groupType')) out.groupType = g.groupType;
  if (f.includes('name')) {
    out.name = g.name;
    out.formattedName = g.formattedName;
  }
  if (f.includes('clientData') && g.clientData.length > 0)
    out.clientData = g.clientData.map((c) => ({ ...c }));
  if (opts.maxMembers && opts.maxMembers > 0 && g.members.size > 0) {
    const names: string[] = [];
    for (const rn of g.members) {
      if (names.length >= opts.maxMembers) break;
      names.push(rn);
    }
    out.memberResourceNames = names;
  }
  // proto3 JSON drops a zero int32, so an empty group has no memberCount at all.
  if (f.includes('memberCount') && g.members.size > 0) out.memberCount = g.members.size;
  return out;
}

export function renderGroupTombstone(t: GroupTombstone): Json {
  return {
    resourceName: t.resourceName,
    etag: t.etag,
    metadata: { updateTime: iso(t.updateTime), deleted: true },
  };
}
