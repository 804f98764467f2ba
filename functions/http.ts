// Decoding HTTP requests at the edge: method, content type, size, JSON, bearer key, query ids. Every
// refusal is an EdgeError, answered as JSON by respond.ts before anything is read or written.
import type { Request } from '@google-cloud/functions-framework';
import type { z } from 'zod';
import { firstIssue } from '../shared/requests.js';
import { EdgeError } from './respond.js';

/** Bodies here are a few ids and settings: anything larger is a mistake or an attack. */
export const MAX_BODY_BYTES = 16 * 1024;

export function requireMethod(req: Request, allowed: readonly string[]): void {
  if (!allowed.includes(req.method))
    throw new EdgeError(405, 'method-not-allowed', `use ${allowed.join(' or ')}`, {
      allow: allowed.join(', '),
    });
}

/** The parsed JSON body, after checking its type and size. */
export function jsonBody<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const declared = Number(req.headers['content-length'] ?? 0);
  const size = req.rawBody?.length ?? 0;
  if (declared > MAX_BODY_BYTES || size > MAX_BODY_BYTES)
    throw new EdgeError(413, 'payload-too-large', `the body must be at most ${MAX_BODY_BYTES} bytes`);
  if (!req.is('application/json'))
    throw new EdgeError(415, 'unsupported-media-type', 'send the body as application/json');
  // The framework turns an empty JSON body into {}: tell the caller what is missing instead.
  if (size === 0) throw new EdgeError(400, 'bad-request', 'a JSON body is required');
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new EdgeError(400, 'bad-request', 'the body must be a JSON object');
  return parse(schema, body);
}

export function queryParams<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const flat: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(req.query)) {
    if (typeof v !== 'string') throw new EdgeError(400, 'bad-request', `give ${k} once, as plain text`);
    flat[k] = v;
  }
  return parse(schema, flat);
}

export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new EdgeError(400, 'bad-request', firstIssue(parsed.error, value));
  return parsed.data;
}

/** The tenant API key from `Authorization: Bearer <key>`, or null when absent or malformed. */
export function bearerKey(req: Request): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header.trim());
  return m ? m[1]! : null;
}

/** Whether the caller wants JSON rather than a page (browsers ask for text/html). */
export const wantsJson = (req: Request): boolean => {
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
};
