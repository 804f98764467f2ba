// Time values are epoch milliseconds, possibly fractional: Creatio keeps sub-millisecond precision
// and echoes 7 fractional digits after POST while GET shows milliseconds (reference §5).

/** How Creatio shows an empty date or date-time column. */
export const EMPTY_DATE = '0001-01-01T00:00:00Z';

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

// Epoch milliseconds in a double resolve about 0.24 µs today, so values are rounded to whole
// microseconds before formatting; the seventh fractional digit is therefore always 0.
const micros = (ms: number): number => Math.round(ms * 1000);

/** GET form: milliseconds, truncated, `Z`. */
export function formatMs(ms: number): string {
  return new Date(Math.floor(micros(ms) / 1000)).toISOString();
}

/** POST-echo form: seven fractional digits, `Z`. */
export function formatTicks(ms: number): string {
  const us = micros(ms);
  const whole = Math.floor(us / 1000);
  return `${new Date(whole).toISOString().slice(0, 23)}${pad(us - whole * 1000, 3)}0Z`;
}

const DATETIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses an Edm.DateTimeOffset (offset required); undefined when malformed. */
export function parseDateTime(s: string): number | undefined {
  const m = DATETIME_RE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec = '0', frac = '', zone = 'Z'] = m;
  const base = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +sec);
  if (!validParts(+y!, +mo!, +d!, base) || +h! > 23 || +mi! > 59 || +sec > 59) return undefined;
  const fracMs = frac ? Number(`0.${frac}`) * 1000 : 0;
  let offsetMin = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  return base + fracMs - offsetMin * 60_000;
}

/** Parses an Edm.Date `YYYY-MM-DD`; returns the canonical string or undefined. */
export function parseDate(s: string): string | undefined {
  const m = DATE_RE.exec(s);
  if (!m) return undefined;
  const base = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!);
  return validParts(+m[1]!, +m[2]!, +m[3]!, base) ? s : undefined;
}

function validParts(y: number, mo: number, d: number, utc: number): boolean {
  const dt = new Date(utc);
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

export const utcDay = (ms: number): string => new Date(Math.floor(ms)).toISOString().slice(0, 10);
