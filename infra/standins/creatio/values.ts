// Conversion between the JSON wire form and stored values. Lookups are stored as null when
// empty and shown as the all-zero GUID (reference §1); text columns are never null.
import { badRequest } from './errors.js';
import { EMPTY_GUID, isGuid } from './guid.js';
import { EDM_TYPE, type ColumnDef, type EntitySetDef, type Row, type Value } from './schema.js';
import { formatMs, formatTicks, parseDate, parseDateTime } from './time.js';

export const edmType = (col: ColumnDef): string => EDM_TYPE[col.type];

const cannotConvert = (v: unknown, col: ColumnDef) =>
  badRequest(
    `Cannot convert the literal '${typeof v === 'string' ? v : JSON.stringify(v)}' to the expected type '${edmType(col)}' of property '${col.name}'.`,
  );

export function fromJson(col: ColumnDef, v: unknown): Value {
  switch (col.type) {
    case 'Guid':
      if (v === null) return null;
      if (typeof v === 'string' && isGuid(v)) {
        const g = v.toLowerCase();
        return g === EMPTY_GUID ? null : g;
      }
      throw cannotConvert(v, col);
    case 'String':
      if (v === null) return '';
      if (typeof v === 'string') return v;
      throw cannotConvert(v, col);
    case 'DateTime': {
      if (v === null) return null;
      const ms = typeof v === 'string' ? parseDateTime(v) : undefined;
      if (ms === undefined) throw cannotConvert(v, col);
      return ms;
    }
    case 'Date': {
      if (v === null) return null;
      const d = typeof v === 'string' ? parseDate(v) : undefined;
      if (d === undefined) throw cannotConvert(v, col);
      return d;
    }
    case 'Boolean':
      if (v === null) return false;
      if (typeof v === 'boolean') return v;
      throw cannotConvert(v, col);
    case 'Int':
      if (v === null) return 0;
      if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2 ** 31 - 1) return v;
      throw cannotConvert(v, col);
  }
}

export type TimeForm = 'get' | 'echo';

export function toJson(col: ColumnDef, v: Value, form: TimeForm): unknown {
  if (col.type === 'Guid') return v ?? EMPTY_GUID;
  if (col.type === 'DateTime')
    return typeof v === 'number' ? (form === 'get' ? formatMs(v) : formatTicks(v)) : null;
  return v;
}

export function projectRow(
  def: EntitySetDef,
  row: Row,
  form: TimeForm,
  select?: readonly ColumnDef[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const col of select ?? def.columns) out[col.name] = toJson(col, row[col.name] ?? null, form);
  return out;
}
