// The small pages a person sees during the Google connect flow. Everything shown is escaped; the
// headers keep the page (and the code and state in its URL) from being framed, cached or referred.
import type { Response } from '@google-cloud/functions-framework';

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// No form-action: browsers apply it to every redirect after a form post, and the connect button's
// post is answered by a redirect to Google's consent page (then back to oauthCallback).
export const BROWSER_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
};

export function sendPage(res: Response, status: number, title: string, message: string, code?: string): void {
  const codeLine = code ? `\n<p><small>Code: <code>${escape(code)}</code></small></p>` : '';
  sendHtml(res, status, title, `<p>${escape(message)}</p>${codeLine}`);
}

/** A page with one button that POSTs `fields` to `action` (same origin). */
export function sendButtonPage(
  res: Response,
  title: string,
  message: string,
  button: { action: string; label: string; fields: Record<string, string> },
): void {
  const hidden = Object.entries(button.fields)
    .map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`)
    .join('');
  sendHtml(
    res,
    200,
    title,
    `<p>${escape(message)}</p>
<form method="post" action="${escape(button.action)}">${hidden}<button type="submit">${escape(button.label)}</button></form>`,
  );
}

function sendHtml(res: Response, status: number, title: string, body: string): void {
  res.status(status);
  for (const [k, v] of Object.entries(BROWSER_HEADERS)) res.setHeader(k, v);
  res.type('html');
  res.send(
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}</style>
</head><body>
<h1>${escape(title)}</h1>
${body}
</body></html>
`,
  );
}
