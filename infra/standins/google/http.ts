// node:http plumbing: routes, bodies, replies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidArgument } from './errors.js';
import type { Account } from './store.js';
import type { AccessToken } from './tokens.js';

/** 200 creates of 128 KB each is about 25 MB; anything larger is refused rather than buffered. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  html?: string;
}

export type ApiKind = 'read' | 'write' | 'oauth';

export interface RequestContext {
  req: IncomingMessage;
  url: URL;
  path: string;
  query: URLSearchParams;
  httpMethod: string;
  api: string;
  account?: Account;
  token?: AccessToken;
  rawBody(): Promise<Buffer>;
}

export interface Route {
  http: string | string[];
  pattern: RegExp;
  /** Method name used by stats and fault matching, e.g. `connections.list`. */
  api: string;
  kind: ApiKind;
  /** RPC name Google reports in ErrorInfo metadata, e.g. `google.people.v1.PeopleService.ListConnections`. */
  rpc?: string;
  handler: (rc: RequestContext, match: RegExpExecArray) => Reply | Promise<Reply>;
}

export function matchRoute(
  routes: readonly Route[],
  httpMethod: string,
  path: string,
): [Route, RegExpExecArray] | undefined {
  for (const route of routes) {
    const methods = Array.isArray(route.http) ? route.http : [route.http];
    if (!methods.includes(httpMethod)) continue;
    const m = route.pattern.exec(path);
    if (m) return [route, m];
  }
  return undefined;
}

export class BodyTooLarge extends Error {}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge(`request body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function parseJson(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidArgument('Invalid JSON payload received. Unexpected token.');
  }
}

/** Form bodies for the OAuth endpoints; JSON is also accepted there, as Google does. */
export function parseForm(buf: Buffer, contentType: string | undefined): URLSearchParams {
  const text = buf.toString('utf8');
  if (contentType?.includes('application/json') && text.trim() !== '') {
    try {
      const obj = JSON.parse(text) as Record<string, unknown>;
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== null) params.set(k, String(v));
      return params;
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(text);
}

export function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = {
    'cache-control': 'no-cache, no-store, max-age=0, must-revalidate',
    ...reply.headers,
  };
  let payload = '';
  if (reply.json !== undefined) {
    headers['content-type'] = 'application/json; charset=UTF-8';
    payload = JSON.stringify(reply.json, null, 2);
  } else if (reply.html !== undefined) {
    headers['content-type'] = 'text/html; charset=UTF-8';
    payload = reply.html;
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** Google's front end answers unknown paths and 502s with HTML, not JSON. */
export function htmlError(status: number, text: string): Reply {
  const html =
    `<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Error ${status} (Google stand-in)</title>` +
    `<p><b>${status}.</b> <ins>That’s an error.</ins><p>${escapeHtml(text)} <ins>That’s all we know.</ins></html>`;
  return { status, html };
}

export const json = (body: unknown, status = 200, headers?: Record<string, string>): Reply => ({
  status,
  json: body,
  headers,
});

export function requireObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw invalidArgument(`Invalid JSON payload received. Expected an object for '${what}'.`);
  }
  return v as Record<string, unknown>;
}
