// The Google side's cursor: the group (so later runs need not look it up), the sync token, the
// fingerprints of our own recent writes, so that their echo in the next incremental read is dropped
// before it reaches the engine, and the prints of the account's emails (prints.ts) with the time the
// token was taken, so that lookups need not list the account. Fingerprints are 48-bit hashes of
// (resourceName, etag): a person that still carries the etag our write returned has not changed
// since, whatever it contains.
import { createHash } from 'node:crypto';
import { z } from 'zod';

export interface Cursor {
  group: string;
  token: string | null;
  /** Generations of fingerprints, oldest first, each one run's writes packed into one string. */
  echoes: string[];
  /** The account's email prints as of the token, packed (AccountPrints); null: not known. */
  prints: string | null;
  /** When the read that gave the token began (ms, the side's clock); null: not known. */
  at: number | null;
  /** A create since that read found the account full: a run that rests need not ask again. */
  full: boolean;
}

/** 8 base64url characters per fingerprint. */
const PRINT_CHARS = 8;
/** A write's echo may show up a few runs late (Google's propagation delay), not later. */
const MAX_GENERATIONS = 3;
/** 25,000 fingerprints (the product's largest account) keep the cursor near 200 KB at worst. */
export const MAX_ECHOES = 25_000;

const schema = z.object({
  v: z.literal(1),
  group: z.string().min(1),
  token: z.string().min(1).nullable(),
  echoes: z.array(z.string()).optional(),
  prints: z.string().optional(),
  at: z.number().optional(),
  full: z.boolean().optional(),
});

/** An unreadable cursor is treated as none: a full listing is always safe, only dearer. */
export function decodeCursor(s: string | null): Cursor | null {
  if (s === null) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(s));
    if (!parsed.success) return null;
    const { group, token, echoes, prints, at, full } = parsed.data;
    return {
      group,
      token,
      echoes: echoes ?? [],
      prints: prints ?? null,
      at: at ?? null,
      full: full ?? false,
    };
  } catch {
    return null;
  }
}

export function encodeCursor(c: Cursor): string {
  return JSON.stringify({
    v: 1,
    group: c.group,
    token: c.token,
    echoes: c.echoes.filter((g) => g !== ''),
    ...(c.prints !== null ? { prints: c.prints } : {}),
    ...(c.at !== null ? { at: c.at } : {}),
    ...(c.full ? { full: true } : {}),
  });
}

/** The first 48 bits of a SHA-256, as 8 base64url characters: the cursor's short prints. */
export const shortHash = (text: string): string =>
  createHash('sha256').update(text).digest().subarray(0, 6).toString('base64url');

export function fingerprint(resourceName: string, etag: string): string {
  return shortHash(`${resourceName}\n${etag}`);
}

const split = (generation: string): string[] => {
  const out: string[] = [];
  for (let i = 0; i + PRINT_CHARS <= generation.length; i += PRINT_CHARS)
    out.push(generation.slice(i, i + PRINT_CHARS));
  return out;
};

/** The echoes a cursor remembers; `take` consumes one when the incremental read shows it. */
export class EchoSet {
  private readonly generations: Set<string>[];

  constructor(echoes: string[]) {
    this.generations = echoes.map((g) => new Set(split(g)));
  }

  take(resourceName: string, etag: string): boolean {
    const fp = fingerprint(resourceName, etag);
    for (const g of this.generations) if (g.delete(fp)) return true;
    return false;
  }

  /** What is left, for the cursor of this read. */
  remaining(): string[] {
    return this.generations.map((g) => [...g].join(''));
  }
}

/** Adds one run's writes as the newest generation, dropping the oldest beyond the bounds. */
export function withWrites(echoes: string[], writes: { id: string; etag: string }[]): string[] {
  const fresh = writes.slice(-MAX_ECHOES).map((w) => fingerprint(w.id, w.etag));
  const gens = [...echoes.filter((g) => g !== ''), fresh.join('')].slice(-MAX_GENERATIONS);
  let budget = MAX_ECHOES * PRINT_CHARS;
  const kept: string[] = [];
  for (let i = gens.length - 1; i >= 0 && budget > 0; i--) {
    const g = gens[i]!.slice(-budget);
    budget -= g.length;
    kept.unshift(g);
  }
  return kept.filter((g) => g !== '');
}
