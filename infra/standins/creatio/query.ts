// OData query options ($filter, $select, $orderby, $top, $skip, $count) and their evaluation
// over the store. Replies are capped at maxRecordsPerReply without a nextLink (reference §3).
import { badRequest, notModelled, ramLimitError } from './errors.js';
import { comparator, compileFilter, resolvePath } from './filter/compile.js';
import { parseFilter } from './filter/parse.js';
import { expandedWeight, parseExpand, type ExpandItem } from './expand.js';
import type { ColumnDef, EntitySetDef, Row, Value } from './schema.js';
import type { EntityStore } from './store.js';

export interface OrderKey {
  get: (row: Row) => Value;
  cmp: (a: Value, b: Value) => number;
  desc: boolean;
}

export interface QueryOptions {
  filter?: string;
  select?: ColumnDef[];
  expand: ExpandItem[];
  orderby?: OrderKey[];
  top?: number;
  skip?: number;
  count: boolean;
}

export interface QueryLimits {
  cap: number;
  ramLimitRows?: number;
  ramLimitMb: number;
}

const KNOWN_UNSUPPORTED = new Set([
  '$search',
  '$apply',
  '$compute',
  '$skiptoken',
  '$deltatoken',
  '$levels',
  '$index',
  '$schemaversion',
  '$id',
]);
const SUPPORTED = new Set([
  '$filter',
  '$select',
  '$expand',
  '$orderby',
  '$top',
  '$skip',
  '$count',
  '$format',
]);

/** Splits a raw query string the way ASP.NET does: `+` is a space, a repeated option is an error. */
export function parseQueryString(qs: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!qs) return out;
  for (const part of qs.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawVal = eq < 0 ? '' : part.slice(eq + 1);
    let key: string;
    let val: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      val = decodeURIComponent(rawVal.replace(/\+/g, ' '));
    } catch {
      throw badRequest(`The query string is not correctly percent-encoded near '${rawKey}'.`);
    }
    if (out.has(key))
      throw badRequest(
        `Query option '${key}' was specified more than once; it must be specified at most once.`,
      );
    out.set(key, val);
  }
  return out;
}

export function parseQueryOptions(
  params: ReadonlyMap<string, string>,
  def: EntitySetDef,
  store: EntityStore,
  scope: 'collection' | 'entity',
): QueryOptions {
  const q: QueryOptions = { count: false, expand: [] };
  let expand: string | undefined;
  for (const [key, value] of params) {
    if (!key.startsWith('$')) continue; // custom query options are ignored, as OData allows
    if (KNOWN_UNSUPPORTED.has(key)) throw notModelled(`the query option '${key}'`);
    if (!SUPPORTED.has(key)) throw badRequest(`The query parameter '${key}' is not supported.`);
    if (scope === 'entity' && key !== '$select' && key !== '$expand' && key !== '$format')
      throw badRequest(`The query option '${key}' is not allowed on a single entity.`);
    switch (key) {
      case '$filter':
        q.filter = value;
        break;
      case '$select':
        q.select = parseSelect(value, def);
        break;
      case '$expand':
        expand = value;
        break;
      case '$orderby':
        q.orderby = parseOrderBy(value, def, store);
        break;
      case '$top':
        q.top = parseNonNegative(key, value);
        break;
      case '$skip':
        q.skip = parseNonNegative(key, value);
        break;
      case '$count':
        if (value !== 'true' && value !== 'false')
          throw badRequest(`'${value}' is not a valid value for $count; use true or false.`);
        q.count = value === 'true';
        break;
      case '$format':
        if (!/^(json|application\/json\b.*)$/i.test(value)) throw notModelled(`$format=${value}`);
        break;
    }
  }
  // After the loop: an expansion's nested $select is read against its own set, in any option order.
  if (expand !== undefined) q.expand = parseExpand(expand, def, parseSelect);
  return q;
}

function parseNonNegative(key: string, value: string): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) > 2 ** 31 - 1)
    throw badRequest(`Invalid value '${value}' for ${key} query option; a non-negative integer is expected.`);
  return Number(value);
}

