// The CRM cursor: a watermark in the server's time, when the last full read happened, and the rows
// already reported inside the overlap window, as (row, ModifiedOn) pairs, so re-reading the window
// reports nothing twice and a no-change run reports nothing. Pairs are stored compactly (a 72-bit
// hash of the row per ModifiedOn) because the cursor lives in the connection's document.
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** c: Contact, k: ContactCommunication, a: ContactAddress. */
export type SeenKind = 'c' | 'k' | 'a';

const rowHash = (kind: SeenKind, id: string): string =>
  createHash('sha256').update(`${kind}:${id.toLowerCase()}`).digest('base64url').slice(0, 12);

/** Rows by the ModifiedOn (ms) they had when we last reported or wrote them. */
export class Seen {
  private readonly byTime = new Map<number, Set<string>>();
  private latestByRow: Map<string, number> | null = null;

  /** The latest ModifiedOn recorded for a row, or null. */
  latest(kind: SeenKind, id: string): number | null {
    if (this.latestByRow === null) {
      this.latestByRow = new Map();
      for (const [at, hashes] of this.byTime)
        for (const h of hashes) if (at > (this.latestByRow.get(h) ?? -Infinity)) this.latestByRow.set(h, at);
    }
    return this.latestByRow.get(rowHash(kind, id)) ?? null;
  }

  has(kind: SeenKind, id: string, at: number): boolean {
    return this.byTime.get(at)?.has(rowHash(kind, id)) ?? false;
  }

  add(kind: SeenKind, id: string, at: number): void {
    this.latestByRow = null;
    let set = this.byTime.get(at);
    if (!set) this.byTime.set(at, (set = new Set()));
    set.add(rowHash(kind, id));
  }

  merge(other: Seen): void {
    this.latestByRow = null;
    for (const [at, hashes] of other.byTime) {
      let set = this.byTime.get(at);
      if (!set) this.byTime.set(at, (set = new Set()));
      for (const h of hashes) set.add(h);
    }
  }

  get size(): number {
    let n = 0;
    for (const s of this.byTime.values()) n += s.size;
    return n;
  }

  /** Pairs the next read can meet again (ModifiedOn at or past `from`), newest first, at most `max`. */
  encode(base: number, from: number, max: number): [number, string][] {
    const out: [number, string][] = [];
    let left = max;
    for (const at of [...this.byTime.keys()].filter((t) => t >= from).sort((a, b) => b - a)) {
      if (left <= 0) break;
      const hashes = [...this.byTime.get(at)!].sort().slice(0, left);
      left -= hashes.length;
      out.push([at - base, hashes.join('')]);
    }
    return out;
  }

  static decode(base: number, entries: [number, string][]): Seen {
    const s = new Seen();
    for (const [offset, joined] of entries) {
      const set = new Set<string>();
      for (let i = 0; i + 12 <= joined.length; i += 12) set.add(joined.slice(i, i + 12));
      s.byTime.set(base + offset, set);
    }
    return s;
  }
}

export interface CrmCursor {
  /** Server time (ms) before which every change has been read. */
  watermark: number;
  /** Our clock (ms) at the last full read. */
  fullAt: number;
  /** Billed calls the last full read took: what the next one is expected to cost (unknown: absent). */
  fullCalls?: number;
  seen: Seen;
  /**
   * Contacts we created, at the ModifiedOn our create left them with: their Contact row at that
   * version and any of their rows at or before it are our own echo (nobody else had the contact
   * before us), so the next read skips them without reading them back.
   */
  created: Seen;
}

const schema = z.object({
  v: z.literal(2),
  wm: z.number().int(),
  full: z.number(),
  fc: z.number().int().nonnegative().optional(),
  seen: z.array(z.tuple([z.number().int(), z.string().regex(/^[A-Za-z0-9_-]*$/)])),
  made: z.array(z.tuple([z.number().int(), z.string().regex(/^[A-Za-z0-9_-]*$/)])).optional(),
});

/** A cursor we cannot read means "start over": a full read is always safe. */
export function decodeCursor(s: string | null): CrmCursor | null {
  if (s === null) return null;
  try {
    const r = schema.safeParse(JSON.parse(s));
    if (!r.success) return null;
    return {
      watermark: r.data.wm,
      fullAt: r.data.full,
      ...(r.data.fc === undefined ? {} : { fullCalls: r.data.fc }),
      seen: Seen.decode(r.data.wm, r.data.seen),
      created: Seen.decode(r.data.wm, r.data.made ?? []),
    };
  } catch {
    return null;
  }
}

/**
 * Keeps at most `max` pairs the next read will meet again: an overflow (a bulk change just before
 * the read) is reported once more, which the engine recognises as an echo.
 */
export function encodeCursor(
  c: CrmCursor,
  from: number,
  limits: { maxSeen: number; maxCreated: number },
): string {
  const wm = Math.floor(c.watermark);
  const made = c.created.encode(wm, from, limits.maxCreated);
  return JSON.stringify({
    v: 2,
    wm,
    full: c.fullAt,
    ...(c.fullCalls === undefined ? {} : { fc: c.fullCalls }),
    seen: c.seen.encode(wm, from, limits.maxSeen),
    ...(made.length > 0 ? { made } : {}),
  });
}
