// A small generic in-memory table store: rows by Id in insertion order, equality indexes on
// lookup/flagged columns, sorted indexes on DateTime watermark columns, and an undo journal so a
// failing request or a batch change set leaves no partial writes behind.
import { SCHEMAS, type ColumnDef, type EntitySetDef, type Row, type SetName, type Value } from './schema.js';

/**
 * Ids bucketed by a numeric value, with the distinct values kept sorted. New timestamps append at
 * the end; emptied buckets are dropped lazily, so bulk deletes stay linear.
 */
class SortedIndex {
  private readonly buckets = new Map<number, Set<string>>();
  private keys: number[] = [];
  private emptyBuckets = 0;

  add(v: number, id: string): void {
    let b = this.buckets.get(v);
    if (!b) {
      this.buckets.set(v, (b = new Set()));
      const last = this.keys[this.keys.length - 1];
      if (last === undefined || last < v) this.keys.push(v);
      else this.keys.splice(lowerBound(this.keys, v, false), 0, v);
    } else if (b.size === 0) this.emptyBuckets--;
    b.add(id);
  }

  delete(v: number, id: string): void {
    const b = this.buckets.get(v);
    if (!b || !b.delete(id) || b.size > 0) return;
    if (++this.emptyBuckets > 64 && this.emptyBuckets * 2 > this.keys.length) this.compact();
  }

  private compact(): void {
    this.keys = this.keys.filter((k) => {
      if ((this.buckets.get(k)?.size ?? 0) > 0) return true;
      this.buckets.delete(k);
      return false;
    });
    this.emptyBuckets = 0;
  }

  private bounds(lower?: Bound, upper?: Bound): [number, number] {
    const from = lower ? lowerBound(this.keys, lower.v, !lower.inclusive) : 0;
    const to = upper ? lowerBound(this.keys, upper.v, upper.inclusive) : this.keys.length;
    return [from, to];
  }

  range(lower?: Bound, upper?: Bound): string[] {
    const [from, to] = this.bounds(lower, upper);
    const out: string[] = [];
    for (let i = from; i < to; i++) for (const id of this.buckets.get(this.keys[i]!) ?? []) out.push(id);
    return out;
  }

  count(lower?: Bound, upper?: Bound): number {
    const [from, to] = this.bounds(lower, upper);
    let n = 0;
    for (let i = from; i < to; i++) n += this.buckets.get(this.keys[i]!)?.size ?? 0;
    return n;
  }
}

export interface Bound {
  v: number;
  inclusive: boolean;
}

class Table {
  readonly rows = new Map<string, Row>();
  readonly seq = new Map<string, number>();
  nextSeq = 0;
  readonly hash = new Map<string, Map<string, Set<string>>>();
  readonly sorted = new Map<string, SortedIndex>();

  constructor(readonly def: EntitySetDef) {
    for (const c of def.columns) {
      if (c.indexed) this.hash.set(c.name, new Map());
      if (c.ordered) this.sorted.set(c.name, new SortedIndex());
    }
  }
}

interface JournalEntry {
  set: SetName;
  id: string;
  before: Row | undefined;
}

export class EntityStore {
  private readonly tables = new Map<SetName, Table>();
  private journal: JournalEntry[] = [];
  private depth = 0;

  constructor(readonly caseInsensitive: boolean) {
    for (const def of SCHEMAS.values()) this.tables.set(def.name, new Table(def));
  }

  private table(set: SetName): Table {
    const t = this.tables.get(set);
    if (!t) throw new Error(`unknown set ${set}`);
    return t;
  }

  get(set: SetName, id: string): Row | undefined {
    return this.table(set).rows.get(id);
  }

  has(set: SetName, id: string): boolean {
    return this.table(set).rows.has(id);
  }

  size(set: SetName): number {
    return this.table(set).rows.size;
  }

  /** Rows in insertion order (the stand-in's order when a query has no `$orderby`). */
  all(set: SetName): IterableIterator<Row> {
    return this.table(set).rows.values();
  }

  seqOf(set: SetName, id: string): number {
    return this.table(set).seq.get(id) ?? Number.MAX_SAFE_INTEGER;
  }

  /** Normalises a value the way the database compares it: text is case-insensitive by default. */
  key(col: ColumnDef, v: Value): string | undefined {
    if (v === null || v === undefined) return undefined;
    if (col.type === 'String') return this.caseInsensitive ? String(v).toLowerCase() : String(v);
    return String(v);
  }

