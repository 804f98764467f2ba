// people.* handlers other than connections.list (reference §2, §5, §6).
import type { Env } from './env.js';
import {
  ApiError,
  contactLimitReached,
  grpcCode,
  invalidArgument,
  notFound,
  type ErrorDetail,
} from './errors.js';
import {
  DOCS,
  PERSON_FIELDS,
  UPDATABLE_FIELDS,
  maskRequired,
  parseMask,
  personFieldsFromQuery,
  intParam,
  sourcesParam,
} from './fields.js';
import { json, parseJson, requireObject, type Reply, type RequestContext } from './http.js';
import {
  checkCreate,
  checkEtag,
  checkUpdate,
  createPerson,
  deletePerson,
  getContact,
  updatePerson,
} from './ops.js';
import { parsePerson, type PersonInput } from './person.js';
import { canonicalPhone, renderPerson, renderProfile, type Json } from './render.js';
import type { Account, StoredPerson } from './store.js';

const MAX_BATCH_GET = 200;
const MAX_BATCH_WRITE = 200;
const MAX_BATCH_DELETE = 500;

const personName = (id: string): string => `people/${id}`;

async function body(rc: RequestContext): Promise<Record<string, unknown>> {
  return requireObject(parseJson(await rc.rawBody()), 'request');
}

/** Resolves `people/me`, the account's own profile id, or a contact. */
function readPerson(acc: Account, rn: string, fields: string[]): Json {
  if (rn === 'people/me' || rn === `people/${acc.profileId}`) return renderProfile(acc, fields);
  return renderPerson(getContact(acc, rn), fields);
}

function contactName(rn: string): string {
  if (!/^people\/c\d+$/.test(rn)) {
    throw invalidArgument(`Resource name "${rn}" is not a valid contact person resource.`);
  }
  return rn;
}

function okResponse(requested: string, person: Json): Json {
  return { httpStatusCode: 200, person, requestedResourceName: requested, status: {} };
}

export function getPerson(env: Env, rc: RequestContext, m: RegExpExecArray): Reply {
  const fields = personFieldsFromQuery(rc.query);
  sourcesParam(rc.query);
  return json(readPerson(rc.account!, personName(m[1]!), fields));
}

export function batchGet(env: Env, rc: RequestContext): Reply {
  const names = rc.query.getAll('resourceNames');
  if (names.length === 0) throw invalidArgument('Must specify at least one resource name.');
  if (names.length > MAX_BATCH_GET) {
    throw invalidArgument(`Too many resource names: ${names.length}. The maximum is ${MAX_BATCH_GET}.`);
  }
  const fields = personFieldsFromQuery(rc.query);
  sourcesParam(rc.query);
  const responses = names.map((rn) => {
    try {
      return okResponse(rn, readPerson(rc.account!, rn, fields));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return {
        httpStatusCode: e.httpStatus,
        requestedResourceName: rn,
        status: { code: grpcCode(e.status), message: e.message },
      };
    }
  });
  return json({ responses });
}

function readFieldsForWrite(rc: RequestContext): string[] {
  const raw = rc.query.has('personFields') ? rc.query.getAll('personFields').join(',') : undefined;
  const fields = parseMask(raw, 'personFields', PERSON_FIELDS, DOCS.get);
  // Reference §2: create/update return all fields when personFields is unset.
  return fields === undefined || fields.length === 0 ? [...PERSON_FIELDS] : fields;
}

export async function createContact(env: Env, rc: RequestContext): Promise<Reply> {
  const fields = readFieldsForWrite(rc);
  sourcesParam(rc.query);
  const input = parsePerson(await body(rc));
  checkRoom(env, rc.account!, 1);
  const p = createPerson(rc.account!, input, env.clock.now());
  return json(renderPerson(p, fields));
}

function updateMaskFromQuery(rc: RequestContext): string[] {
  const raw = rc.query.has('updatePersonFields')
    ? rc.query.getAll('updatePersonFields').join(',')
    : undefined;
  const mask = parseMask(raw, 'updatePersonFields', UPDATABLE_FIELDS, DOCS.updateContact);
  if (mask === undefined || mask.length === 0) throw maskRequired('updatePersonFields', DOCS.updateContact);
  return mask;
}

