// The CRM cursor: a watermark in the server's time, when the last full read happened, and the
// (Id, ModifiedOn) pairs already reported inside the overlap window, so that re-reading the window
// reports nothing twice and a no-change run reports nothing at all.
import { z } from 'zod';

export type SeenKind = 'c' | 'k' | 'a';
/** c: Contact, k: ContactCommunication, a: ContactAddress. */
export type Seen = Record<SeenKind, Map<string, number>>;

export interface CrmCursor {
  /** Server time (ms) before which every change has been read. */
  watermark: number;
  /** Our clock (ms) at the last full read. */
  fullAt: number;
  seen: Seen;
}

const pairs = z.array(z.tuple([z.string(), z.number()]));
const schema = z.object({
  v: z.literal(1),
  wm: z.number(),
  full: z.number(),
  seen: z.object({ c: pairs, k: pairs, a: pairs }),
});

export const emptySeen = (): Seen => ({ c: new Map(), k: new Map(), a: new Map() });

/** A cursor we cannot read means "start over": a full read is always safe. */
export function decodeCursor(s: string | null): CrmCursor | null {
  if (s === null) return null;
  try {
    const r = schema.safeParse(JSON.parse(s));
    if (!r.success) return null;
    return {
      watermark: r.data.wm,
      fullAt: r.data.full,
      seen: { c: new Map(r.data.seen.c), k: new Map(r.data.seen.k), a: new Map(r.data.seen.a) },
    };
  } catch {
    return null;
  }
}

/**
 * Keeps only pairs the next read will meet again (ModifiedOn at or past `from`), newest first, at
 * most `max` of them: an overflow is reported once more, which the engine treats as an echo.
 */
export function encodeCursor(c: CrmCursor, from: number, max: number): string {
  const keep = (m: Map<string, number>) =>
    [...m]
      .filter(([, t]) => t >= from)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, max);
  return JSON.stringify({
    v: 1,
    wm: c.watermark,
    full: c.fullAt,
    seen: { c: keep(c.seen.c), k: keep(c.seen.k), a: keep(c.seen.a) },
  });
}
