// Every page goes out through here: a fresh nonce for the one inline style and script, a CSP that
// allows nothing else, no caching, no framing, no referrer (the URLs carry tokens).
import { randomBytes } from 'node:crypto';
import type { Response } from '@google-cloud/functions-framework';
import type { Session } from '../../shared/sessions.js';
import { SCRIPT, STYLE } from './assets.js';
import type { Html } from './html.js';
import { html, trusted } from './html.js';

export function pageHeaders(nonce: string): Record<string, string> {
  return {
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'content-security-policy': [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      "connect-src 'self'",
      "img-src 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  };
}

export interface PageParts {
  title: string;
  body: Html;
  /** Shown in the top bar with a sign-out button. */
  session?: { who: string; csrf: string; signOutUrl: string } | null;
}

export function sendHtmlPage(res: Response, status: number, parts: PageParts): void {
  const nonce = randomBytes(16).toString('base64');
  res.status(status);
  for (const [k, v] of Object.entries(pageHeaders(nonce))) res.setHeader(k, v);
  res.type('html');
  const s = parts.session;
  const top = html`<header class="top">
    <div class="wrap">
      <span class="brand">Contact sync</span>
      ${
        s
          ? html`<span class="who"
              ><span>Signed in as ${s.who}</span>
              <form method="post" action="${s.signOutUrl}">
                <input type="hidden" name="csrf" value="${s.csrf}" /><button class="link" type="submit">
                  Sign out
                </button>
              </form></span
            >`
          : ''
      }
    </div>
  </header>`;
  res.send(
    html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>${parts.title} · Contact sync</title>
          <style nonce="${nonce}">
            ${trusted(STYLE)}
          </style>
        </head>
        <body>
          ${top}
          <main class="wrap">${parts.body}</main>
          <script nonce="${nonce}">
            ${trusted(SCRIPT)};
          </script>
        </body>
      </html> `.text,
  );
}

export const whoIs = (s: Session): string =>
  s.role === 'admin' ? `the administrator of ${s.tenantId}` : `${s.userId} (${s.tenantId})`;
