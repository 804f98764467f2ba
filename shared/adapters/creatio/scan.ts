// Paged reads under Creatio's 20,000-row reply cap (no nextLink: reference §3). Several scans run side
// by side, one page of each per round, in one $batch (or one plain GET when a single scan is left).
// Each later page re-reads the last row of the one before: if it moved, rows were inserted or
// deleted before our position and the scan starts over, so a listing is never silently short.
// `$count=true` tells us when we have everything, even under a smaller cap than we asked for.
// A scan with a sink hands each page on and keeps only its last row, so a long listing (a group's
// members with their contacts) is never held whole; a restart tells the sink to forget what it took.
// A page the server refuses for its RAM limit is asked again at half the size, down to one row.
import { z } from 'zod';
import { SyncError } from '../../errors.js';
import { isRamLimit, statusError } from './errors.js';
import { RamLimitError, type CreatioHttp } from './http.js';
import { isTransient } from './transport.js';
import { collection, parse } from './wire.js';
import { collectionUrl } from './query.js';

export interface ScanSpec<S extends z.ZodType<{ Id: string }>> {
  set: string;
  filter?: string;
  select: readonly string[];
  /** Must end in a unique column (Id) so pages are stable. */
  orderby: string;
  row: S;
  what: string;
  /** Takes the rows page by page instead of the result holding them; `reset` on a restart. */
  sink?: { add(rows: z.infer<S>[]): void; reset(): void };
  /** Extra query options appended as given (`$expand=…`). */
  extra?: string;
}

export interface ScanLimits {
  /** Rows asked per page; Creatio answers at most 20,000. */
  pageSize: number;
  /** Start-overs of one scan after its rows shifted under it. */
  maxRestarts: number;
  /** Rounds of one scanAll call. */
  maxRounds: number;
  /** Longest URL sent as a plain GET; a longer one travels inside a $batch, where no URL limit applies. */
  plainUrlMax: number;
}

interface State<T> {
  rows: T[];
  /** Rows taken so far (held in `rows`, or handed to the sink). */
  taken: number;
  last: T | null;
  pageSize: number;
  restarts: number;
  /** Transient failures of this scan's sub-requests so far. */
  failures: number;
  done: boolean;
}

/** Runs every scan to completion and returns their rows, in the order of `specs`. */
export async function scanAll<S extends z.ZodType<{ Id: string }>>(
  http: CreatioHttp,
  specs: readonly ScanSpec<S>[],
  limits: ScanLimits,
): Promise<z.infer<S>[][]> {
  const states: State<z.infer<S>>[] = specs.map(() => ({
    rows: [],
    taken: 0,
    last: null,
    pageSize: limits.pageSize,
    restarts: 0,
    failures: 0,
    done: false,
  }));
  for (let round = 0; ; round++) {
    const open = states.flatMap((s, i) => (s.done ? [] : [i]));
    if (open.length === 0) return states.map((s) => s.rows);
    if (round >= limits.maxRounds)
      throw new SyncError('unavailable', 'Reading from Creatio took more pages than allowed', {
        side: 'crm',
      });
    const urls = open.map((i) => {
      const s = states[i]!;
      const spec = specs[i]!;
      const url = collectionUrl(spec.set, {
        filter: spec.filter,
        select: spec.select,
        orderby: spec.orderby,
        top: s.pageSize,
        skip: s.taken > 0 ? s.taken - 1 : 0,
        count: true,
      });
      return spec.extra ? `${url}&${spec.extra}` : url;
    });
    const replies: { status: number; body: unknown }[] = [];
    if (open.length === 1 && urls[0]!.length <= limits.plainUrlMax) {
      try {
        replies.push({
          status: 200,
          // Parsed below with the other replies.
          body: await http.getJson(urls[0]!, z.unknown(), specs[open[0]!]!.what),
        });
      } catch (e) {
        if (!(e instanceof RamLimitError)) throw e;
        replies.push({ status: 500, body: 'ram' });
      }
    } else {
      const got = await http.batch(
        urls.map((url) => ({ method: 'GET' as const, url })),
        specs[open[0]!]!.what,
      );
      replies.push(...got);
    }
    let failing = 0;
    open.forEach((i, k) => {
      const spec = specs[i]!;
      const s = states[i]!;
      const r = replies[k]!;
      if (r.status !== 200) {
        if (r.body === 'ram' || isRamLimit(r.status, r.body)) {
          // Creatio's advice for its RAM limit is smaller pages: halve until one row is refused.
          // Two rows at least while a previous page's last row is re-read with the next.
          const least = s.taken > 0 ? 2 : 1;
          if (s.pageSize <= least) throw new RamLimitError(spec.what);
          s.pageSize = Math.max(least, Math.floor(s.pageSize / 2));
          return;
        }
        // A sub-request of a good batch can still fail on its own: repeat its page, within bounds.
        if (isTransient({ status: r.status, text: JSON.stringify(r.body ?? '') })) {
          if (++s.failures >= http.attempts) throw statusError(r.status === 0 ? 503 : r.status, spec.what);
          failing = Math.max(failing, s.failures);
          return;
        }
        throw statusError(r.status, spec.what);
      }
      const page = parse(collection(spec.row), r.body, spec.what);
      take(s, page.value, page['@odata.count'], limits, spec);
    });
    if (failing > 0) await http.backoff(failing);
  }
}

function take<T extends { Id: string }>(
  s: State<T>,
  page: T[],
  count: number | undefined,
  limits: ScanLimits,
  spec: { what: string; sink?: { add(rows: T[]): void; reset(): void } },
): void {
  const { what, sink } = spec;
  const asked = s.pageSize;
  const served = page.length;
  if (s.last !== null) {
    if (page[0]?.Id !== s.last.Id) {
      if (++s.restarts > limits.maxRestarts)
        throw new SyncError('unavailable', `${what} kept changing while it was read`, { side: 'crm' });
      s.rows = [];
      s.taken = 0;
      s.last = null;
      sink?.reset();
      return;
    }
    page = page.slice(1);
  }
  if (sink) sink.add(page);
  else for (const row of page) s.rows.push(row);
  s.taken += page.length;
  if (page.length > 0) s.last = page[page.length - 1]!;
  if (count === undefined ? served < asked : s.taken >= count) {
    s.done = true;
    return;
  }
  // Rows remain. A page shorter than asked means the server's cap is below our page size.
  if (served < Math.min(2, asked))
    throw new SyncError('bad-response', `Creatio stopped serving pages of ${what}`, { side: 'crm' });
  if (served < asked) s.pageSize = served;
  // The next page re-reads this one's last row: it must hold two.
  s.pageSize = Math.max(2, s.pageSize);
}
