// The OData 4 client: authenticated calls with one renewal of an expired session, JSON replies parsed
// at the edge, $batch with continue-on-error, the server's Date kept for watermarks, and counters.
import type { z } from 'zod';
import { SyncError } from '../../errors.js';
import type { Authenticator } from './auth.js';
import { isRamLimit, isWebPage, pageInsteadOfData, statusError } from './errors.js';
import { isTransient, type RawReply, type Transport } from './transport.js';
import { batchReply, parse } from './wire.js';

export const MAX_BATCH = 100;

export interface SubRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the OData root, already escaped (query.ts). */
  url: string;
  body?: Record<string, unknown>;
  /** Sub-requests sharing a group are one change set: all apply or none. */
  group?: string;
  /**
   * A PATCH that asks for the entity as saved (OData 4 `Prefer: return=representation`), so its
   * ModifiedOn is known without a read; a server that ignores it answers 204 and the contact is
   * read once more on the next run.
   */
  representation?: boolean;
}

export interface SubReply {
  status: number;
  body: unknown;
}

export interface ODataStats {
  /** OData calls outside $batch. */
  plain: number;
  /**
   * Calls Creatio bills (reference §8): one per OData request outside $batch and one per $batch
   * sub-request, for every try that reached the service. A try refused for its session or token, or
   * answered with a transient failure (429, 408, 5xx but a limit), ran nothing and is not counted; a
   * try that got no answer is, since Creatio may have run it.
   */
  billed: number;
  batches: number;
  subRequests: number;
  renewals: number;
}

export class RamLimitError extends SyncError {
  constructor(what: string) {
    super('bad-response', `Creatio hit its RAM limit answering ${what}`, { side: 'crm', status: 500 });
  }
}

const JSON_BODY = 'application/json; charset=utf-8; IEEE754Compatible=true';

export class CreatioHttp {
  readonly stats: ODataStats = { plain: 0, billed: 0, batches: 0, subRequests: 0, renewals: 0 };
  /** The server's clock (ms) from the Date header of the latest reply; null before any. */
  serverNow: number | null = null;

  constructor(
    private readonly root: string,
    private readonly auth: Authenticator,
    private readonly transport: Transport,
  ) {}

  /** One authenticated call; an expired session or token is renewed once, then 'auth' is thrown. */
  async call(
    method: string,
    path: string,
    o: {
      body?: unknown;
      headers?: Record<string, string>;
      what: string;
      /** Billed calls per try: 1, or a $batch's sub-requests. */
      calls?: number;
    },
  ): Promise<RawReply> {
    const bill = (reply: RawReply | null) => {
      if (reply === null || !(this.auth.expired(reply) || isTransient(reply)))
        this.stats.billed += o.calls ?? 1;
    };
    // Every request we send may be repeated: reads, PATCH, DELETE, POSTs carrying their own Id, and
    // batches made only of those.
    for (let pass = 0; pass < 2; pass++) {
      const headers: Record<string, string> = {
        Accept: 'application/json',
        ...(o.body !== undefined ? { 'Content-Type': JSON_BODY } : {}),
        ...o.headers,
        ...(await this.auth.headers()),
      };
      const reply = await this.transport.send(
        `${this.root}/${path}`,
        {
          method,
          headers,
          redirect: 'manual',
          ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
        },
        { idempotent: true, what: o.what, onExchange: bill },
      );
      this.auth.absorb(reply);
      const date = Date.parse(reply.headers.get('date') ?? '');
      if (!Number.isNaN(date)) this.serverNow = date;
      if (!this.auth.expired(reply)) return reply;
      if (pass === 0) {
        this.stats.renewals += 1;
        this.auth.invalidate();
      } else if (reply.status === 200 && isWebPage(reply)) {
        // The login just succeeded, so a page now is not about the credentials: a passing outage.
        throw pageInsteadOfData(o.what);
      }
    }
    throw new SyncError('auth', 'Creatio refused the session even after signing in again', { side: 'crm' });
  }

  get attempts(): number {
    return this.transport.attempts;
  }

  backoff(attempt: number): Promise<void> {
    return this.transport.backoff(attempt);
  }

  /** GET a collection or entity and parse it; a non-200 answer is thrown as its error kind. */
  async getJson<T extends z.ZodType>(path: string, schema: T, what: string): Promise<z.infer<T>> {
    this.stats.plain += 1;
    const reply = await this.call('GET', path, { what });
    if (reply.status !== 200) {
      if (isRamLimit(reply.status, reply.text)) throw new RamLimitError(what);
      throw statusError(reply.status, what);
    }
    return parse(schema, jsonOf(reply.text, what), what);
  }

  /**
   * Runs sub-requests in order, in $batch requests of at most 100 with `Prefer: continue-on-error`,
   * keeping each change set inside one request. Returns one reply per sub-request, in order; a
   * sub-request the server did not answer comes back with status 0.
   */
  async batch(subs: readonly SubRequest[], what: string): Promise<SubReply[]> {
    const out: SubReply[] = [];
    for (const pack of packBatches(subs)) {
      const base = out.length;
      this.stats.batches += 1;
      this.stats.subRequests += pack.length;
      const requests = pack.map((s, i) => ({
        id: String(base + i),
        method: s.method,
        url: s.url,
        headers: {
          ...(s.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...(s.representation ? { Prefer: 'return=representation' } : {}),
        },
        ...(s.body !== undefined ? { body: s.body } : {}),
        ...(s.group !== undefined ? { atomicityGroup: s.group } : {}),
      }));
      const reply = await this.call('POST', '$batch', {
        body: { requests },
        headers: { Prefer: 'continue-on-error' },
        what: `a batch (${what})`,
        calls: pack.length,
      });
      if (reply.status !== 200) throw statusError(reply.status, `a batch (${what})`);
      const parsed = parse(batchReply, jsonOf(reply.text, what), `a batch (${what})`);
      const byId = new Map(parsed.responses.map((r) => [r.id, r]));
      pack.forEach((_, i) => {
        const r = byId.get(String(base + i));
        out.push(r ? { status: r.status, body: r.body } : { status: 0, body: undefined });
      });
    }
    return out;
  }
}

function jsonOf(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SyncError('bad-response', `Creatio answered ${what} with something other than JSON`, {
      side: 'crm',
    });
  }
}

/** Greedy packing that never splits a change set (one larger than a batch loses its atomicity). */
export function packBatches(subs: readonly SubRequest[]): SubRequest[][] {
  const groups: SubRequest[][] = [];
  for (const s of subs) {
    const last = groups[groups.length - 1];
    if (s.group !== undefined && last && last[0]!.group === s.group) last.push(s);
    else groups.push([s]);
  }
  const packs: SubRequest[][] = [];
  let cur: SubRequest[] = [];
  for (const g of groups) {
    const parts =
      g.length > MAX_BATCH
        ? chunk(
            g.map(({ group: _g, ...rest }) => rest),
            MAX_BATCH,
          )
        : [g];
    for (const part of parts) {
      if (cur.length + part.length > MAX_BATCH) {
        packs.push(cur);
        cur = [];
      }
      cur.push(...part);
    }
  }
  if (cur.length > 0) packs.push(cur);
  return packs;
}

function chunk<T>(items: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}
