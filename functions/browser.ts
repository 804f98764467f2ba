// Failures of the browser-facing steps (connect link, OAuth callback): a page for a person, or the
// usual JSON error for a client that asks for JSON.
import type { Request, Response } from '@google-cloud/functions-framework';
import { wantsJson } from './http.js';
import { sendPage } from './page.js';
import { EdgeError, answerFor, logFailure, sendError } from './respond.js';

export function oneQueryValue(req: Request, name: string, maxLength: number): string {
  const v = req.query[name];
  if (typeof v !== 'string' || v.length === 0) throw new EdgeError(400, 'bad-request', `${name} is required`);
  if (v.length > maxLength) throw new EdgeError(400, 'bad-request', `${name} is invalid`);
  return v;
}

export function optionalQueryValue(req: Request, name: string, maxLength: number): string | null {
  return req.query[name] === undefined ? null : oneQueryValue(req, name, maxLength);
}

export function browserFailure(where: string, req: Request, res: Response, e: unknown, title: string): void {
  const answer = answerFor(e);
  logFailure(where, e, answer, { method: req.method });
  if (wantsJson(req)) return sendError(res, answer);
  sendPage(res, answer.status, title, answer.message, answer.code);
}
