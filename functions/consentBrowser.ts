// The browser side of the consent binding: the cookie set when a consent begins (from a connect link
// or from a signed-in page) and read back by the callback, and the cross-site check of a form POST that
// begins one. Attributes come from shared/browserBinding.ts, so every way in sets the same cookie.
import type { Request, Response } from '@google-cloud/functions-framework';
import { CONSENT_COOKIE, cookieValue, setCookieHeader } from '../shared/browserBinding.js';
import type { ConsentStart } from '../shared/connect.js';
import { BROWSER_HEADERS } from './page.js';
import { EdgeError } from './respond.js';

/** Set the binding cookie and send the browser to Google's consent page (303: the next step is a GET). */
export function sendToConsent(res: Response, start: ConsentStart): void {
  for (const [k, v] of Object.entries(BROWSER_HEADERS)) res.setHeader(k, v);
  res.setHeader('set-cookie', setCookieHeader(start.cookie));
  res.redirect(303, start.consentUrl);
}

/** The binding cookie's value this browser sent, or null. */
export const consentCookie = (req: Request): string | null => cookieValue(req.headers.cookie, CONSENT_COOKIE);

/**
 * A form POST that begins a consent must come from our own page: a browser names the page's origin
 * (Origin, Sec-Fetch-Site), and a cross-site form could otherwise spend a link in someone's browser.
 * A client that is no browser sends neither and cannot be made to post by another site.
 */
export function requireSameOrigin(req: Request, ownUrl: string): void {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  const crossSite = site !== undefined && site !== 'same-origin' && site !== 'none';
  // Under `Referrer-Policy: no-referrer` a browser posts `Origin: null` even from our own page; then
  // only Sec-Fetch-Site can vouch for it.
  const hidden = origin === 'null' && site === 'same-origin';
  if (crossSite || (origin !== undefined && !hidden && origin !== new URL(ownUrl).origin))
    throw new EdgeError(403, 'cross-site', 'open the connect link and use its button');
}
