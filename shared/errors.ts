// One vocabulary of failure for the whole product. Adapters translate their API's errors into it;
// entry points map it to an HTTP status or to ack/retry in exactly one place (functions/respond.ts).
export type ErrorKind =
  /** The user revoked our Google grant (invalid_grant): the connection needs reconnecting. */
  | 'auth-revoked'
  /** Credentials rejected (CRM login failed, token refused). */
  | 'auth'
  | 'permission'
  | 'not-found'
  /** The request or its data was refused by an API or by our own parsing. */
  | 'validation'
  | 'bad-request'
  | 'conflict'
  /** 429 or quota after our bounded retries: try later. */
  | 'throttled'
  /** 5xx, timeouts, dropped connections after our bounded retries: try later. */
  | 'unavailable'
  /** The tenant or connection is misconfigured: a person must fix it. */
  | 'config'
  /** An API answered something we cannot parse. */
  | 'bad-response'
  | 'internal';

export class SyncError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: {
      side?: 'crm' | 'google';
      status?: number;
      retryAfterMs?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message);
    this.name = 'SyncError';
  }
}

const TRANSIENT: readonly ErrorKind[] = ['throttled', 'unavailable', 'internal', 'bad-response'];

export const isTransient = (e: unknown): boolean => !(e instanceof SyncError) || TRANSIENT.includes(e.kind);

export const errorKind = (e: unknown): ErrorKind => (e instanceof SyncError ? e.kind : 'internal');
