// `$expand` of lookup navigations, as OData 4 defines it (reference §1: a lookup column `<Name>Id` has
// the navigation `<Name>`; §3: `$expand` is a standard option): `Contact($select=Id,Name;$expand=…)`
// puts the referenced entity inline as an object (null when the lookup is empty), nested `$select`
// and `$expand` honoured. Collection navigations (`…CollectionByContact`) are not modelled: whether
// Creatio expands them is unknown (reference §3).
import { badRequest, notModelled } from './errors.js';
import { schemaOf, type ColumnDef, type EntitySetDef, type Row, type SetName } from './schema.js';
import type { EntityStore } from './store.js';
import { projectRow, type TimeForm } from './values.js';

export interface ExpandItem {
  /** The navigation name (`Contact` for the column `ContactId`). */
  nav: string;
  column: string;
  target: SetName;
  select?: ColumnDef[];
  expand: ExpandItem[];
}

/** Nesting depth we accept; deeper expansions are valid OData the stand-in does not model. */
const MAX_DEPTH = 3;

/** Splits on `sep` at parenthesis depth 0. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (depth < 0) throw badRequest(`Unbalanced parentheses in $expand near '${cur}'.`);
    if (ch === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) throw badRequest(`Unbalanced parentheses in $expand near '${cur}'.`);
  out.push(cur);
  return out;
}

export function parseExpand(
  value: string,
  def: EntitySetDef,
  parseSelect: (value: string, def: EntitySetDef) => ColumnDef[] | undefined,
  depth = 1,
): ExpandItem[] {
  if (depth > MAX_DEPTH) throw notModelled(`$expand nested deeper than ${MAX_DEPTH}`);
  const items: ExpandItem[] = [];
  for (const raw of splitTop(value, ',')) {
    const text = raw.trim();
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?$/s.exec(text);
    if (!m) {
      if (text === '*') throw notModelled("'$expand=*'");
      throw badRequest(`Syntax error in $expand near '${text}'.`);
    }
    const nav = m[1]!;
    const col = def.byName.get(`${nav}Id`);
    if (!col || col.type !== 'Guid' || !col.lookup) {
      if (nav.includes('CollectionBy')) throw notModelled(`the collection navigation '${nav}' in $expand`);
      throw badRequest(`Could not find a property named '${nav}' on type '${def.name}'.`);
    }
    if (!col.lookup.target) throw notModelled(`$expand of '${nav}' (its target set is not modelled)`);
    const target = schemaOf(col.lookup.target);
    const item: ExpandItem = { nav, column: col.name, target: target.name, expand: [] };
    if (m[2] !== undefined && m[2].trim() !== '') {
      for (const opt of splitTop(m[2], ';')) {
        const eq = opt.indexOf('=');
        const key = (eq < 0 ? opt : opt.slice(0, eq)).trim();
        const val = eq < 0 ? '' : opt.slice(eq + 1);
        if (key === '$select') item.select = parseSelect(val, target);
        else if (key === '$expand') item.expand = parseExpand(val, target, parseSelect, depth + 1);
        else if (['$filter', '$orderby', '$top', '$skip', '$count', '$levels', '$search'].includes(key))
          throw notModelled(`'${key}' inside $expand of the single-valued navigation '${nav}'`);
        else throw badRequest(`The query option '${key}' is not valid inside $expand.`);
      }
    }
    if (items.some((i) => i.nav === nav))
      throw badRequest(`The navigation '${nav}' is expanded more than once.`);
    items.push(item);
  }
  return items;
}

/** A row as a GET shows it, with its expanded navigations inline. */
export function projectExpanded(
  store: EntityStore,
  def: EntitySetDef,
  row: Row,
  form: TimeForm,
  select: readonly ColumnDef[] | undefined,
  expand: readonly ExpandItem[],
): Record<string, unknown> {
  const out = projectRow(def, row, form, select);
  for (const e of expand) {
    const id = row[e.column];
    const related = typeof id === 'string' ? store.get(e.target, id) : undefined;
    out[e.nav] = related
      ? projectExpanded(store, schemaOf(e.target), related, form, e.select, e.expand)
      : null;
  }
  return out;
}

/** Entities one row brings along: what an expansion adds to a reply's memory (see README). */
export function expandedWeight(expand: readonly ExpandItem[]): number {
  return expand.reduce((n, e) => n + 1 + expandedWeight(e.expand), 0);
}

/** The context URL's select list: `Id,ContactId,Contact(Id,Name)` (OData 4 §10). */
export function contextSelect(
  select: readonly ColumnDef[] | undefined,
  expand: readonly ExpandItem[],
): string {
  const parts = [
    ...(select ? select.map((c) => c.name) : expand.length > 0 ? ['*'] : []),
    ...expand.map((e) => {
      const inner = contextSelect(e.select, e.expand);
      return `${e.nav}(${inner === '' ? '' : inner})`;
    }),
  ];
  return parts.join(',');
}
