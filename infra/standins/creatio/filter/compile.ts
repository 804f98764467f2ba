// Type-checks a parsed `$filter` against a set's schema and turns it into a row predicate plus,
// where the shape allows, an index plan (equality on indexed columns, ranges on DateTime
// watermarks, and/or of those) so that filters on FolderId, ContactId or ModifiedOn do not scan.
import { badRequest, notModelled } from '../errors.js';
import { EMPTY_GUID } from '../guid.js';
import {
  EDM_TYPE,
  schemaOf,
  type ColumnDef,
  type ColumnType,
  type EntitySetDef,
  type Row,
  type SetName,
  type Value,
} from '../schema.js';
import type { EntityStore } from '../store.js';
import type { CmpOp, FilterNode, LitType } from './parse.js';

export type OperandType = ColumnType | 'Null';

export interface Operand {
  type: OperandType;
  get: (row: Row) => Value;
  /** Set when the operand is a literal. */
  lit?: Value;
  /** Set when the operand is a column of the queried set itself (no navigation). */
  column?: ColumnDef;
}

export interface CompiledFilter {
  test: (row: Row) => boolean;
  /** Candidate Ids from indexes, or undefined when the whole set must be scanned. */
  candidates: () => Iterable<string> | undefined;
}

const edmName = (t: OperandType): string => (t === 'Null' ? 'null' : EDM_TYPE[t]);
const OP_KIND: Record<CmpOp, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
};
const FLIP: Record<CmpOp, CmpOp> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };
const MAX_NAV_DEPTH = 4;

interface Plan {
  size: number;
  ids: () => Iterable<string>;
}

/** Resolves `Col` or a lookup path `Nav/…/Col` to a typed getter (shared by $filter and $orderby). */
export function resolvePath(def: EntitySetDef, path: string[], store: EntityStore): Operand {
  let set: EntitySetDef = def;
  const hops: { column: string; target: SetName }[] = [];
  for (let i = 0; i < path.length - 1; i++) {
    if (hops.length >= MAX_NAV_DEPTH)
      throw notModelled(`navigation paths deeper than ${MAX_NAV_DEPTH} in $filter`);
    const nav = path[i]!;
    const col = set.byName.get(`${nav}Id`);
    if (!col || col.type !== 'Guid' || !col.lookup)
      throw badRequest(`Could not find a navigation property named '${nav}' on type '${set.name}'.`);
    if (!col.lookup.target)
      throw notModelled(`the lookup path '${path.slice(0, i + 1).join('/')}' (its target is not modelled)`);
    hops.push({ column: col.name, target: col.lookup.target });
    set = schemaOf(col.lookup.target);
  }
  const name = path[path.length - 1]!;
  const col = set.byName.get(name);
  if (!col) throw badRequest(`Could not find a property named '${name}' on type '${set.name}'.`);
  if (hops.length === 0) return { type: col.type, get: (row) => row[name] ?? null, column: col };
  return {
    type: col.type,
    get: (row) => {
      let cur: Row | undefined = row;
      for (const h of hops) {
        const id: Value | undefined = cur[h.column];
        cur = typeof id === 'string' ? store.get(h.target, id) : undefined;
        if (!cur) return null;
      }
      return cur[name] ?? null;
    },
  };
}

/** Value order as the database compares: numbers and ISO strings natively, text case-insensitively by default. */
export function comparator(type: OperandType, ci: boolean): (a: Value, b: Value) => number {
  if (type === 'String' && ci)
    return (a, b) => {
      const x = String(a).toLowerCase();
      const y = String(b).toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    };
  return (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);
}

