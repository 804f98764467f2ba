// Sign-in by link. Opening the link (GET) only shows a button, so a mail or chat scanner that fetches
// it spends nothing; the button's POST spends the single-use token and starts the session.
import type { Request, Response } from '@google-cloud/functions-framework';
import type { App } from '../../shared/compose.js';
import { authorizeTenant } from '../../shared/apiKeys.js';
import { signInLinkSchema } from '../../shared/requests.js';
import { createSignInLink, startSession } from '../../shared/sessions.js';
import { bearerKey, jsonBody, requireMethod } from '../http.js';
import { EdgeError, sendJson } from '../respond.js';
import { html } from './html.js';
import { sendHtmlPage } from './layout.js';
import { clearSessionCookie, formBody, setSessionCookie } from './session.js';

const TOKEN = /^[A-Za-z0-9_.-]{1,200}$/;

/** POST {tenantId, userId} or {tenantId, admin: true} with the tenant's API key: {url, expiresAt}. */
export async function signInLink(a: App, req: Request, res: Response): Promise<void> {
  requireMethod(req, ['POST']);
  const body = jsonBody(req, signInLinkSchema);
  const tenant = await authorizeTenant(a.tenants, body.tenantId, bearerKey(req));
  const link = await createSignInLink(
    a,
    tenant,
    'userId' in body ? { userId: body.userId } : { admin: true },
  );
  sendJson(res, 200, link);
}

export function signInPage(base: string, req: Request, res: Response): void {
  const token = req.query.token;
  if (typeof token !== 'string' || !TOKEN.test(token))
    throw new EdgeError(
      400,
      'bad-request',
      'this sign-in link is not valid: open the page again from your CRM',
    );
  sendHtmlPage(res, 200, {
    title: 'Sign in',
    body: html`<h1>Contact sync</h1>
      <section class="card">
        <p>You are about to open your contact sync settings.</p>
        <form method="post" action="${base}/signin">
          <input type="hidden" name="token" value="${token}" /> <button type="submit">Continue</button>
        </form>
      </section>`,
  });
}

export async function signIn(a: App, base: string, req: Request, res: Response): Promise<void> {
  const token = formBody(req).token;
  if (!token || !TOKEN.test(token)) throw new EdgeError(400, 'bad-request', 'this sign-in link is not valid');
  const { session, sealed } = await startSession(a, token);
  setSessionCookie(res, a, sealed, session.expiresAt);
  res.redirect(303, `${base}/${session.role === 'admin' ? 'admin' : ''}`);
}

export function signOut(a: App, res: Response): void {
  clearSessionCookie(res, a);
  sendHtmlPage(res, 200, {
    title: 'Signed out',
    body: html`<h1>Signed out</h1>
      <section class="card"><p>Open the contact sync again from your CRM to sign in.</p></section>`,
  });
}
