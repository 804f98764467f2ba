// OData 4 resource handling shared by plain requests and $batch sub-requests (reference §1, §3).
import type { Clock } from './clock.js';
import type { Actor, EntityService } from './entities.js';
import { ODataError, badRequest, notFound, notModelled } from './errors.js';
import { EMPTY_GUID, GUID_PATTERN, isGuid } from './guid.js';
import { metadataXml, serviceDocument } from './metadata.js';
import { parseQueryOptions, parseQueryString, runQuery, type QueryLimits } from './query.js';
import type { ExpandItem } from './expand.js';
import { emptyReply, errorReply, odataReply, textReply, type Reply } from './reply.js';
import {
  isSetName,
  schemaOf,
  type ColumnDef,
  type EntitySetDef,
  type SetName,
  type Value,
} from './schema.js';
import type { StatsCounter } from './stats.js';
import type { EntityStore } from './store.js';
import { fromJson, projectRow, toJson } from './values.js';
import { contextSelect, projectExpanded } from './expand.js';

export interface ODataRequest {
  method: string;
  /** Percent-decoded path after the OData root, without a leading slash (`Contact(…)`, `$metadata`). */
  path: string;
  /** Raw query string without `?`. */
  query: string;
  contentType?: string;
  /** Parsed JSON body; undefined when there is none. */
  body?: unknown;
  bodyInvalid?: boolean;
  /** The `Prefer` header (`return=representation` makes a PATCH answer the entity). */
  prefer?: string;
}

interface Target {
  set: SetName;
  key?: string;
  property?: string;
  rawValue?: boolean;
  count?: boolean;
}

const KEY_RE = new RegExp(`^(?:Id=)?(${GUID_PATTERN})$`);
const SEGMENT_RE = /^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?$/;

export class ODataService {
  constructor(
    private readonly store: EntityStore,
    private readonly svc: EntityService,
    private readonly clock: Clock,
    private readonly limits: QueryLimits,
    private readonly stats: StatsCounter,
  ) {}

  /** Handles one request; never throws (errors become OData error replies). */
  handle(req: ODataRequest, root: string, actor: Actor): Reply {
    try {
      return this.dispatch(req, root, actor);
    } catch (e) {
      if (e instanceof ODataError) return errorReply(e);
      // Unexpected failures are stand-in bugs; answer as Creatio would (500) and keep the message.
      return errorReply(
        new ODataError(
          500,
          `Internal error in the Creatio stand-in: ${(e as Error).message}`,
          'System.Exception',
        ),
      );
    }
  }

  private dispatch(req: ODataRequest, root: string, actor: Actor): Reply {
    const method = req.method.toUpperCase();
    const path = req.path.replace(/\/+$/, '');
    if (path === '') {
      requireMethod(method, 'GET');
      return odataReply(200, serviceDocument(root));
    }
    if (path === '$metadata') {
      requireMethod(method, 'GET');
      return {
        status: 200,
        headers: { 'Content-Type': 'application/xml', 'OData-Version': '4.0' },
        body: metadataXml(),
      };
    }
    if (path === '$batch')
      throw badRequest('A $batch request cannot be nested inside another $batch request.');
    const target = parseTarget(path);
    const def = schemaOf(target.set);
    const params = parseQueryString(req.query);
    this.stats.operation(method === 'PUT' ? 'patch' : method, target.set);

    if (target.count) {
      requireMethod(method, 'GET');
      const q = parseQueryOptions(params, def, this.store, 'collection');
      if (q.select || q.orderby || q.count || q.expand.length > 0)
        throw badRequest('Only $filter applies to a /$count request.');
      const { rows } = runQuery(
        this.store,
        def,
        { filter: q.filter, count: false, expand: [] },
        { ...this.limits, cap: Infinity, ramLimitRows: undefined },
      );
      return textReply(200, String(rows.length));
    }
    if (target.key === undefined) {
      if (method === 'GET') return this.getCollection(def, params, root);
      if (method === 'POST') return this.create(def, req, root, actor);
      throw methodNotAllowed(method, `the collection ${def.name}`);
    }
    if (target.property !== undefined) {
      requireMethod(method, 'GET');
      return this.getProperty(def, target, root);
    }
    switch (method) {
      case 'GET':
        return this.getEntity(def, target.key, params, root);
      case 'PATCH':
      case 'MERGE':
        return this.patch(def, target.key, req, actor, root);
      case 'DELETE':
        return this.remove(def, target.key, actor);
      case 'PUT':
        throw notModelled('PUT (full replacement); send PATCH with the changed columns');
      default:
        throw methodNotAllowed(method, `an entity of ${def.name}`);
    }
  }

