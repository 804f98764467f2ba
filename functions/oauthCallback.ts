// oauthCallback (GET ?code=&state=, or ?error=&state= when consent was refused): Google's redirect back.
// The state is verified and checked against this browser's binding cookie, the code redeemed, and
// only then the state spent, the refresh token sealed and the connection saved; the person sees a
// small page. A forged, expired or replayed state, or a consent begun in another browser, answers 400
// and writes nothing; a transient failure before the code is redeemed can be retried by reloading.
import type { Request, Response } from '@google-cloud/functions-framework';
import { app } from '../shared/compose.js';
import { finishConsent } from '../shared/connect.js';
import { browserFailure, oneQueryValue, optionalQueryValue } from './browser.js';
import { consentCookie } from './consentBrowser.js';
import { requireMethod } from './http.js';
import { connectionRef, log } from './log.js';
import { sendPage } from './page.js';

export async function oauthCallback(req: Request, res: Response): Promise<void> {
  try {
    requireMethod(req, ['GET']);
    const state = oneQueryValue(req, 'state', 200);
    const error = optionalQueryValue(req, 'error', 100);
    const code = error === null ? oneQueryValue(req, 'code', 2048) : null;
    const result = await finishConsent(await app(), { state, code, error, browser: consentCookie(req) });
    if (result.outcome === 'denied') {
      log('INFO', 'oauthCallback: consent refused');
      sendPage(res, 200, 'Not connected', 'Google access was not granted, so nothing was connected.');
      return;
    }
    log('INFO', 'oauthCallback: connected', {
      tenantId: result.tenantId,
      connection: connectionRef(result.tenantId, result.userId),
    });
    sendPage(
      res,
      200,
      'Google account connected',
      `Your Google account ${result.email} is connected. Contacts will sync shortly; you can close this window.`,
    );
  } catch (e) {
    browserFailure('oauthCallback', req, res, e, 'The Google account could not be connected');
  }
}