export async function updateContact(env: Env, rc: RequestContext, m: RegExpExecArray): Promise<Reply> {
  const rn = contactName(personName(m[1]!));
  const mask = updateMaskFromQuery(rc);
  const fields = readFieldsForWrite(rc);
  sourcesParam(rc.query);
  const input = parsePerson(await body(rc));
  if (input.resourceName !== undefined && input.resourceName !== rn) {
    throw invalidArgument('Resource name in the request body does not match the resource name in the URL.');
  }
  const acc = rc.account!;
  const p = getContact(acc, rn);
  checkEtag(p, input);
  updatePerson(acc, p, input, mask, env.clock.now());
  return json(renderPerson(p, fields));
}

export function deleteContact(env: Env, rc: RequestContext, m: RegExpExecArray): Reply {
  const acc = rc.account!;
  const p = getContact(acc, contactName(personName(m[1]!)));
  deletePerson(acc, p, env.clock.now());
  return json({});
}

function checkRoom(env: Env, acc: Account, adding: number): void {
  if (acc.people.size + adding > (acc.contactLimit ?? env.opts.maxContacts)) throw contactLimitReached();
}

/** Batch writes are atomic here: the first bad contact fails the call and nothing is written. */
function batchFailure(kind: 'Create' | 'Update', errors: ApiError[]): ApiError {
  const first = errors[0]!;
  const detail: ErrorDetail = {
    '@type': `type.googleapis.com/google.people.v1.Batch${kind}ContactsErrorDetails`,
    errors: errors.map((e) => ({ code: grpcCode(e.status), message: e.message })),
  };
  return new ApiError(first.httpStatus, first.status, first.message, [detail]);
}

function batchReadMask(b: Record<string, unknown>): string[] | undefined {
  const mask = parseMask(b.readMask, 'readMask', PERSON_FIELDS, DOCS.get);
  if (mask === undefined) throw maskRequired('readMask', DOCS.get);
  return mask.length > 0 ? mask : undefined;
}

export async function batchCreateContacts(env: Env, rc: RequestContext): Promise<Reply> {
  const b = await body(rc);
  const contacts = b.contacts;
  if (!Array.isArray(contacts) || contacts.length === 0)
    throw invalidArgument('Must specify at least one contact.');
  if (contacts.length > MAX_BATCH_WRITE) {
    throw invalidArgument(`Too many contacts: ${contacts.length}. The maximum is ${MAX_BATCH_WRITE}.`);
  }
  const readMask = batchReadMask(b);
  const acc = rc.account!;
  const inputs: PersonInput[] = [];
  const errors: ApiError[] = [];
  contacts.forEach((c, i) => {
    try {
      const item = requireObject(c, `contacts[${i}]`);
      const input = parsePerson(item.contactPerson ?? {}, `contacts[${i}].contact_person`);
      checkCreate(acc, input);
      inputs.push(input);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      errors.push(e);
    }
  });
  if (errors.length > 0) throw batchFailure('Create', errors);
  // Atomic like every batch failure: a batch that does not fit writes nothing.
  checkRoom(env, acc, inputs.length);
  const now = env.clock.now();
  const created = inputs.map((input) => createPerson(acc, input, now));
  // Reference §2: an empty readMask skips the read-back; only resourceName and etag come back.
  const createdPeople = created.map((p) => okResponse(p.resourceName, renderPerson(p, readMask ?? [])));
  return json({ createdPeople });
}

export async function batchUpdateContacts(env: Env, rc: RequestContext): Promise<Reply> {
  const b = await body(rc);
  const contacts = b.contacts;
  if (typeof contacts !== 'object' || contacts === null || Array.isArray(contacts)) {
    throw invalidArgument('Must specify at least one contact.');
  }
  const entries = Object.entries(contacts as Record<string, unknown>);
  if (entries.length === 0) throw invalidArgument('Must specify at least one contact.');
  if (entries.length > MAX_BATCH_WRITE) {
    throw invalidArgument(`Too many contacts: ${entries.length}. The maximum is ${MAX_BATCH_WRITE}.`);
  }
  const mask = parseMask(b.updateMask, 'updateMask', UPDATABLE_FIELDS, DOCS.batchUpdate);
  if (mask === undefined || mask.length === 0) throw maskRequired('updateMask', DOCS.batchUpdate);
  const readMask = batchReadMask(b);
  const acc = rc.account!;
  const work: [StoredPerson, PersonInput][] = [];
  const errors: ApiError[] = [];
  for (const [rn, value] of entries) {
    try {
      const input = parsePerson(value, `contacts[${rn}]`);
      const p = getContact(acc, contactName(rn));
      checkEtag(p, input);
      checkUpdate(acc, p, input, mask);
      work.push([p, input]);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      errors.push(e);
    }
  }
  if (errors.length > 0) throw batchFailure('Update', errors);
  const now = env.clock.now();
  const updateResult: Record<string, Json> = {};
  for (const [p, input] of work) {
    updatePerson(acc, p, input, mask, now);
    updateResult[p.resourceName] = okResponse(p.resourceName, renderPerson(p, readMask ?? []));
  }
  return json({ updateResult });
}

