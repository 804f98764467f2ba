// Parsing a Person from a request body: Google's JSON parser rejects unknown keys, output-only
// values are dropped, and singleton fields may hold one value per source.
import { badRequestDetail, invalidArgument } from './errors.js';
import { PERSON_JSON_KEYS, SINGLETON_FIELDS, STORED_FIELDS } from './fields.js';
import type { FieldItem } from './store.js';

export interface PersonInput {
  /** Only the stored fields that the body names; absent keys are absent here too. */
  fields: Map<string, FieldItem[]>;
  /** Group resource names when the body names `memberships`, else undefined. */
  memberships?: string[];
  etag?: string;
  sourceEtags: string[];
  resourceName?: string;
}

const OUTPUT_ONLY_KEYS: Record<string, string[]> = {
  names: ['displayName', 'displayNameLastFirst'],
  phoneNumbers: ['canonicalForm'],
  genders: ['formattedValue'],
  imClients: ['formattedProtocol'],
};

const STORED = new Set<string>(STORED_FIELDS);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function unknownName(key: string, location: string): Error {
  const description = `Invalid JSON payload received. Unknown name "${key}" at '${location}': Cannot find field.`;
  return invalidArgument(description, [badRequestDetail(location, description)]);
}

function cleanItem(field: string, item: Record<string, unknown>): FieldItem {
  // A JSON round trip gives a deep copy that shares nothing with the caller.
  const copy = JSON.parse(JSON.stringify(item)) as FieldItem;
  delete copy.metadata;
  delete copy.formattedType;
  for (const key of OUTPUT_ONLY_KEYS[field] ?? []) delete copy[key];
  return copy;
}

function parseMemberships(value: unknown[], location: string): string[] {
  const groups: string[] = [];
  value.forEach((item, i) => {
    if (!isObject(item)) throw invalidArgument(`Invalid value at '${location}.memberships[${i}]'.`);
    if (item.domainMembership !== undefined && item.contactGroupMembership === undefined) return;
    const m = item.contactGroupMembership;
    if (!isObject(m)) throw invalidArgument(`Invalid value at '${location}.memberships[${i}]'.`);
    const rn =
      typeof m.contactGroupResourceName === 'string' && m.contactGroupResourceName !== ''
        ? m.contactGroupResourceName
        : typeof m.contactGroupId === 'string' && m.contactGroupId !== ''
          ? `contactGroups/${m.contactGroupId}`
          : undefined;
    if (rn === undefined) {
      throw invalidArgument(
        `Contact group membership at '${location}.memberships[${i}]' must name a contact group.`,
      );
    }
    if (!groups.includes(rn)) groups.push(rn);
  });
  return groups;
}

// Sizes that unofficial pages report for Google Contacts (none is in the API docs): 1,024 characters
// per value, 500 values per contact, 128 KB per contact. The wording of the refusal is ours.
export const PERSON_LIMITS = { valueChars: 1024, values: 500, bytes: 128 * 1024 } as const;

function tooLarge(location: string, description: string): Error {
  return invalidArgument(description, [badRequestDetail(location, description)]);
}

/** Every string inside a stored field's items, with where it sits. */
function* strings(value: unknown, at: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [at, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, `${at}[${i}]`);
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) yield* strings(v, `${at}.${k}`);
}

function checkSizes(input: PersonInput, location: string): void {
  let values = 0;
  let bytes = 0;
  for (const [field, items] of input.fields) {
    values += items.length;
    bytes += Buffer.byteLength(JSON.stringify(items));
    for (const [at, text] of strings(items, `${location}.${field}`)) {
      if (text.length > PERSON_LIMITS.valueChars)
        throw tooLarge(at, `Value at '${at}' is too long: at most ${PERSON_LIMITS.valueChars} characters.`);
    }
  }
  if (values > PERSON_LIMITS.values)
    throw tooLarge(location, `A contact can hold at most ${PERSON_LIMITS.values} field values.`);
  if (bytes > PERSON_LIMITS.bytes)
    throw tooLarge(location, `A contact can hold at most ${PERSON_LIMITS.bytes} bytes.`);
}

export function parsePerson(body: unknown, location = 'person'): PersonInput {
  if (!isObject(body)) {
    throw invalidArgument(`Invalid JSON payload received. Expected an object at '${location}'.`);
  }
  const input: PersonInput = { fields: new Map(), sourceEtags: [] };
  for (const [key, value] of Object.entries(body)) {
    if (!PERSON_JSON_KEYS.has(key)) throw unknownName(key, location);
    if (key === 'etag' && typeof value === 'string') input.etag = value;
    if (key === 'resourceName' && typeof value === 'string') input.resourceName = value;
    if (key === 'metadata' && isObject(value) && Array.isArray(value.sources)) {
      for (const s of value.sources) {
        if (isObject(s) && typeof s.etag === 'string' && (s.type === undefined || s.type === 'CONTACT')) {
          input.sourceEtags.push(s.etag);
        }
      }
    }
    if (key !== 'memberships' && !STORED.has(key)) continue;
    const list = value === null ? [] : value;
    if (!Array.isArray(list)) {
      throw invalidArgument(
        `Invalid JSON payload received. Expected a list for repeated field '${location}.${key}'.`,
      );
    }
    if (key === 'memberships') {
      input.memberships = parseMemberships(list, location);
      continue;
    }
    if (SINGLETON_FIELDS.has(key) && list.length > 1) {
      throw invalidArgument(`Cannot have more than one person.${key} per source.`);
    }
    input.fields.set(
      key,
      list.map((item, i) => {
        if (!isObject(item)) throw invalidArgument(`Invalid value at '${location}.${key}[${i}]'.`);
        return cleanItem(key, item);
      }),
    );
  }
  checkSizes(input, location);
  return input;
}
