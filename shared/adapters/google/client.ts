// One People API call: the googleapis client with its own retry turned off (it retries GETs only
// and ignores Retry-After), our bounded backoff instead, every response parsed with zod, and every
// failure translated into a SyncError. Messages name the operation and status only: Google's own
// messages can quote contact data and stay inside `details.cause` for decisions, never for logs.
import type { OAuth2Client } from 'google-auth-library';
import { people as peopleApi, type people_v1 } from 'googleapis/build/src/apis/people/index.js';
import type { z } from 'zod';
import { SyncError, type ErrorKind } from '../../errors.js';
import { errorEnvelopeSchema, oauthErrorSchema } from './schemas.js';

/**
 * read: safe to repeat. idempotent: a write whose repetition cannot duplicate (etag-guarded
 * updates, membership changes). create: a repeated request may duplicate, so only a 429 (refused
 * before processing) is retried; any unknown outcome is the caller's to reconcile.
 */
export type CallKind = 'read' | 'idempotent' | 'create';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the run fails as throttled instead. */
  maxRetryAfterMs: number;
  /** Total waiting for one call. */
  budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  budgetMs: 180_000,
};

export interface ClientOptions {
  auth: OAuth2Client;
  peopleApiUrl: string;
  sleep: (ms: number) => Promise<void>;
  clock: { now(): number };
  retry: RetryPolicy;
  timeoutMs: number;
  random: () => number;
}

/** Why a call failed, kept on SyncError.details.cause for the adapter's own decisions. */
export class ApiFailure {
  constructor(
    readonly status: number | null,
    readonly grpcStatus: string,
    readonly reasons: string[],
    /** Google's message: may quote personal data, never logged. */
    readonly apiMessage: string,
    readonly retryAfterMs: number | null,
    readonly network: boolean,
    /** The OAuth token endpoint's error code, when a refresh failed. */
    readonly oauthError: string | null,
  ) {}
}

export const failureOf = (e: unknown): ApiFailure | null =>
  e instanceof SyncError && e.details.cause instanceof ApiFailure ? e.details.cause : null;

interface ErrorLike {
  status?: unknown;
  code?: unknown;
  name?: unknown;
  config?: unknown;
  response?: { status?: unknown; data?: unknown; headers?: unknown };
}