  private getCollection(def: EntitySetDef, params: ReadonlyMap<string, string>, root: string): Reply {
    const q = parseQueryOptions(params, def, this.store, 'collection');
    const { rows, count } = runQuery(this.store, def, q, this.limits);
    const body: Record<string, unknown> = {
      '@odata.context': `${root}/$metadata#${def.name}${selectSuffix(q.select, q.expand)}`,
    };
    if (count !== undefined) body['@odata.count'] = count;
    body.value = rows.map((r) => projectExpanded(this.store, def, r, 'get', q.select, q.expand));
    return odataReply(200, body);
  }

  private getEntity(
    def: EntitySetDef,
    key: string,
    params: ReadonlyMap<string, string>,
    root: string,
  ): Reply {
    const q = parseQueryOptions(params, def, this.store, 'entity');
    const row = this.store.get(def.name, key);
    if (!row) throw missing(def, key);
    return odataReply(200, {
      '@odata.context': `${root}/$metadata#${def.name}${selectSuffix(q.select, q.expand)}/$entity`,
      ...projectExpanded(this.store, def, row, 'get', q.select, q.expand),
    });
  }

  private getProperty(def: EntitySetDef, target: Target, root: string): Reply {
    const col = def.byName.get(target.property!);
    if (!col) throw badRequest(`Could not find a property named '${target.property}' on type '${def.name}'.`);
    const row = this.store.get(def.name, target.key!);
    if (!row) throw missing(def, target.key!);
    const v = toJson(col, row[col.name] ?? null, 'get');
    if (target.rawValue) return v === null ? emptyReply(204) : textReply(200, String(v));
    return odataReply(200, {
      '@odata.context': `${root}/$metadata#${def.name}(${target.key})/${col.name}`,
      value: v,
    });
  }

  private create(def: EntitySetDef, req: ODataRequest, root: string, actor: Actor): Reply {
    const values = readBody(def, req, 'POST');
    const saved = this.store.atomically(() =>
      this.svc.insert(def.name, values, { actor, now: this.clock.now() }),
    );
    const location = `${root}/${def.name}(${saved.Id as string})`;
    return odataReply(
      201,
      { '@odata.context': `${root}/$metadata#${def.name}/$entity`, ...projectRow(def, saved, 'echo') },
      { Location: location, 'OData-EntityId': location },
    );
  }

  private patch(def: EntitySetDef, key: string, req: ODataRequest, actor: Actor, root: string): Reply {
    const values = readBody(def, req, 'PATCH');
    if (values.Id !== undefined && values.Id !== key)
      throw badRequest('The Id of an entity cannot be changed.');
    if (!this.store.has(def.name, key)) throw missing(def, key);
    this.store.atomically(() => this.svc.update(def.name, key, values, { actor, now: this.clock.now() }));
    // As stored after the save's own effects (mirroring may touch the row again).
    const saved = this.store.get(def.name, key)!;
    // OData 4's `Prefer: return=representation`: the entity as saved, with Preference-Applied.
    if (/\breturn=representation\b/i.test(req.prefer ?? ''))
      return odataReply(
        200,
        { '@odata.context': `${root}/$metadata#${def.name}/$entity`, ...projectRow(def, saved, 'echo') },
        { 'Preference-Applied': 'return=representation' },
      );
    return emptyReply(204);
  }

