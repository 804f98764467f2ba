// An oracle that judges a sync by what the users did, not by whether the two sides agree. It keeps its
// own model of each person (the values each user left on each side, and when), its own simple
// comparison (never the engine's normalizeContact or contactsEqual), and from them derives what a
// clean run must show, field by field: one side's edit arrives; both sides' edits of one field go to
// the conflict policy's winner; a list edited on both sides keeps every added item and loses every
// removed one; at a first pairing an empty value never wipes the other side's.
import type { Contact, Side } from '../../../shared/sync/index.js';

export type Policy = 'newest-wins' | 'crm-wins' | 'google-wins';
export const JUDGED = [
  'familyName',
  'jobTitle',
  'company',
  'notes',
  'department',
  'phones',
  'birthday',
  'emails',
] as const;
export type Judged = (typeof JUDGED)[number];
const LISTS: readonly Judged[] = ['phones', 'emails'];

/** A field's value in the oracle's own form: text trimmed with runs of blanks folded; a list as a set of keys. */
export type Value = string | string[];
export type Values = Record<Judged, Value>;

const text = (s: unknown): string =>
  String(s ?? '')
    .replace(/\s+/g, ' ')
    .trim();
const phone = (s: string): string => {
  const digits = s.replace(/[^0-9]/g, '');
  return s.trim().startsWith('+') ? `+${digits}` : digits;
};

/** The oracle's reading of a contact as a side stores it: deliberately simpler than the product's. */
export function valuesOf(c: Contact): Values {
  const out = {} as Values;
  for (const f of JUDGED) {
    if (f === 'emails') out.emails = [...new Set(c.emails.map((e) => e.address.trim().toLowerCase()))].sort();
    else if (f === 'phones') out.phones = [...new Set(c.phones.map((p) => phone(p.number)))].sort();
    else out[f] = text(c[f]);
  }
  return out;
}

export const same = (a: Value, b: Value): boolean => JSON.stringify(a) === JSON.stringify(b);
const empty = (v: Value): boolean => (Array.isArray(v) ? v.length === 0 : v === '');
export const show = (v: Value): string => (Array.isArray(v) ? `[${v.join(',')}]` : JSON.stringify(v));

/** What each user left on their side, and when they last changed that record. */
export interface SideState {
  values: Values;
  touched: number;
}

/**
 * The value a clean run must leave on both sides. `base` is the value both sides last agreed on
 * (null at a first pairing); `crm`/`google` what each side holds now (null when the side has no record
 * of its own yet: the other side's value is copied).
 */
export function expectedField(
  f: Judged,
  base: Values | null,
  crm: SideState | null,
  google: SideState | null,
  policy: Policy,
): Value {
  if (crm === null) return google!.values[f];
  if (google === null) return crm.values[f];
  const c = crm.values[f];
  const g = google.values[f];
  if (same(c, g)) return c;
  const crmChanged = base === null || !same(base[f], c);
  const googleChanged = base === null || !same(base[f], g);
  if (!googleChanged) return c;
  if (!crmChanged) return g;
  // Both changed: the later change wins (a tie to the CRM), unless a side always wins.
  const winner: Side =
    policy === 'crm-wins'
      ? 'crm'
      : policy === 'google-wins'
        ? 'google'
        : google.touched > crm.touched
          ? 'google'
          : 'crm';
  if (LISTS.includes(f)) {
    // Sets: every item either side added stays; an item either side removed since the base is gone.
    const was = new Set((base?.[f] as string[] | undefined) ?? []);
    const has = { c: new Set(c as string[]), g: new Set(g as string[]) };
    const all = new Set([...(c as string[]), ...(g as string[])]);
    return [...all].filter((k) => !(was.has(k) && (!has.c.has(k) || !has.g.has(k)))).sort();
  }
  // A first pairing never lets an empty value wipe the other side's.
  if (base === null && empty(c)) return g;
  if (base === null && empty(g)) return c;
  return winner === 'crm' ? c : g;
}
