// functions-framework parses every request body before our handler runs: any content type, gzip,
// deflate and br inflated, up to 1024 MB. A 255 KB gzip body that inflates to 250 MB exhausts a 256 MiB
// instance before any check of ours could run, and reaches the public functions without a key. So,
// before the framework is asked for a server, its own modules (resolved from the framework, not from
// us) are narrowed:
// - its Express app refuses a compressed body (415) or a declared length over MAX_REQUEST_BYTES (413)
//   from the headers alone, before one byte of the body is read;
// - its body parsers never inflate and stop reading at MAX_REQUEST_BYTES, which also bounds a chunked
//   body that declares no length;
// - the final handler answers what the parsers refuse with our JSON errors and logs the kind only
//   (Express's default would send an HTML stack trace and log the error, body included).
import { createRequire } from 'node:module';
import type { Request, Response } from '@google-cloud/functions-framework';
import { log } from './log.js';
import { sendError } from './respond.js';

interface BodyError {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
}

type Handle = (this: unknown, req: Request, res: Response, callback?: (err?: unknown) => void) => void;

const ANSWERS: Record<string, { status: number; code: string; message: string }> = {
  'entity.parse.failed': {
    status: 400,
    code: 'malformed-json',
    message: 'the request body is not valid JSON',
  },
  'entity.too.large': { status: 413, code: 'payload-too-large', message: 'the request body is too large' },
  'charset.unsupported': { status: 415, code: 'unsupported-media-type', message: 'the body must be UTF-8' },
  'encoding.unsupported': {
    status: 415,
    code: 'unsupported-media-type',
    message: 'unsupported content encoding',
  },
  'request.aborted': { status: 400, code: 'bad-request', message: 'the request was aborted' },
};

const NOT_AN_EVENT = {
  status: 400,
  code: 'not-an-event',
  message: 'the request is not a CloudEvent or a Pub/Sub push',
};
const EVENTS_ARE_POSTED = { status: 405, code: 'method-not-allowed', message: 'use POST' };

function finish(req: Request, res: Response, err: unknown): void {
  // No route, or an error without a status: only an event function's routes are method-bound, and
  // only its middleware (Pub/Sub and CloudEvent conversion) throws plain errors, on a request that is
  // not an event. Our own functions answer their own failures. Either way the caller sent something
  // that is not an event: a refusal, not a fault of ours.
  const e = (err ?? {}) as BodyError;
  const known = typeof e.type === 'string' ? ANSWERS[e.type] : undefined;
  const status = Number(e.status ?? e.statusCode);
  const answer =
    known ??
    (status >= 400 && status < 500
      ? { status, code: 'bad-request', message: 'the request could not be read' }
      : status >= 500
        ? { status: 500, code: 'internal', message: 'internal error' }
        : req.method === 'POST'
          ? NOT_AN_EVENT
          : EVENTS_ARE_POSTED);
  log(answer.status >= 500 ? 'ERROR' : 'WARNING', `request refused before the function: ${answer.code}`, {
    method: req.method,
    status: answer.status,
    error: err instanceof Error ? err.name : undefined,
  });
  sendError(res, { ...answer, headers: answer === EVENTS_ARE_POSTED ? { allow: 'POST' } : {} });
}

/**
 * The most any request may carry, for every function: our JSON bodies are a few ids (16 KiB, checked
 * again in http.ts) and a Pub/Sub push envelope holds one message of at most 4 KiB.
 */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** A refusal from the headers alone, or null when the body may be read. */
export function refuseByHeaders(
  headers: Request['headers'],
): { status: number; code: string; message: string } | null {
  const encoding = String(headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding !== 'identity' && encoding !== '')
    return { status: 415, code: 'unsupported-media-type', message: 'send the body uncompressed' };
  const declared = headers['content-length'];
  if (declared !== undefined && !(Number(declared) <= MAX_REQUEST_BYTES))
    return {
      status: 413,
      code: 'payload-too-large',
      message: `the request body must be at most ${MAX_REQUEST_BYTES} bytes`,
    };
  return null;
}

type Parser = (options?: Record<string, unknown>) => unknown;
const PARSERS = ['json', 'text', 'urlencoded', 'raw'] as const;

let installed = false;

export function installFrameworkErrorHandler(): void {
  if (installed) return;
  installed = true;
  const fromFramework = createRequire(
    createRequire(import.meta.url).resolve('@google-cloud/functions-framework'),
  );
  const parsers = fromFramework('body-parser') as Record<(typeof PARSERS)[number], Parser>;
  for (const name of PARSERS) {
    const make = parsers[name];
    parsers[name] = (options = {}) => make({ ...options, limit: MAX_REQUEST_BYTES, inflate: false });
  }
  const application = (fromFramework('express') as { application: { handle: Handle } }).application;
  const original = application.handle;
  // Apps copy the prototype's methods when created, so this reaches every server built after it.
  application.handle = function handle(req, res, callback) {
    const refusal = refuseByHeaders(req.headers);
    if (refusal) {
      log('WARNING', `request refused before the function: ${refusal.code}`, {
        method: req.method,
        status: refusal.status,
      });
      // Express has not dressed `res` yet: a plain Node response. The unread body is not worth
      // draining, so the connection closes once answered.
      res.writeHead(refusal.status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'close',
      });
      return void res.end(JSON.stringify({ error: { code: refusal.code, message: refusal.message } }));
    }
    return original.call(this, req, res, callback ?? ((err?: unknown) => finish(req, res, err)));
  };
}
