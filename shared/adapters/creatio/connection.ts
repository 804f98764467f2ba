// What a tenant's configuration gives the adapter, the defaults of everything else, and the one place
// that wires transport, authentication and the OData client together.
import type { Clock } from '../../ports.js';
import { SyncError } from '../../errors.js';
import { CookieAuth, OAuthAuth, type Authenticator, type CreatioAuth } from './auth.js';
import { CreatioHttp } from './http.js';
import { DEFAULT_RETRY, Transport, type RetryLimits } from './transport.js';

export interface CreatioTuning {
  /** Rows asked per page; Creatio answers at most 20,000 (reference §3). */
  pageSize: number;
  /**
   * Rows asked per page of members with their whole Contact on a group's first read, which keeps
   * nearly every member it reads: a page of 20,000 takes about 100 MiB to parse and check, and with
   * the records kept does not fit the smallest function. The 24-hour full read keeps only what
   * changed and asks `pageSize`.
   */
  firstReadPageSize: number;
  /**
   * Most percent-encoded characters of one `or` filter of ids or names (100 GUIDs of `ContactId eq …`). Such
   * filters travel inside $batch sub-requests, whose URLs are not subject to the host's URL limit.
   */
  filterBudget: number;
  /** Longest URL sent as a plain GET (IIS's default query-string limit is 2,048). */
  plainUrlMax: number;
  /** Re-read this much before the watermark: late commits stamped a little earlier are not missed. */
  overlapMs: number;
  /** Subtracted from the server's Date (whole seconds, possibly skewed across a web farm). */
  safetyMarginMs: number;
  /**
   * A full read at least this often: Creatio keeps no tombstones, and deleting a non-primary phone or
   * any address leaves no trace in ModifiedOn.
   */
  fullReadEveryMs: number;
  /**
   * Most members a full read reads in full: the rest are left for the run's next invocation, which
   * finds these at the version their links hold, so that a group of any size is read without
   * holding every member. As many as one Google account holds: a group that fits an account is read
   * in one invocation, since a continuation's newcomers whose emails the account may hold are looked
   * for there again (about 10 KiB a member all told, records and links).
   */
  fullReadBound: number;
  /**
   * Members a full read that leaves some for later anyway keeps: a group larger than fullReadBound
   * takes several invocations whatever it keeps, and at half the bound each one's records, links and
   * writes leave room in the smallest function beside the member list of a group of 100,000 (npm run
   * bench: at most about 95 MiB of heap in use against 120-135 at 25,000), room that contacts larger
   * than the benchmark's need.
   */
  continuedReadBound: number;
  /** Most (row, ModifiedOn) pairs the cursor remembers from the overlap window (about 13 bytes each). */
  maxSeen: number;
  /**
   * Most contacts the cursor remembers as created by us (about 13 bytes each; 25,000, a full Google
   * account, keep it near 330 KB, beside the Google cursor's 200 KB in the 1 MiB checkpoint): a larger
   * initial sync has the rest of its echo read once more, which the engine recognises as unchanged.
   */
  maxCreated: number;
  maxRestarts: number;
  maxRounds: number;
}

export const DEFAULT_TUNING: CreatioTuning = {
  pageSize: 20_000,
  firstReadPageSize: 5_000,
  filterBudget: 6_200,
  plainUrlMax: 2_000,
  overlapMs: 2 * 60_000,
  safetyMarginMs: 10_000,
  fullReadEveryMs: 24 * 3600_000,
  fullReadBound: 25_000,
  continuedReadBound: 12_500,
  maxSeen: 10_000,
  maxCreated: 25_000,
  maxRestarts: 3,
  maxRounds: 2_000,
};

/** One tenant's Creatio and one static group. Secrets arrive decrypted from the caller. */
export interface CreatioConnection {
  /** Site root, e.g. https://example.creatio.com (the OData root is `<baseUrl>/0/odata`). */
  baseUrl: string;
  auth: CreatioAuth;
  /** The static ContactFolder this connection syncs. */
  folderId: string;
  clock: Clock;
  /** Waits between retries; injectable so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
  retry?: Partial<RetryLimits>;
  /** Per request; a slower answer counts as a failure and is retried. Default 30 s. */
  timeoutMs?: number;
  /** Default: the global fetch (undici). */
  fetch?: typeof fetch;
  /** Default: Math.random (retry jitter). */
  random?: () => number;
  tuning?: Partial<CreatioTuning>;
}

export interface Client {
  http: CreatioHttp;
  transport: Transport;
  auth: Authenticator;
  tuning: CreatioTuning;
}

export function buildClient(conn: Omit<CreatioConnection, 'folderId'>): Client {
  let base: URL;
  try {
    base = new URL(conn.baseUrl);
  } catch {
    throw new SyncError('config', 'The Creatio base URL is not a URL', { side: 'crm' });
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new SyncError('config', 'The Creatio base URL must be http(s)', { side: 'crm' });
  const root = conn.baseUrl.replace(/\/+$/, '');
  const retry: RetryLimits = { ...DEFAULT_RETRY, ...conn.retry };
  if (!(retry.attempts >= 1))
    throw new SyncError('config', 'Creatio retry attempts must be at least 1', { side: 'crm' });
  const tuning: CreatioTuning = { ...DEFAULT_TUNING, ...conn.tuning };
  tuning.pageSize = Math.min(20_000, Math.max(2, Math.trunc(tuning.pageSize)));
  const transport = new Transport({
    fetch: conn.fetch ?? ((input, init) => fetch(input, init)),
    sleep: conn.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    timeoutMs: conn.timeoutMs ?? 30_000,
    retry,
    random: conn.random ?? Math.random,
  });
  const auth: Authenticator =
    conn.auth.mode === 'cookie'
      ? new CookieAuth(root, conn.auth.userName, conn.auth.password, transport)
      : new OAuthAuth(conn.auth.tokenUrl, conn.auth.clientId, conn.auth.clientSecret, conn.clock, transport);
  return { http: new CreatioHttp(`${root}/0/odata`, auth, transport), transport, auth, tuning };
}
