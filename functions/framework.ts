// functions-framework parses every request body before our handler runs, and answers a body it cannot
// parse through Express's default final handler: an HTML page with the stack trace (outside
// production), and the whole error, body included, on stderr. That would put personal data in logs and
// stack traces in answers, so the framework's own Express (resolved from the framework, not from us)
// gets a final handler that answers such failures with our JSON errors and logs their kind only.
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

function finish(req: Request, res: Response, err: unknown): void {
  if (err === undefined || err === null) {
    // No route: an event function asked with another method than POST.
    sendError(res, { status: 404, code: 'not-found', message: 'no such route', headers: {} });
    return;
  }
  const e = err as BodyError;
  const known = typeof e.type === 'string' ? ANSWERS[e.type] : undefined;
  const status = Number(e.status ?? e.statusCode);
  const answer =
    known ??
    (status >= 400 && status < 500
      ? { status, code: 'bad-request', message: 'the request could not be read' }
      : { status: 500, code: 'internal', message: 'internal error' });
  log(answer.status >= 500 ? 'ERROR' : 'INFO', `request refused before the function: ${answer.code}`, {
    method: req.method,
    status: answer.status,
  });
  sendError(res, { ...answer, headers: {} });
}

let installed = false;

export function installFrameworkErrorHandler(): void {
  if (installed) return;
  installed = true;
  const fromFramework = createRequire(
    createRequire(import.meta.url).resolve('@google-cloud/functions-framework'),
  );
  const application = (fromFramework('express') as { application: { handle: Handle } }).application;
  const original = application.handle;
  // Apps copy the prototype's methods when created, so this reaches every server built after it.
  application.handle = function handle(req, res, callback) {
    return original.call(this, req, res, callback ?? ((err?: unknown) => finish(req, res, err)));
  };
}