export async function batchDeleteContacts(env: Env, rc: RequestContext): Promise<Reply> {
  const b = await body(rc);
  const names = b.resourceNames;
  if (!Array.isArray(names) || names.length === 0)
    throw invalidArgument('Must specify at least one resource name.');
  if (names.length > MAX_BATCH_DELETE) {
    throw invalidArgument(`Too many resource names: ${names.length}. The maximum is ${MAX_BATCH_DELETE}.`);
  }
  const acc = rc.account!;
  const unique = [...new Set(names.map((n) => String(n)))];
  const people = unique.map((rn) => {
    const p = acc.people.get(contactName(rn));
    if (!p) throw notFound();
    return p;
  });
  const now = env.clock.now();
  for (const p of people) deletePerson(acc, p, now);
  return json({});
}

const SEPARATORS = new Set([' ', '.', '-', '_', '@', '(', '+', ',']);

/** Prefix-phrase match: the query must start at the beginning of a word of the value. */
function prefixMatch(value: string, q: string): boolean {
  const v = value.toLocaleLowerCase();
  if (v.startsWith(q)) return true;
  for (let i = 1; i < v.length; i++) {
    if (SEPARATORS.has(v[i - 1]!) && v.startsWith(q, i)) return true;
  }
  return false;
}

function strings(items: Record<string, unknown>[] | undefined, keys: string[]): string[] {
  const out: string[] = [];
  for (const item of items ?? []) for (const k of keys) if (typeof item[k] === 'string') out.push(item[k]);
  return out;
}

function searchMatches(p: StoredPerson, q: string, qDigits: string): boolean {
  const names = p.fields.get('names') ?? [];
  const texts = [
    ...strings(names, ['givenName', 'middleName', 'familyName', 'unstructuredName']),
    names[0]
      ? [names[0].givenName, names[0].middleName, names[0].familyName]
          .filter((s) => typeof s === 'string')
          .join(' ')
      : '',
    ...strings(p.fields.get('emailAddresses'), ['value']),
    ...strings(p.fields.get('organizations'), ['name']),
  ];
  if (texts.some((t) => t !== '' && prefixMatch(t, q))) return true;
  if (qDigits.length === 0) return false;
  for (const phone of strings(p.fields.get('phoneNumbers'), ['value'])) {
    const digits = phone.replace(/\D/g, '');
    const canonical = canonicalPhone(phone)?.slice(1) ?? '';
    if (digits.startsWith(qDigits) || canonical.startsWith(qDigits) || prefixMatch(phone, q)) return true;
  }
  return false;
}

/**
 * Google wants an empty-query warm-up before searching and its index lags writes; the stand-in
 * searches live state at once and answers the warm-up with an empty result.
 */
export function searchContacts(env: Env, rc: RequestContext): Reply {
  const fields = personFieldsFromQuery(rc.query, 'readMask');
  sourcesParam(rc.query);
  const size = intParam(rc.query, 'pageSize');
  if (size !== undefined && size < 0) throw invalidArgument(`Invalid pageSize: ${size}.`);
  // Docs: default 10; values above 30 are capped to 30.
  const limit = size === undefined || size === 0 ? 10 : Math.min(size, 30);
  const q = (rc.query.get('query') ?? '').trim().toLocaleLowerCase();
  if (q === '') return json({});
  const qDigits = /^[\d\s().+-]+$/.test(q) ? q.replace(/\D/g, '') : '';
  const results: Json[] = [];
  for (const p of rc.account!.people.values()) {
    if (results.length >= limit) break;
    if (searchMatches(p, q, qDigits)) results.push({ person: renderPerson(p, fields) });
  }
  return json(results.length > 0 ? { results } : {});
}
