// oauthStart, two ways in:
// - POST {tenantId, userId, crmGroupId} with the tenant API key: 200 {url, expiresAt}, a signed connect
//   link that works once and expires within 10 minutes (the tenant's UI hands it to the user);
// - GET ?ticket=<id>.<mac> (the user's browser opening that link): 302 to Google's consent page.
//   A forged, expired or used ticket answers 400 (a page, or JSON when asked for).
import type { Request, Response } from '@google-cloud/functions-framework';
import { authorizeTenant } from '../shared/apiKeys.js';
import { app } from '../shared/compose.js';
import { createConnectLink, startConsent } from '../shared/connect.js';
import { connectStartSchema } from '../shared/requests.js';
import { log } from './log.js';
import { jsonHandler } from './handler.js';
import { bearerKey, jsonBody, requireMethod } from './http.js';
import { BROWSER_HEADERS } from './page.js';
import { browserFailure, oneQueryValue } from './browser.js';
import { sendJson } from './respond.js';

async function openLink(req: Request, res: Response): Promise<void> {
  try {
    const ticket = oneQueryValue(req, 'ticket', 200);
    const consentUrl = await startConsent(await app(), ticket);
    for (const [k, v] of Object.entries(BROWSER_HEADERS)) res.setHeader(k, v);
    log('INFO', 'oauthStart: sent to consent');
    res.redirect(302, consentUrl);
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
  if (req.method === 'GET') return openLink(req, res);
  return createLink(req, res);
}
