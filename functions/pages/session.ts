// The session cookie and CSRF check at the edge. The cookie holds the sealed session
// (shared/sessions.ts); it is HttpOnly, SameSite=Lax, Secure unless the pages are served on loopback,
// and scoped to the pages' path.
import { timingSafeEqual } from 'node:crypto';
import type { Request, Response } from '@google-cloud/functions-framework';
import type { Session } from '../../shared/sessions.js';
import { openSession } from '../../shared/sessions.js';
import type { App } from '../../shared/compose.js';
import { EdgeError } from '../respond.js';

export const COOKIE = 'contact_sync_session';

const isLoopback = (u: URL): boolean =>
  u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';

function cookieAttributes(pagesUrl: string, maxAgeSeconds: number): string {
  const u = new URL(pagesUrl);
  const path = u.pathname.replace(/\/$/, '') || '/';
  const secure = isLoopback(u) ? '' : '; Secure';
  return `Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`;
}

export function setSessionCookie(res: Response, a: App, sealed: string, expiresAt: number): void {
  const maxAge = Math.max(0, Math.floor((expiresAt - a.clock.now()) / 1000));
  res.setHeader('set-cookie', `${COOKIE}=${sealed}; ${cookieAttributes(a.pagesUrl, maxAge)}`);
}

export function clearSessionCookie(res: Response, a: App): void {
  res.setHeader('set-cookie', `${COOKIE}=; ${cookieAttributes(a.pagesUrl, 0)}`);
}

function cookieValue(req: Request, name: string): string | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export function currentSession(req: Request, a: App): Session | null {
  return openSession(a, cookieValue(req, COOKIE));
}

/** A form post must carry the session's CSRF token. */
export function checkCsrf(session: Session, form: Record<string, string>): void {
  const given = Buffer.from(form.csrf ?? '');
  const expected = Buffer.from(session.csrf);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new EdgeError(403, 'forbidden', 'this form has expired: reload the page and try again');
}

/** The posted form, as flat strings. */
export function formBody(req: Request): Record<string, string> {
  if (!req.is('application/x-www-form-urlencoded'))
    throw new EdgeError(415, 'unsupported-media-type', 'send the form as application/x-www-form-urlencoded');
  const body: unknown = req.body;
  const out: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return out;
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string' && v.length <= 4096) out[k] = v;
  return out;
}
