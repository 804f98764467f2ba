// Google's error shapes. People API errors use the google.rpc.Status JSON envelope; the OAuth
// endpoints use the flat RFC 6749 `{error, error_description}` shape instead.

export interface ErrorDetail {
  '@type': string;
  [key: string]: unknown;
}

/** An error that the People API front end would answer with the `{"error":{...}}` envelope. */
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = {
      code: this.httpStatus,
      message: this.message,
      status: this.status,
    };
    // proto3 JSON omits empty repeated fields, and Google's envelopes follow suit.
    if (this.details.length > 0) error.details = this.details;
    return { error };
  }
}

/** An error from the OAuth endpoints, which do not use the google.rpc envelope. */
export class OAuthError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
  }

  body(): Record<string, string> {
    return { error: this.error, error_description: this.description };
  }
}

export const PEOPLE_SERVICE = 'people.googleapis.com';

export function errorInfo(reason: string, domain: string, metadata?: Record<string, string>): ErrorDetail {
  const detail: ErrorDetail = { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain };
  if (metadata) detail.metadata = metadata;
  return detail;
}

export function badRequestDetail(field: string, description: string): ErrorDetail {
  return { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field, description }] };
}

export const invalidArgument = (message: string, details: ErrorDetail[] = []): ApiError =>
  new ApiError(400, 'INVALID_ARGUMENT', message, details);

export const failedPrecondition = (message: string, details: ErrorDetail[] = []): ApiError =>
  new ApiError(400, 'FAILED_PRECONDITION', message, details);

/**
 * A create past the account's contact limit. The limit (25,000) is reported, not documented, and so
 * is nothing about the error: the status and message are our assumption (infra/standins/google/README.md).
 */
export const contactLimitReached = (): ApiError =>
  failedPrecondition('Contact limit reached: the account cannot hold more contacts.');

export const notFound = (): ApiError => new ApiError(404, 'NOT_FOUND', 'Requested entity was not found.');

export const internalError = (): ApiError => new ApiError(500, 'INTERNAL', 'Internal error encountered.');

export const unavailable = (): ApiError =>
  new ApiError(503, 'UNAVAILABLE', 'The service is currently unavailable.');

/** Reference §4: the body assembled from 2022–2026 reports; `code` is 410 in the docs-era mode. */
export function expiredSyncToken(mode: '400' | '410'): ApiError {
  return new ApiError(
    mode === '410' ? 410 : 400,
    'FAILED_PRECONDITION',
    'Sync token is expired. Clear local cache and retry call without the sync token.',
    [errorInfo('EXPIRED_SYNC_TOKEN', PEOPLE_SERVICE)],
  );
}

// Reference §9: the two per-user limits seen in public 429 bodies.
const QUOTA_LIMITS = {
  read: {
    metricName: 'Critical read requests (Contact and Profile Reads)',
    limitName: 'Critical read requests (Contact and Profile Reads) per minute per user',
    quotaLimit: 'CriticalReadsPerMinutePerProjectPerUser',
    quotaMetric: 'people.googleapis.com/critical_read_requests',
  },
  write: {
    metricName: 'Critical write requests',
    limitName: 'Critical write requests per minute per user',
    quotaLimit: 'CriticalWritesPerMinutePerProjectPerUser',
    quotaMetric: 'people.googleapis.com/critical_write_requests',
  },
} as const;

export const STANDIN_PROJECT_NUMBER = '000000000000';

export function rateLimitExceeded(
  kind: 'read' | 'write',
  limit: number | undefined,
  retryAfterSec?: number,
): ApiError {
  const q = QUOTA_LIMITS[kind];
  const metadata: Record<string, string> = {
    quota_metric: q.quotaMetric,
    quota_limit: q.quotaLimit,
    consumer: `projects/${STANDIN_PROJECT_NUMBER}`,
    service: PEOPLE_SERVICE,
  };
  if (limit !== undefined) metadata.quota_limit_value = String(limit);
  const headers: Record<string, string> = {};
  if (retryAfterSec !== undefined) headers['retry-after'] = String(retryAfterSec);
  return new ApiError(
    429,
    'RESOURCE_EXHAUSTED',
    `Quota exceeded for quota metric '${q.metricName}' and limit '${q.limitName}' of service ` +
      `'${PEOPLE_SERVICE}' for consumer 'project_number:${STANDIN_PROJECT_NUMBER}'.`,
    [errorInfo('RATE_LIMIT_EXCEEDED', 'googleapis.com', metadata)],
    headers,
  );
}

const AUTH_HELP = 'See https://developers.google.com/identity/sign-in/web/devconsole-project.';

export function unauthenticated(missing: boolean, rpcMethod: string): ApiError {
  const message = missing
    ? `Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${AUTH_HELP}`
    : `Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${AUTH_HELP}`;
  return new ApiError(
    401,
    'UNAUTHENTICATED',
    message,
    [
      errorInfo(missing ? 'CREDENTIALS_MISSING' : 'ACCESS_TOKEN_TYPE_UNSUPPORTED', 'googleapis.com', {
        service: PEOPLE_SERVICE,
        method: rpcMethod,
      }),
    ],
    { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
  );
}

export function insufficientScope(rpcMethod: string): ApiError {
  return new ApiError(
    403,
    'PERMISSION_DENIED',
    'Request had insufficient authentication scopes.',
    [
      errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', 'googleapis.com', {
        service: PEOPLE_SERVICE,
        method: rpcMethod,
      }),
    ],
    { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="insufficient_scope"' },
  );
}

const GRPC_CODES: Record<string, number> = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
};
/** google.rpc.Code number for a status string, as used in per-item `status` objects. */
export const grpcCode = (status: string): number => GRPC_CODES[status] ?? 2;
