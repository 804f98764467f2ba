// The one place where failures become answers: an HTTP status with a JSON error body for the HTTP
// functions, ack or retry for the Pub/Sub ones. Messages of our own use cases are written for the
// caller; anything from a remote API or a library is replaced by a generic one, and nothing carries
// a stack trace.
import type { Response } from '@google-cloud/functions-framework';
import type { ErrorKind } from '../shared/errors.js';
import { SyncError, isTransient } from '../shared/errors.js';
import { ConfigError } from '../shared/config.js';
import { log } from './log.js';

/** A refusal decided at the edge, before any use case runs. */
export class EdgeError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'EdgeError';
  }
}

export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  headers: Record<string, string>;
}

const OWN: Record<ErrorKind, number> = {
  'auth-revoked': 409,
  auth: 401,
  permission: 403,
  'not-found': 404,
  validation: 400,
  'bad-request': 400,
  conflict: 409,
  throttled: 429,
  unavailable: 503,
  config: 500,
  'bad-response': 502,
  internal: 500,
};

const GENERIC: Record<ErrorKind, string> = {
  'auth-revoked': 'the Google grant was revoked: connect the account again',
  auth: 'the remote service refused the credentials',
  permission: 'the remote service refused permission',
  'not-found': 'the remote service does not know the record',
  validation: 'the remote service refused the request',
  'bad-request': 'the remote service refused the request',
  conflict: 'the remote service reported a conflict',
  throttled: 'the remote service is throttling requests: try again later',
  unavailable: 'a service is unavailable: try again later',
  config: 'the service or tenant is misconfigured',
  'bad-response': 'a remote service answered unexpectedly',
  internal: 'internal error',
};

const SIDE_NAME = { crm: 'Creatio', google: 'Google' } as const;

export function answerFor(e: unknown): ErrorAnswer {
  if (e instanceof EdgeError)
    return { status: e.status, code: e.code, message: e.message, headers: e.headers };
  if (e instanceof ConfigError) return { status: 500, code: 'config', message: GENERIC.config, headers: {} };
  if (!(e instanceof SyncError))
    return { status: 500, code: 'internal', message: GENERIC.internal, headers: {} };
  const retry: Record<string, string> =
    e.details.retryAfterMs !== undefined
      ? { 'retry-after': String(Math.ceil(e.details.retryAfterMs / 1000)) }
      : {};
  const side = e.details.side;
  if (side === undefined) {
    // Our own use cases: the message was written for the caller. Config messages may name secrets' places.
    const message = e.kind === 'config' || e.kind === 'internal' ? GENERIC[e.kind] : e.message;
    const challenge: Record<string, string> = e.kind === 'auth' ? { 'www-authenticate': 'Bearer' } : {};
    return { status: OWN[e.kind], code: e.kind, message, headers: { ...retry, ...challenge } };
  }
  // A remote service's failure is never the caller's credentials or request: 502/503, not 401/400.
  const status = e.kind === 'throttled' || e.kind === 'unavailable' ? 503 : 502;
  return {
    status,
    code: `${side}-${e.kind}`,
    message: `${SIDE_NAME[side]}: ${GENERIC[e.kind]}`,
    headers: retry,
  };
}

/** Log a failure by kind only; 5xx as errors, refusals of bad input as warnings at most. */
export function logFailure(
  where: string,
  e: unknown,
  answer: ErrorAnswer,
  fields: Record<string, string> = {},
): void {
  const severity =
    answer.status >= 500 ? 'ERROR' : answer.status === 401 || answer.status === 403 ? 'WARNING' : 'INFO';
  log(severity, `${where}: ${answer.code}`, {
    status: answer.status,
    error: e instanceof Error ? e.name : typeof e,
    grpcCode: typeof (e as { code?: unknown })?.code === 'number' ? (e as { code: number }).code : undefined,
    // Names of variables, never their values: what whoever deploys must fix.
    variables: e instanceof ConfigError ? e.variables.join(',') : undefined,
    ...fields,
  });
}

export function sendError(res: Response, answer: ErrorAnswer): void {
  if (res.headersSent) return void res.end();
  res.status(answer.status);
  for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
  res.setHeader('cache-control', 'no-store');
  res.json({ error: { code: answer.code, message: answer.message } });
}

export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).setHeader('cache-control', 'no-store');
  res.json(body);
}

/** Pub/Sub: a transient failure is retried (redelivered); anything else would fail the same way again. */
export const shouldRetry = (e: unknown): boolean => isTransient(e);

/**
 * What a Pub/Sub function throws to have its message redelivered: the framework logs the stack and
 * answers the message text, so both carry the kind and nothing else.
 */
export function retryError(kind: string): Error {
  const e = new Error(`retry: ${kind}`);
  e.stack = e.message;
  return e;
}
