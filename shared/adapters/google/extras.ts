// The Google data the canonical contact does not carry, kept with the link (SideRecord.extra) so that
// rewriting a Person field, which replaces it wholesale, gives back what we do not map. Keyed by the
// canonical value it belongs to, so it is reapplied only while that value is unchanged.
import { z } from 'zod';
import { flat } from '../../flat.js';

export interface Extra {
  /** Name parts we do not map: honorifics, phonetic names. */
  n?: Record<string, string>;
  /** By normalised address: the address as typed (v), the exact label (t, '' = none), displayName (d). */
  e?: Record<string, { v?: string; t?: string; d?: string }>;
  /** By phone key: the exact Google type ('' = none), when it is not the default for its canonical type. */
  p?: Record<string, string>;
  /** The first organization's unmapped fields (f) and every further organization (r). */
  o?: { f?: Record<string, unknown>; r?: Record<string, unknown>[] };
  /** By address key: the exact type (t, '' = none) and unmapped fields (x). */
  a?: Record<string, { t?: string; x?: Record<string, unknown> }>;
  /** The birthday's free text (t), for the canonical date it came with (d). */
  b?: { d: string; t: string };
  /** The biography's content type, when not plain text. */
  c?: string;
}

export type ExtraPart = keyof Extra;

/** Person fields we write, and the part of Extra each one owns. */
export const PART_OF: Record<string, ExtraPart> = {
  names: 'n',
  emailAddresses: 'e',
  phoneNumbers: 'p',
  organizations: 'o',
  addresses: 'a',
  birthdays: 'b',
  biographies: 'c',
};

const loose = z.record(z.string(), z.unknown());
const extraSchema = z.object({
  n: z.record(z.string(), z.string()).optional(),
  e: z
    .record(
      z.string(),
      z.object({ v: z.string().optional(), t: z.string().optional(), d: z.string().optional() }),
    )
    .optional(),
  p: z.record(z.string(), z.string()).optional(),
  o: z.object({ f: loose.optional(), r: z.array(loose).optional() }).optional(),
  a: z.record(z.string(), z.object({ t: z.string().optional(), x: loose.optional() })).optional(),
  b: z.object({ d: z.string(), t: z.string() }).optional(),
  c: z.string().optional(),
});

/** Unreadable extra (an older format, a corrupted link) only costs preservation, never the sync. */
export function decodeExtra(s: string | null | undefined): Extra {
  if (!s) return {};
  try {
    const parsed = extraSchema.safeParse(JSON.parse(s));
    return parsed.success ? (parsed.data as Extra) : {};
  } catch {
    return {};
  }
}

const isEmpty = (v: unknown): boolean =>
  v === undefined ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/** Sorted keys, so that one Person always gives the same string and an echo changes no link. */
function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = stable((v as Record<string, unknown>)[k]);
      if (!isEmpty(x)) out[k] = x;
    }
    return out;
  }
  return v;
}

export function encodeExtra(e: Extra): string | null {
  const s = stable(e);
  return isEmpty(s) ? null : flat(JSON.stringify(s));
}

/** `base` with the parts owned by the written Person fields taken from `written`. */
export function mergeExtra(base: Extra, written: Extra, personFields: readonly string[]): Extra {
  const out: Record<string, unknown> = { ...base };
  for (const f of personFields) {
    const part = PART_OF[f];
    if (part === undefined) continue;
    if (written[part] === undefined) delete out[part];
    else out[part] = written[part];
  }
  return out as Extra;
}
