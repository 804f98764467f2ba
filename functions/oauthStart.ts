// oauthStart, three ways in:
// - POST JSON {tenantId, userId, crmGroupId} with the tenant API key: 200 {url, expiresAt}, a signed
//   connect link that works once and expires within 10 minutes (the tenant's UI hands it to the user);
// - GET ?ticket=<id>.<mac> (a browser, or a link scanner, opening that link): a page with a button.
//   Opening spends nothing, so a scanner or chat preview cannot use up the link;
// - POST form ticket=<id>.<mac> (the button, from that page only): the ticket is spent, the consent
//   bound to this browser by a cookie, and the browser sent (303) to Google's consent page.
// A forged, expired or used ticket answers 400 (a page, or JSON when asked for).
import type { Request, Response } from '@google-cloud/functions-framework';
import { authorizeTenant } from '../shared/apiKeys.js';
import { app } from '../shared/compose.js';
import { checkConnectLink, createConnectLink, redeemConnectLink } from '../shared/connect.js';
import { connectStartSchema } from '../shared/requests.js';
import { browserFailure, oneQueryValue } from './browser.js';
import { requireSameOrigin, sendToConsent } from './consentBrowser.js';
import { jsonHandler } from './handler.js';
import { bearerKey, jsonBody, requireMethod } from './http.js';
import { log } from './log.js';
import { sendButtonPage } from './page.js';
import { EdgeError, sendJson } from './respond.js';

const TICKET_MAX = 200;

async function showLink(req: Request, res: Response): Promise<void> {
  try {
    const ticket = oneQueryValue(req, 'ticket', TICKET_MAX);
    const a = await app();
    await checkConnectLink(a, ticket);
    log('INFO', 'oauthStart: link shown');
    sendButtonPage(
      res,
      'Connect your Google contacts',
      'This connects the Google account you choose next to your CRM contacts, both ways. Continue only if this link was given to you.',
      { action: new URL(a.startUrl).pathname, label: 'Continue to Google', fields: { ticket } },
    );
  } catch (e) {
    browserFailure('oauthStart', req, res, e, 'This connect link does not work');
  }
}

async function clickLink(req: Request, res: Response): Promise<void> {
  try {
    const form: unknown = req.body;
    const ticket =
      typeof form === 'object' && form !== null ? (form as Record<string, unknown>).ticket : null;
    if (typeof ticket !== 'string' || ticket.length === 0 || ticket.length > TICKET_MAX)
      throw new EdgeError(400, 'bad-request', 'ticket is required');
    const a = await app();
    requireSameOrigin(req, a.startUrl);
    const start = await redeemConnectLink(a, ticket);
    log('INFO', 'oauthStart: sent to consent');
    sendToConsent(res, start);
  } catch (e) {
    browserFailure('oauthStart', req, res, e, 'This connect link does not work');
  }
}

const createLink = jsonHandler('oauthStart', async (req, res) => {
  requireMethod(req, ['GET', 'POST']);
  const body = jsonBody(req, connectStartSchema);
  const a = await app();
  const tenant = await authorizeTenant(a.tenants, body.tenantId, bearerKey(req));
  const link = await createConnectLink(a, tenant, body);
  sendJson(res, 200, link);
});

export async function oauthStart(req: Request, res: Response): Promise<void> {
  if (req.method === 'GET' || req.method === 'HEAD') return showLink(req, res);
  if (req.method === 'POST' && req.is('application/x-www-form-urlencoded')) return clickLink(req, res);
  return createLink(req, res);
}