function parseSelect(value: string, def: EntitySetDef): ColumnDef[] | undefined {
  const names = value.split(',').map((s) => s.trim());
  if (names.includes('*')) return undefined;
  const out: ColumnDef[] = [];
  for (const name of names) {
    if (name === '') throw badRequest('$select contains an empty item.');
    if (name.includes('/') || name.includes('('))
      throw notModelled(`'${name}' in $select (only plain columns)`);
    const col = def.byName.get(name);
    if (!col) throw badRequest(`Could not find a property named '${name}' on type '${def.name}'.`);
    if (!out.includes(col)) out.push(col);
  }
  return out;
}

const ORDER_ITEM = /^([A-Za-z_][A-Za-z0-9_]*(?:\/[A-Za-z_][A-Za-z0-9_]*)*)(?:\s+(asc|desc))?$/;

function parseOrderBy(value: string, def: EntitySetDef, store: EntityStore): OrderKey[] {
  const keys: OrderKey[] = [];
  for (const raw of value.split(',')) {
    const item = raw.trim();
    const m = ORDER_ITEM.exec(item);
    if (!m) {
      if (item.includes('(')) throw notModelled(`the expression '${item}' in $orderby`);
      throw badRequest(`Syntax error in $orderby near '${item}'.`);
    }
    const op = resolvePath(def, m[1]!.split('/'), store);
    keys.push({ get: op.get, cmp: comparator(op.type, store.caseInsensitive), desc: m[2] === 'desc' });
  }
  return keys;
}

export interface QueryResult {
  rows: Row[];
  count?: number;
}

export function runQuery(
  store: EntityStore,
  def: EntitySetDef,
  q: QueryOptions,
  limits: QueryLimits,
): QueryResult {
  const filter = q.filter === undefined ? undefined : compileFilter(parseFilter(q.filter), def, store);
  const skip = q.skip ?? 0;
  const take = Math.min(q.top ?? Number.MAX_SAFE_INTEGER, limits.cap);
  // Without a count or an order, matching can stop once the page is full.
  const stopAfter = !q.count && !q.orderby ? skip + take : Number.MAX_SAFE_INTEGER;

  let matched: Row[] = [];
  const candidateIds = filter?.candidates();
  if (candidateIds) {
    for (const id of candidateIds) {
      const row = store.get(def.name, id);
      if (row && filter!.test(row)) matched.push(row);
    }
    // Index order is not table order; restore it so unordered results stay deterministic.
    matched.sort((a, b) => store.seqOf(def.name, a.Id as string) - store.seqOf(def.name, b.Id as string));
    if (matched.length > stopAfter) matched.length = stopAfter;
  } else {
    for (const row of store.all(def.name)) {
      if (matched.length >= stopAfter) break;
      if (!filter || filter.test(row)) matched.push(row);
    }
  }

  const count = q.count ? matched.length : undefined;
  if (q.orderby) matched = sortRows(matched, q.orderby);
  const page = matched.slice(skip, skip + take);
  // An expanded row holds its related entities too: each one weighs as a row of its own (ours).
  const weight = page.length * (1 + expandedWeight(q.expand));
  if (limits.ramLimitRows !== undefined && weight > limits.ramLimitRows)
    throw ramLimitError(limits.ramLimitMb);
  return { rows: page, count };
}

/** Stable multi-key sort; nulls sort first ascending, as SQL Server does (assumption for PostgreSQL hosts). */
export function sortRows(rows: Row[], keys: readonly OrderKey[]): Row[] {
  const decorated = rows.map((row) => ({ row, vals: keys.map((k) => k.get(row)) }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const x = a.vals[i] ?? null;
      const y = b.vals[i] ?? null;
      let c: number;
      if (x === null || y === null) c = x === y ? 0 : x === null ? -1 : 1;
      else c = k.cmp(x, y);
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  });
  return decorated.map((d) => d.row);
}
