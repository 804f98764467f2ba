// Conversion between the JSON wire form and stored values. Creatio shows no nulls: an empty lookup is
// the all-zero GUID (reference §1), an empty date or date-time 0001-01-01T00:00:00Z (.NET's
// DateTime.MinValue; Creatio Academy's OData 4 "add data" example answers a name-only contact with
// `"BirthDate": "0001-01-01T00:00:00Z"`), text "", numbers 0, flags false. Stored, empty is null.
import { badRequest, dbError } from './errors.js';
import { EMPTY_GUID, isGuid } from './guid.js';
import { EDM_TYPE, type ColumnDef, type EntitySetDef, type Row, type Value } from './schema.js';
import { EMPTY_DATE, formatMs, formatTicks, parseDate, parseDateTime } from './time.js';

export const edmType = (col: ColumnDef): string => EDM_TYPE[col.type];

const cannotConvert = (v: unknown, col: ColumnDef) =>
  badRequest(
    `Cannot convert the literal '${typeof v === 'string' ? v : JSON.stringify(v)}' to the expected type '${edmType(col)}' of property '${col.name}'.`,
  );

// SQL Server's refusal of a value longer than its nvarchar column (message 8152; 2019+ adds the table,
// column and value as message 2628). Creatio passes database errors on as a 500; the value is left
// out here so that personal data never reaches a log.
const tooLong = (col: ColumnDef) =>
  dbError(`String or binary data would be truncated in column '${col.name}' (at most ${col.maxLength}).`);

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
      if (typeof v !== 'string') throw cannotConvert(v, col);
      if (col.maxLength !== undefined && v.length > col.maxLength) throw tooLong(col);
      return v;
    case 'DateTime': {
      if (v === null || isEmptyDate(v)) return null;
      const ms = typeof v === 'string' ? parseDateTime(v) : undefined;
      if (ms === undefined) throw cannotConvert(v, col);
      return ms;
    }
    case 'Date': {
      if (v === null || isEmptyDate(v)) return null;
      // Shown as a date-time at midnight UTC; another time of day is refused and the bare `YYYY-MM-DD`
      // form accepted (both ours: Creatio's answer to either is unknown).
      const d =
        typeof v === 'string'
          ? parseDate(v.replace(/T00:00(?::00(?:\.0{1,7})?)?(?:Z|[+-]00:00)$/, ''))
          : undefined;
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

/** The empty date in any spelling a client may send back: 0001-01-01, midnight, UTC. */
function isEmptyDate(v: unknown): boolean {
  return typeof v === 'string' && /^0001-01-01(?:T00:00(?::00(?:\.0{1,7})?)?(?:Z|[+-]00:00))?$/.test(v);
}

export type TimeForm = 'get' | 'echo';

export function toJson(col: ColumnDef, v: Value, form: TimeForm): unknown {
  if (col.type === 'Guid') return v ?? EMPTY_GUID;
  if (col.type === 'DateTime')
    return typeof v === 'number' ? (form === 'get' ? formatMs(v) : formatTicks(v)) : EMPTY_DATE;
  if (col.type === 'Date') return typeof v === 'string' ? `${v}T00:00:00Z` : EMPTY_DATE;
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
