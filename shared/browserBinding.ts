// Binding an OAuth state to the browser that started the consent: a random secret goes to that browser
// in a cookie, and only its digest goes into the state (kept server-side). The callback accepts the
// state only from a browser that presents the secret, so a consent URL forwarded to someone else, or
// finished in another browser, connects nothing.
import { randomToken, sameDigest, sha256 } from './secrets.js';

/** The cookie's name; one consent at a time per browser (a second one replaces the first). */
export const CONSENT_COOKIE = 'contact_sync_consent';

export interface BrowserBinding {
  /** For the browser, in the cookie. */
  secret: string;
  /** For the state's payload. */
  digest: string;
}

/** What the edge sets on the browser: attributes are decided here, once, for every way in. */
export interface BindingCookie {
  name: string;
  value: string;
  /** The callback's path: the only place the cookie is needed. */
  path: string;
  maxAgeSeconds: number;
  /** Always, except on loopback (http://127.0.0.1, localhost) where there is no TLS. */
  secure: boolean;
  httpOnly: true;
  sameSite: 'Lax';
}

const SECRET = /^[A-Za-z0-9_-]{43}$/;

export function newBrowserBinding(): BrowserBinding {
  const secret = randomToken(32);
  return { secret, digest: sha256(secret) };
}

/** Whether the browser's cookie value is the secret behind `digest`. */
export function browserMatches(cookieValue: string | null, digest: string | undefined): boolean {
  if (cookieValue === null || !SECRET.test(cookieValue) || !digest) return false;
  return sameDigest(sha256(cookieValue), digest);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The cookie carrying `secret` to the OAuth callback at `callbackUrl`, for `ttlMs`. */
export function bindingCookie(secret: string, callbackUrl: string, ttlMs: number): BindingCookie {
  const url = new URL(callbackUrl);
  return {
    name: CONSENT_COOKIE,
    value: secret,
    path: url.pathname,
    maxAgeSeconds: Math.floor(ttlMs / 1000),
    secure: !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)),
    httpOnly: true,
    sameSite: 'Lax',
  };
}

/** The Set-Cookie header value for `cookie`. */
export function setCookieHeader(cookie: BindingCookie): string {
  return [
    `${cookie.name}=${cookie.value}`,
    `Path=${cookie.path}`,
    `Max-Age=${cookie.maxAgeSeconds}`,
    'HttpOnly',
    `SameSite=${cookie.sameSite}`,
    ...(cookie.secure ? ['Secure'] : []),
  ].join('; ');
}

/** One cookie's value from a Cookie header, or null (absent, or given more than once). */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  const values = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
  return values.length === 1 ? values[0]! : null;
}