export function compileFilter(root: FilterNode, def: EntitySetDef, store: EntityStore): CompiledFilter {
  const ci = store.caseInsensitive;

  const litValue = (type: LitType, v: string | number | boolean | null): { type: OperandType; v: Value } => {
    switch (type) {
      case 'Number':
        return { type: 'Int', v: v as number };
      case 'Guid':
        return { type: 'Guid', v: v === EMPTY_GUID ? null : (v as string) };
      default:
        return { type, v: v as Value };
    }
  };

  const operand = (n: FilterNode): Operand => {
    if (n.k === 'lit') {
      const { type, v } = litValue(n.type, n.v);
      return { type, get: () => v, lit: v };
    }
    if (n.k === 'prop') return resolvePath(def, n.path, store);
    return { type: 'Boolean', get: predicate(n) as (row: Row) => Value };
  };

  const cmpPredicate = (op: CmpOp, l: Operand, r: Operand): ((row: Row) => boolean) => {
    const lt = l.type;
    const rt = r.type;
    if (lt !== 'Null' && rt !== 'Null' && lt !== rt)
      throw badRequest(
        `A binary operator with incompatible types was detected. Found operand types '${edmName(lt)}' and '${edmName(rt)}' for operator kind '${OP_KIND[op]}'.`,
      );
    const c = comparator(lt === 'Null' ? rt : lt, ci);
    const L = l.get;
    const R = r.get;
    switch (op) {
      case 'eq':
        return (row) => {
          const a = L(row);
          const b = R(row);
          return a === null || b === null ? a === b : c(a, b) === 0;
        };
      case 'ne':
        return (row) => {
          const a = L(row);
          const b = R(row);
          return a === null || b === null ? a !== b : c(a, b) !== 0;
        };
      default: {
        const ok =
          op === 'gt'
            ? (x: number) => x > 0
            : op === 'ge'
              ? (x: number) => x >= 0
              : op === 'lt'
                ? (x: number) => x < 0
                : (x: number) => x <= 0;
        return (row) => {
          const a = L(row);
          const b = R(row);
          return a !== null && b !== null && ok(c(a, b));
        };
      }
    }
  };

  const predicate = (n: FilterNode): ((row: Row) => boolean) => {
    switch (n.k) {
      case 'and': {
        const ps = n.items.map(predicate);
        return (row) => ps.every((p) => p(row));
      }
      case 'or': {
        const ps = n.items.map(predicate);
        return (row) => ps.some((p) => p(row));
      }
      case 'not': {
        const p = predicate(n.x);
        return (row) => !p(row);
      }
      case 'cmp':
        return cmpPredicate(n.op, operand(n.l), operand(n.r));
      default: {
        const o = operand(n);
        if (o.type !== 'Boolean')
          throw badRequest('The $filter expression must evaluate to a single boolean value.');
        return (row) => o.get(row) === true;
      }
    }
  };

  const plan = (n: FilterNode): Plan | undefined => {
    if (n.k === 'and') {
      let best: Plan | undefined;
      for (const item of n.items) {
        const p = plan(item);
        if (p && (!best || p.size < best.size)) best = p;
      }
      return best;
    }
    if (n.k === 'or') {
      const parts: Plan[] = [];
      for (const item of n.items) {
        const p = plan(item);
        if (!p) return undefined;
        parts.push(p);
      }
      return {
        size: parts.reduce((s, p) => s + p.size, 0),
        ids: () => {
          const out = new Set<string>();
          for (const p of parts) for (const id of p.ids()) out.add(id);
          return out;
        },
      };
    }
    if (n.k !== 'cmp') return undefined;
    let l = operand(n.l);
    let r = operand(n.r);
    let op = n.op;
    if (!l.column && r.column) {
      [l, r] = [r, l];
      op = FLIP[op];
    }
    const col = l.column;
    if (!col || !('lit' in r) || r.lit === null || r.lit === undefined) return undefined;
    const v = r.lit;
    if (op === 'eq' && col.name === 'Id') {
      const id = String(v);
      return store.has(def.name, id) ? { size: 1, ids: () => [id] } : { size: 0, ids: () => [] };
    }
    if (op === 'eq' && store.hasHashIndex(def.name, col.name)) {
      const ids = store.lookup(def.name, col.name, v);
      return { size: ids.size, ids: () => ids };
    }
    if (op !== 'eq' && op !== 'ne' && typeof v === 'number' && store.hasSortedIndex(def.name, col.name)) {
      const lower = op === 'gt' || op === 'ge' ? { v, inclusive: op === 'ge' } : undefined;
      const upper = op === 'lt' || op === 'le' ? { v, inclusive: op === 'le' } : undefined;
      return {
        size: store.rangeSize(def.name, col.name, lower, upper),
        ids: () => store.range(def.name, col.name, lower, upper),
      };
    }
    return undefined;
  };

  const test = predicate(root);
  const p = plan(root);
  return { test, candidates: () => p?.ids() };
}