  hasHashIndex(set: SetName, column: string): boolean {
    return this.table(set).hash.has(column);
  }

  hasSortedIndex(set: SetName, column: string): boolean {
    return this.table(set).sorted.has(column);
  }

  /** Ids whose `column` equals `value` (index lookup); empty set when none. */
  lookup(set: SetName, column: string, value: Value): ReadonlySet<string> {
    const t = this.table(set);
    const col = t.def.byName.get(column);
    const idx = t.hash.get(column);
    if (!col || !idx) throw new Error(`no index on ${set}.${column}`);
    const k = this.key(col, value);
    return (k !== undefined && idx.get(k)) || EMPTY_SET;
  }

  /** Ids whose ordered `column` lies in the range, in value order. */
  range(set: SetName, column: string, lower?: Bound, upper?: Bound): string[] {
    return this.sortedIndex(set, column).range(lower, upper);
  }

  /** Size of a range without materialising it, for choosing the cheapest index. */
  rangeSize(set: SetName, column: string, lower?: Bound, upper?: Bound): number {
    return this.sortedIndex(set, column).count(lower, upper);
  }

  private sortedIndex(set: SetName, column: string): SortedIndex {
    const idx = this.table(set).sorted.get(column);
    if (!idx) throw new Error(`no sorted index on ${set}.${column}`);
    return idx;
  }

  /** Inserts or replaces a row by its Id. No validation: callers own the rules. */
  put(set: SetName, row: Row): void {
    const t = this.table(set);
    const id = row.Id as string;
    const before = t.rows.get(id);
    this.record(set, id, before);
    if (before) this.unindex(t, before);
    else t.seq.set(id, t.nextSeq++);
    t.rows.set(id, row);
    this.index(t, row);
  }

  remove(set: SetName, id: string): Row | undefined {
    const t = this.table(set);
    const before = t.rows.get(id);
    if (!before) return undefined;
    this.record(set, id, before);
    this.unindex(t, before);
    t.rows.delete(id);
    t.seq.delete(id);
    return before;
  }

  /** Runs `f` so that a throw undoes every write it made, side effects included. */
  atomically<T>(f: () => T): T {
    const sp = this.savepoint();
    try {
      const r = f();
      this.release();
      return r;
    } catch (e) {
      this.rollback(sp);
      throw e;
    }
  }

  savepoint(): number {
    this.depth++;
    return this.journal.length;
  }

  release(): void {
    this.depth = Math.max(0, this.depth - 1);
    if (this.depth === 0) this.journal = [];
  }

  rollback(sp: number): void {
    const entries = this.journal.splice(sp);
    const depth = this.depth;
    this.depth = 0; // undo writes must not be journalled themselves
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (e.before) this.put(e.set, e.before);
      else this.remove(e.set, e.id);
    }
    this.depth = depth;
    this.release();
  }

  private record(set: SetName, id: string, before: Row | undefined): void {
    if (this.depth > 0) this.journal.push({ set, id, before });
  }

  private index(t: Table, row: Row): void {
    const id = row.Id as string;
    for (const [name, idx] of t.hash) {
      const k = this.key(t.def.byName.get(name)!, row[name] ?? null);
      if (k === undefined) continue;
      let ids = idx.get(k);
      if (!ids) idx.set(k, (ids = new Set()));
      ids.add(id);
    }
    for (const [name, idx] of t.sorted) {
      const v = row[name];
      if (typeof v === 'number') idx.add(v, id);
    }
  }

  private unindex(t: Table, row: Row): void {
    const id = row.Id as string;
    for (const [name, idx] of t.hash) {
      const k = this.key(t.def.byName.get(name)!, row[name] ?? null);
      if (k === undefined) continue;
      const ids = idx.get(k);
      ids?.delete(id);
      if (ids && ids.size === 0) idx.delete(k);
    }
    for (const [name, idx] of t.sorted) {
      const v = row[name];
      if (typeof v === 'number') idx.delete(v, id);
    }
  }
}

const EMPTY_SET: ReadonlySet<string> = new Set();

/** First index whose value is >= v (or > v when `strict`). */
function lowerBound(arr: readonly number[], v: number, strict: boolean): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const mv = arr[mid]!;
    if (mv < v || (strict && mv === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
