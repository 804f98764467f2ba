// Creatio's answers translated into the product's error vocabulary. Messages name the operation and
// the status only: Creatio's own text can quote the data (a name, an email), so it never leaves here.
import type { ItemErrorKind } from '../../ports.js';
import { SyncError, type ErrorKind } from '../../errors.js';
import type { RawReply } from './transport.js';
import { errorBody } from './wire.js';

/**
 * A web page where data was expected: the forms login page of an expired session, or a maintenance
 * or firewall page in front of Creatio. Only a fresh login tells them apart.
 */
export function isWebPage(reply: RawReply): boolean {
  const type = reply.headers.get('content-type') ?? '';
  return /text\/html/i.test(type) || /^\s*</.test(reply.text.slice(0, 64));
}

/** A page answered right after a successful login: Creatio is behind maintenance or a firewall. */
export const pageInsteadOfData = (what: string): SyncError =>
  new SyncError('unavailable', `Creatio answered ${what} with a web page (maintenance or a firewall)`, {
    side: 'crm',
  });

const RAM_LIMIT = 'Request processing terminated because it reached the RAM consumption limit';
/** SQL Server and PostgreSQL wording of a primary-key violation. */
const DUPLICATE_KEY = /PRIMARY KEY|duplicate key/i;
const CONSTRAINT = /PRIMARY KEY|FOREIGN KEY|REFERENCE constraint|duplicate key|unique constraint/i;

export function errorText(body: unknown): string {
  const r = errorBody.safeParse(body);
  if (!r.success) return '';
  return `${r.data.error.message ?? ''}\n${r.data.error.innererror?.message ?? ''}`;
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

export const isRamLimit = (status: number, body: unknown): boolean =>
  status === 500 && errorText(typeof body === 'string' ? parseJson(body) : body).includes(RAM_LIMIT);

export const isDuplicateKey = (status: number, body: unknown): boolean =>
  status === 500 && DUPLICATE_KEY.test(errorText(typeof body === 'string' ? parseJson(body) : body));

/** A 500 that will answer the same however often it is repeated. */
export const isDeterministic500 = (body: unknown): boolean => {
  const t = errorText(typeof body === 'string' ? parseJson(body) : body);
  return t.includes(RAM_LIMIT) || CONSTRAINT.test(t);
};

export function kindOfStatus(status: number): ErrorKind {
  if (status === 400) return 'validation';
  if (status === 401) return 'auth';
  if (status === 403) return 'permission';
  if (status === 404) return 'not-found';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 429) return 'throttled';
  if (status >= 500 || status === 0) return 'unavailable';
  return 'bad-request';
}

export const statusError = (status: number, what: string, retryAfterMs?: number): SyncError =>
  new SyncError(kindOfStatus(status), `Creatio answered ${status} to ${what}`, {
    side: 'crm',
    status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });

export function itemErrorKind(status: number): ItemErrorKind {
  if (status === 400) return 'validation';
  if (status === 404) return 'not-found';
  return 'failed';
}
