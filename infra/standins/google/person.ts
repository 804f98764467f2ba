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
  return input;
}