  private remove(def: EntitySetDef, key: string, actor: Actor): Reply {
    if (!this.store.has(def.name, key)) throw missing(def, key);
    this.store.atomically(() => this.svc.delete(def.name, key, { actor, now: this.clock.now() }));
    return emptyReply(204);
  }
}

function parseTarget(path: string): Target {
  const segs = path.split('/');
  const m = SEGMENT_RE.exec(segs[0]!);
  if (!m) throw notFound(`No HTTP resource was found that matches the request URI segment '${segs[0]}'.`);
  const name = m[1]!;
  if (!isSetName(name)) throw notFound(`Resource not found for the segment '${name}'.`);
  const t: Target = { set: name };
  let i = 1;
  if (m[2] !== undefined) t.key = parseKey(m[2]);
  else if (segs[1] !== undefined && isGuid(segs[1])) {
    t.key = segs[1].toLowerCase(); // key-as-segment, as in Creatio's batch examples (`City/<guid>`)
    i = 2;
  }
  const rest = segs.slice(i);
  if (rest.length === 0) return t;
  if (t.key === undefined) {
    if (rest.length === 1 && rest[0] === '$count') return { ...t, count: true };
    throw badRequest(`The path segment '${rest[0]}' is not valid after the collection '${name}'.`);
  }
  const [prop, value, ...more] = rest;
  if (prop === '$ref' || prop === '$count' || more.length > 0 || (value !== undefined && value !== '$value'))
    throw notModelled(`the path '${path}'`);
  if (prop !== undefined && schemaOf(name).byName.get(`${prop}Id`)?.lookup)
    throw notModelled(`navigation through '${prop}' in the URL path (read ${prop}Id instead)`);
  return { ...t, property: prop, rawValue: value === '$value' };
}

function parseKey(raw: string): string {
  const m = KEY_RE.exec(raw.trim());
  if (!m)
    throw badRequest(
      `The key value '${raw}' is not a valid Edm.Guid: write the bare GUID, e.g. Contact(${EMPTY_GUID}).`,
    );
  return m[1]!.toLowerCase();
}

function readBody(def: EntitySetDef, req: ODataRequest, method: string): Record<string, Value> {
  if (req.contentType !== undefined && !/^application\/json\b/i.test(req.contentType))
    throw new ODataError(
      415,
      `The content type '${req.contentType}' is not supported; send application/json.`,
    );
  if (req.bodyInvalid) throw badRequest('The request body is not valid JSON.');
  const body = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest(`A ${method} request needs a JSON object body.`);
  const out: Record<string, Value> = {};
  for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
    if (key.includes('@')) {
      if (key.endsWith('@odata.bind'))
        throw notModelled(`'${key}' (write the lookup's ${key.split('@')[0]}Id column instead)`);
      continue; // instance annotations such as @odata.type carry no data
    }
    const col: ColumnDef | undefined = def.byName.get(key);
    if (!col)
      throw badRequest(
        `The property '${key}' does not exist on type '${def.name}'. Make sure to only use property names that are defined by the type.`,
      );
    if (typeof raw === 'object' && raw !== null)
      throw notModelled(`a nested object or array in '${key}' (deep insert)`);
    out[key] = fromJson(col, raw);
  }
  if (out.Id === null) delete out.Id;
  return out;
}

function selectSuffix(select: readonly ColumnDef[] | undefined, expand: readonly ExpandItem[]): string {
  const inner = contextSelect(select, expand);
  return inner === '' ? '' : `(${inner})`;
}

function requireMethod(method: string, allowed: string): void {
  if (method !== allowed) throw methodNotAllowed(method, 'this resource');
}

const methodNotAllowed = (method: string, what: string): ODataError =>
  new ODataError(
    405,
    `The HTTP method '${method}' is not allowed on ${what}.`,
    'Microsoft.OData.ODataException',
  );

const missing = (def: EntitySetDef, key: string): ODataError =>
  notFound(`No ${def.name} with Id ${key} exists.`);
