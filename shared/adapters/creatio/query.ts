// Every value that enters a $filter or a URL goes through here: strings are quoted with '' doubling,
// GUIDs are checked to be GUIDs, and the whole expression is percent-encoded, so user data (a name with
// a quote, " and ", " or ") stays one literal and can never change the query.
import { SyncError } from '../../errors.js';

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isGuid = (s: string): boolean => GUID_RE.test(s);

/** An unquoted GUID literal; anything else is refused rather than sent. */
export function guid(s: string): string {
  if (!isGuid(s)) throw new SyncError('bad-request', 'A Creatio id is not a GUID', { side: 'crm' });
  return s.toLowerCase();
}

/** A string literal: single quotes, an inner quote doubled (OData ABNF `SQUOTE-in-string`). */
export const str = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** An unquoted Edm.DateTimeOffset literal in UTC. */
export const dateTime = (ms: number): string => new Date(ms).toISOString();

export const eqGuid = (column: string, id: string): string => `${column} eq ${guid(id)}`;

/** `(a or b or …)` of `column eq literal`; the caller bounds the number of terms. */
export const anyOf = (column: string, literals: readonly string[]): string =>
  `(${literals.map((l) => `${column} eq ${l}`).join(' or ')})`;

export interface QueryOptions {
  filter?: string;
  select?: readonly string[];
  orderby?: string;
  top?: number;
  skip?: number;
  count?: boolean;
}

/** `Set?$filter=…`: every option value percent-encoded (a `+` would otherwise read as a space). */
export function collectionUrl(set: string, q: QueryOptions): string {
  const parts: string[] = [];
  if (q.filter !== undefined) parts.push(`$filter=${encodeURIComponent(q.filter)}`);
  if (q.select) parts.push(`$select=${q.select.map(encodeURIComponent).join(',')}`);
  if (q.orderby) parts.push(`$orderby=${encodeURIComponent(q.orderby)}`);
  if (q.top !== undefined) parts.push(`$top=${Math.trunc(q.top)}`);
  if (q.skip !== undefined && q.skip > 0) parts.push(`$skip=${Math.trunc(q.skip)}`);
  if (q.count) parts.push('$count=true');
  return parts.length > 0 ? `${set}?${parts.join('&')}` : set;
}

export const entityUrl = (set: string, id: string): string => `${set}(${guid(id)})`;

/**
 * Splits items into groups whose `or` filter stays within `budget` encoded characters. One item
 * longer than the budget travels alone (a single literal cannot be split).
 */
export function chunkForFilter<T>(items: readonly T[], term: (t: T) => string, budget: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let used = 0;
  const sep = encodeURIComponent(' or ').length;
  for (const item of items) {
    const len = encodeURIComponent(term(item)).length + sep;
    if (cur.length > 0 && used + len > budget) {
      out.push(cur);
      cur = [];
      used = 0;
    }
    cur.push(item);
    used += len;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const n = Math.max(1, Math.trunc(size));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}
