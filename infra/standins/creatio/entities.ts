// Entity saves with Creatio's generic rules (system columns, foreign keys, cascades) and per-set
// event hooks. "Full" operations run the hooks, as an Entity.Save() does in Creatio; "raw" ones
// write directly, as the platform's own `Update`/`Delete` queries do (no events, no ModifiedOn).
import { dbError, notFound } from './errors.js';
import { newGuid } from './guid.js';
import { defaultValue, referencesTo, schemaOf, type Row, type SetName, type Value } from './schema.js';
import type { EntityStore } from './store.js';

export interface Actor {
  userName: string;
  contactId: string;
  timeZoneOffsetMinutes: number;
}

export interface WriteCtx {
  actor: Actor;
  now: number;
}

export type MutableRow = Record<string, Value>;

export interface SavingEvent {
  set: SetName;
  prev: Row | undefined;
  next: MutableRow;
  /** Creatio's "column changed": differs from the stored value, or from the default on insert. */
  changed(column: string): boolean;
}

export interface SetHooks {
  saving?(e: SavingEvent, svc: EntityService, ctx: WriteCtx): void;
  saved?(row: Row, prev: Row | undefined, svc: EntityService, ctx: WriteCtx): void;
  deleted?(row: Row, svc: EntityService, ctx: WriteCtx): void;
}

const SYSTEM_ON_INSERT = ['CreatedOn', 'CreatedById', 'ModifiedOn', 'ModifiedById'];

export class EntityService {
  constructor(
    readonly store: EntityStore,
    private readonly hooks: Partial<Record<SetName, SetHooks>>,
  ) {}

  /** Inserts with events. `values` hold only the columns the caller set (system columns are ignored). */
  insert(set: SetName, values: Readonly<Record<string, Value>>, ctx: WriteCtx): Row {
    const def = schemaOf(set);
    const next: MutableRow = {};
    for (const col of def.columns) next[col.name] = defaultValue(col);
    for (const [k, v] of Object.entries(values)) if (!def.byName.get(k)?.system) next[k] = v;
    if (typeof next.Id !== 'string') next.Id = newGuid();
    const id = next.Id as string;
    if (this.store.has(set, id))
      throw dbError(
        `Violation of PRIMARY KEY constraint 'PK${set}Id'. Cannot insert duplicate key in object 'dbo.${set}'. The duplicate key value is (${id}).`,
      );
    for (const c of SYSTEM_ON_INSERT) next[c] = c.endsWith('On') ? ctx.now : ctx.actor.contactId;
    this.hooks[set]?.saving?.(
      { set, prev: undefined, next, changed: (c) => next[c] !== defaultValue(def.byName.get(c)!) },
      this,
      ctx,
    );
    this.checkForeignKeys(set, next, undefined);
    const saved = Object.freeze({ ...next });
    this.store.put(set, saved);
    this.hooks[set]?.saved?.(saved, undefined, this, ctx);
    return saved;
  }

  /** Updates with events; ModifiedOn/ModifiedById are always restamped (assumption, see README). */
  update(set: SetName, id: string, values: Readonly<Record<string, Value>>, ctx: WriteCtx): Row {
    const def = schemaOf(set);
    const prev = this.store.get(set, id);
    if (!prev) throw notFound(`No ${set} with Id ${id} exists.`);
    const next: MutableRow = { ...prev };
    for (const [k, v] of Object.entries(values)) if (k !== 'Id' && !def.byName.get(k)?.system) next[k] = v;
    next.ModifiedOn = ctx.now;
    next.ModifiedById = ctx.actor.contactId;
    this.hooks[set]?.saving?.({ set, prev, next, changed: (c) => next[c] !== prev[c] }, this, ctx);
    this.checkForeignKeys(set, next, prev);
    const saved = Object.freeze({ ...next });
    this.store.put(set, saved);
    this.hooks[set]?.saved?.(saved, prev, this, ctx);
    return saved;
  }

  /** Deletes with events on the row itself; cascaded rows go without events, as a database cascade does. */
  delete(set: SetName, id: string, ctx: WriteCtx): void {
    const row = this.store.get(set, id);
    if (!row) throw notFound(`No ${set} with Id ${id} exists.`);
    const doomed = this.cascadeClosure(set, id);
    this.checkRestrict(doomed);
    for (const [s, ids] of doomed) for (const i of ids) this.store.remove(s, i);
    this.hooks[set]?.deleted?.(row, this, ctx);
  }

  rawUpdate(set: SetName, id: string, patch: Readonly<Record<string, Value>>): void {
    const prev = this.store.get(set, id);
    if (prev) this.store.put(set, Object.freeze({ ...prev, ...patch }));
  }

  rawDelete(set: SetName, id: string): void {
    this.store.remove(set, id);
  }

  /** Rows of `set` whose indexed `column` equals `value`. */
  rowsBy(set: SetName, column: string, value: Value): Row[] {
    const out: Row[] = [];
    for (const id of this.store.lookup(set, column, value)) {
      const r = this.store.get(set, id);
      if (r) out.push(r);
    }
    return out;
  }

  private checkForeignKeys(set: SetName, next: MutableRow, prev: Row | undefined): void {
    for (const col of schemaOf(set).columns) {
      const target = col.lookup?.target;
      const v = next[col.name];
      if (!target || typeof v !== 'string' || (prev && prev[col.name] === v)) continue;
      if (target === set && v === next.Id) continue;
      if (!this.store.has(target, v))
        throw dbError(
          `The ${prev ? 'UPDATE' : 'INSERT'} statement conflicted with the FOREIGN KEY constraint "FK${set}${col.name}". The conflict occurred in table "dbo.${target}", column 'Id' (value ${v}).`,
        );
    }
  }

  private cascadeClosure(set: SetName, id: string): Map<SetName, Set<string>> {
    const doomed = new Map<SetName, Set<string>>([[set, new Set([id])]]);
    const queue: [SetName, string][] = [[set, id]];
    // Bounded: every row enters the queue at most once.
    while (queue.length > 0) {
      const [s, i] = queue.pop()!;
      for (const ref of referencesTo(s)) {
        if (ref.column.lookup?.onDelete !== 'cascade') continue;
        for (const child of this.store.lookup(ref.set, ref.column.name, i)) {
          let ids = doomed.get(ref.set);
          if (!ids) doomed.set(ref.set, (ids = new Set()));
          if (ids.has(child)) continue;
          ids.add(child);
          queue.push([ref.set, child]);
        }
      }
    }
    return doomed;
  }

  private checkRestrict(doomed: Map<SetName, Set<string>>): void {
    for (const [s, ids] of doomed) {
      for (const i of ids) {
        for (const ref of referencesTo(s)) {
          if (ref.column.lookup?.onDelete !== 'restrict') continue;
          for (const child of this.store.lookup(ref.set, ref.column.name, i)) {
            if (doomed.get(ref.set)?.has(child)) continue;
            throw dbError(
              `The DELETE statement conflicted with the REFERENCE constraint "FK${ref.set}${ref.column.name}". The conflict occurred in table "dbo.${ref.set}", column '${ref.column.name}'.`,
            );
          }
        }
      }
    }
  }
}
