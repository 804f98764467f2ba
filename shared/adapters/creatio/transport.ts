// One HTTP exchange with a timeout, and bounded retries with exponential backoff for the requests
// that may be repeated. Knows nothing of OData or sessions: http.ts and auth.ts build on it.
import { SyncError } from '../../errors.js';
import { isDeterministic500, statusError } from './errors.js';

export interface RetryLimits {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Most time spent waiting between tries of one request. */
  budgetMs: number;
}

export const DEFAULT_RETRY: RetryLimits = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  budgetMs: 30_000,
};

export interface TransportConfig {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  /** Per exchange, headers and body included. */
  timeoutMs: number;
  retry: RetryLimits;
  random: () => number;
}

export interface RawReply {
  status: number;
  headers: Headers;
  text: string;
}

export interface TransportStats {
  /** HTTP requests sent, retries and logins included. */
  requests: number;
  retries: number;
}

/** 429, 408 and 5xx are worth repeating, except a 500 that states a limit or a key violation. */
export function isTransient(r: Pick<RawReply, 'status' | 'text'>): boolean {
  if (r.status === 429 || r.status === 408) return true;
  if (r.status < 500 || r.status === 501 || r.status === 505) return false;
  return !(r.status === 500 && isDeterministic500(r.text));
}

function retryAfterMs(r: RawReply): number | undefined {
  const v = r.headers.get('retry-after');
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  const now = Date.parse(r.headers.get('date') ?? '');
  return Number.isNaN(at) || Number.isNaN(now) ? undefined : Math.max(0, at - now);
}

export class Transport {
  readonly stats: TransportStats = { requests: 0, retries: 0 };

  constructor(private readonly cfg: TransportConfig) {}

  /** One exchange; a dropped connection or a timeout becomes 'unavailable'. */
  async once(url: string, init: RequestInit): Promise<RawReply> {
    this.stats.requests += 1;
    try {
      const res = await this.cfg.fetch(url, { ...init, signal: AbortSignal.timeout(this.cfg.timeoutMs) });
      return { status: res.status, headers: res.headers, text: await res.text() };
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      throw new SyncError(
        'unavailable',
        timedOut ? 'Creatio did not answer in time' : 'Creatio could not be reached',
        { side: 'crm', cause: timedOut ? undefined : (e as Error).name },
      );
    }
  }

  /**
   * Sends and repeats transient failures when `idempotent`, within the attempt and wait budgets.
   * A final transient failure is thrown; any other reply is returned for the caller to judge.
   * `onExchange` hears of every try: its reply, or null when none came (the server may still have run it).
   */
  async send(
    url: string,
    init: RequestInit,
    o: { idempotent: boolean; what: string; onExchange?: (reply: RawReply | null) => void },
  ): Promise<RawReply> {
    const { retry } = this.cfg;
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      let failure: SyncError;
      let after: number | undefined;
      try {
        const reply = await this.once(url, init).catch((e: unknown) => {
          o.onExchange?.(null);
          throw e;
        });
        o.onExchange?.(reply);
        if (!isTransient(reply)) return reply;
        after = retryAfterMs(reply);
        failure = statusError(reply.status, o.what, after);
      } catch (e) {
        if (!(e instanceof SyncError)) throw e;
        failure = e;
      }
      if (!o.idempotent || attempt >= retry.attempts) throw failure;
      const delay = Math.max(after ?? 0, this.delay(attempt));
      if (waited + delay > retry.budgetMs || delay > retry.maxDelayMs * 4) throw failure;
      waited += delay;
      this.stats.retries += 1;
      await this.cfg.sleep(delay);
    }
  }

  get attempts(): number {
    return this.cfg.retry.attempts;
  }

  private delay(attempt: number): number {
    const { retry } = this.cfg;
    const backoff = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(backoff * (0.5 + this.cfg.random() * 0.5));
  }

  /** The wait before the `attempt`-th repeat of something that failed transiently (a batch sub-request). */
  async backoff(attempt: number): Promise<void> {
    this.stats.retries += 1;
    await this.cfg.sleep(this.delay(attempt));
  }
}
