// Field names, field masks and typed query parameters, validated the way Google's front end does.
import { badRequestDetail, invalidArgument } from './errors.js';

/** Reference §3: every valid personFields / readMask path. */
export const PERSON_FIELDS = [
  'addresses',
  'ageRanges',
  'biographies',
  'birthdays',
  'calendarUrls',
  'clientData',
  'coverPhotos',
  'emailAddresses',
  'events',
  'externalIds',
  'genders',
  'imClients',
  'interests',
  'locales',
  'locations',
  'memberships',
  'metadata',
  'miscKeywords',
  'names',
  'nicknames',
  'occupations',
  'organizations',
  'phoneNumbers',
  'photos',
  'relations',
  'sipAddresses',
  'skills',
  'urls',
  'userDefined',
] as const;

/** Reference §6: updatable = every personFields value except these output-only ones. */
const NOT_UPDATABLE = new Set(['ageRanges', 'coverPhotos', 'metadata', 'photos', 'skills']);
export const UPDATABLE_FIELDS = PERSON_FIELDS.filter((f) => !NOT_UPDATABLE.has(f));

/** Updatable fields stored as plain item lists (memberships are kept as a set of groups). */
export const STORED_FIELDS = UPDATABLE_FIELDS.filter((f) => f !== 'memberships');

/** Reference §5: one value per contact source. */
export const SINGLETON_FIELDS = new Set(['names', 'birthdays', 'biographies', 'genders']);

/** Every JSON key of Schema$Person, so unknown keys can be rejected like Google's JSON parser does. */
export const PERSON_JSON_KEYS = new Set<string>([
  ...PERSON_FIELDS,
  'resourceName',
  'etag',
  'fileAses',
  'ageRange',
  'braggingRights',
  'relationshipInterests',
  'relationshipStatuses',
  'residences',
  'taglines',
]);

export const GROUP_FIELDS = ['clientData', 'groupType', 'memberCount', 'metadata', 'name'] as const;
export const DEFAULT_GROUP_FIELDS = ['metadata', 'groupType', 'memberCount', 'name'];
export const DEFAULT_READ_GROUP_FIELDS = ['metadata', 'groupType', 'name'];

export const DOCS = {
  get: 'https://developers.google.com/people/api/rest/v1/people/get',
  updateContact: 'https://developers.google.com/people/api/rest/v1/people/updateContact',
  batchUpdate: 'https://developers.google.com/people/api/rest/v1/people/batchUpdateContacts',
  groups: 'https://developers.google.com/people/api/rest/v1/contactGroups',
};

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (name: string): string => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * Parses a comma-separated FieldMask. Returns undefined when the mask is absent (callers decide
 * between "required" and a default). Malformed syntax gets Google's `Invalid FieldMask` message;
 * a well-formed but unknown path gets the "mask path" message.
 */
export function parseMask(
  raw: unknown,
  param: string,
  allowed: readonly string[],
  docUrl: string,
): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  const protoName = snake(param);
  if (typeof raw !== 'string' || !/^([A-Za-z0-9_.]+(,[A-Za-z0-9_.]+)*)?$/.test(raw)) {
    const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
    const description =
      `Invalid value at '${protoName}' (type.googleapis.com/google.protobuf.FieldMask), ` +
      `Field '${protoName}', Invalid FieldMask '${text}'. Map keys should be represented as ["some_key"].`;
    throw invalidArgument(description, [badRequestDetail(protoName, description)]);
  }
  if (raw === '') return [];
  const out: string[] = [];
  for (const part of raw.split(',')) {
    const path = camel(part);
    if (!allowed.includes(path)) {
      throw invalidArgument(
        `Invalid ${param} mask path: "${part}". Valid paths are documented at ${docUrl}.`,
      );
    }
    if (!out.includes(path)) out.push(path);
  }
  return out;
}

export function maskRequired(param: string, docUrl: string): Error {
  return invalidArgument(
    `${param} mask is required. Please specify one or more valid paths. Valid paths are documented at ${docUrl}.`,
  );
}

/** personFields, or the deprecated `requestMask.includeField` (`person.names,person.email_addresses`). */
export function personFieldsFromQuery(q: URLSearchParams, param = 'personFields'): string[] {
  const joined = q.getAll(param).join(',');
  const legacy = q.get('requestMask.includeField');
  let fields: string[] | undefined;
  if (q.has(param)) fields = parseMask(joined, param, PERSON_FIELDS, DOCS.get);
  else if (legacy !== null) {
    const stripped = legacy
      .split(',')
      .map((p) => p.trim().replace(/^person\./, ''))
      .join(',');
    fields = parseMask(stripped, 'requestMask.includeField', PERSON_FIELDS, DOCS.get);
  }
  if (fields === undefined || fields.length === 0) throw maskRequired(param, DOCS.get);
  return fields;
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw) || Math.abs(Number(raw)) > 2 ** 31 - 1) {
    throw invalidArgument(`Invalid value at '${snake(name)}' (TYPE_INT32), "${raw}"`);
  }
  return Number(raw);
}

export function boolParam(q: URLSearchParams, name: string): boolean {
  const raw = q.get(name);
  if (raw === null || raw === '') return false;
  const v = raw.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalidArgument(`Invalid value at '${snake(name)}' (TYPE_BOOL), "${raw}"`);
}

export function enumParam<T extends string>(
  q: URLSearchParams,
  name: string,
  values: readonly T[],
  fallback: T,
  protoType: string,
): T {
  const raw = q.get(name);
  if (raw === null || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw)) {
    throw invalidArgument(`Invalid value at '${snake(name)}' (type.googleapis.com/${protoType}), "${raw}"`);
  }
  return raw as T;
}

const READ_SOURCES = [
  'READ_SOURCE_TYPE_UNSPECIFIED',
  'READ_SOURCE_TYPE_PROFILE',
  'READ_SOURCE_TYPE_CONTACT',
  'READ_SOURCE_TYPE_DOMAIN_CONTACT',
];

export function sourcesParam(q: URLSearchParams): string[] {
  const values = q.getAll('sources');
  values.forEach((v, i) => {
    if (!READ_SOURCES.includes(v)) {
      throw invalidArgument(
        `Invalid value at 'sources[${i}]' (type.googleapis.com/google.people.v1.ReadSourceType), "${v}"`,
      );
    }
  });
  return [...new Set(values)].sort();
}

/** Page sizes: "Valid values are between 1 and max, inclusive. Defaults to N if not set or set to 0." */
export function pageSizeParam(q: URLSearchParams, fallback: number, max: number): number {
  const size = intParam(q, 'pageSize');
  if (size === undefined || size === 0) return fallback;
  if (size < 0 || size > max) {
    throw invalidArgument(`Invalid pageSize: ${size}. Valid values are between 1 and ${max}, inclusive.`);
  }
  return size;
}