function header(headers: unknown, name: string): string | null {
  if (headers && typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  if (headers && typeof headers === 'object') {
    const v = (headers as Record<string, unknown>)[name];
    return typeof v === 'string' ? v : null;
  }
  return null;
}

export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

export function describeFailure(e: unknown, now: number): ApiFailure {
  const err = (typeof e === 'object' && e !== null ? e : {}) as ErrorLike;
  const res = err.response;
  const status = typeof res?.status === 'number' ? res.status : null;
  // Without a response, only a transport failure (gaxios error) means the outcome is unknown; any
  // other exception is a defect on our side and must not be retried.
  if (status === null) return new ApiFailure(null, '', [], '', null, isTransportError(err), null);
  const retryAfterMs = parseRetryAfter(header(res?.headers, 'retry-after'), now);
  const oauth = oauthErrorSchema.safeParse(res?.data);
  if (oauth.success) return new ApiFailure(status, '', [], '', retryAfterMs, false, oauth.data.error);
  const env = errorEnvelopeSchema.safeParse(res?.data);
  if (!env.success) return new ApiFailure(status, '', [], '', retryAfterMs, false, null);
  const { error } = env.data;
  const reasons = (error.details ?? []).flatMap((d) => (d.reason ? [d.reason] : []));
  return new ApiFailure(status, error.status ?? '', reasons, error.message ?? '', retryAfterMs, false, null);
}

const NETWORK_CODES = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN'];

function isTransportError(err: ErrorLike): boolean {
  if (err.config !== undefined) return true;
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return true;
  return typeof err.code === 'string' && NETWORK_CODES.includes(err.code);
}

const RATE_REASONS = ['RATE_LIMIT_EXCEEDED', 'rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded'];

/** 429, or a 403 that is really a quota refusal (Google sometimes says so). */
const isThrottle = (f: ApiFailure): boolean =>
  f.status === 429 || (f.status === 403 && f.reasons.some((r) => RATE_REASONS.includes(r)));

const isUnknownOutcome = (f: ApiFailure): boolean => f.network || (f.status !== null && f.status >= 500);

function kindOf(f: ApiFailure): ErrorKind {
  if (f.status === null && !f.network) return 'internal';
  if (f.oauthError === 'invalid_grant') return 'auth-revoked';
  if (f.oauthError === 'invalid_client' || f.oauthError === 'unauthorized_client') return 'config';
  if (f.oauthError !== null) return f.status !== null && f.status >= 500 ? 'unavailable' : 'auth';
  if (isThrottle(f)) return 'throttled';
  if (isUnknownOutcome(f)) return 'unavailable';
  switch (f.status) {
    case 401:
      return 'auth';
    case 403:
      return 'permission';
    case 404:
      return 'not-found';
    case 409:
      return 'conflict';
    default:
      return 'bad-request';
  }
}

export class PeopleClient {
  readonly api: people_v1.People;

  constructor(private readonly o: ClientOptions) {
    // googleapis bundles its own google-auth-library copy; the client is structurally the same.
    this.api = peopleApi({ version: 'v1', auth: o.auth as unknown as people_v1.Options['auth'] });
  }

  /** Per-call options: a per-call rootUrl keeps any path prefix of the configured base URL. */
  private methodOptions() {
    const root = this.o.peopleApiUrl.endsWith('/') ? this.o.peopleApiUrl : `${this.o.peopleApiUrl}/`;
    return { rootUrl: root, retry: false, timeout: this.o.timeoutMs };
  }

  async call<T>(
    op: string,
    kind: CallKind,
    schema: z.ZodType<T>,
    run: (options: ReturnType<PeopleClient['methodOptions']>) => Promise<{ data: unknown }>,
  ): Promise<T> {
    const { retry, clock } = this.o;
    const started = clock.now();
    for (let attempt = 0; ; attempt++) {
      let data: unknown;
      try {
        data = (await run(this.methodOptions())).data;
      } catch (e) {
        const f = describeFailure(e, clock.now());
        const retryable = isThrottle(f) || (kind !== 'create' && isUnknownOutcome(f));
        const delay = retryable ? this.delay(f, attempt) : null;
        const elapsed = clock.now() - started;
        if (delay === null || attempt >= retry.maxRetries || elapsed + delay > retry.budgetMs)
          throw this.toError(op, f, e);
        await this.o.sleep(delay);
        continue;
      }
      const parsed = schema.safeParse(data ?? {});
      if (!parsed.success)
        throw new SyncError('bad-response', `google ${op}: unexpected response shape`, { side: 'google' });
      return parsed.data;
    }
  }

  /** Full jitter on an exponential schedule, never shorter than the server's Retry-After. */
  private delay(f: ApiFailure, attempt: number): number | null {
    const { retry } = this.o;
    if (f.retryAfterMs !== null && f.retryAfterMs > retry.maxRetryAfterMs) return null;
    const cap = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
    const jittered = Math.round(cap / 2 + (cap / 2) * this.o.random());
    return Math.max(jittered, f.retryAfterMs ?? 0);
  }

  private toError(op: string, f: ApiFailure, cause: unknown): SyncError {
    const kind = kindOf(f);
    const what = f.network ? 'no response' : `HTTP ${f.status}${f.grpcStatus ? ` ${f.grpcStatus}` : ''}`;
    const code = (cause as ErrorLike | null)?.code;
    const net = f.network && typeof code === 'string' ? ` (${code})` : '';
    return new SyncError(kind, `google ${op}: ${what}${net}`, {
      side: 'google',
      ...(f.status !== null ? { status: f.status } : {}),
      ...(f.retryAfterMs !== null ? { retryAfterMs: f.retryAfterMs } : {}),
      cause: f,
    });
  }
}
