// syncNow (HTTP POST {tenantId, userId, dryRun?, confirmRemovals?}, tenant API key):
// 202 {runId, queued} for the run that will cover the request (a running or queued one is reused);
// 200 {dryRun: true, ...} with the planned actions of a dry run, which writes nothing.
import { authorizeTenant } from '../shared/apiKeys.js';
import { app } from '../shared/compose.js';
import { syncNowSchema } from '../shared/requests.js';
import { syncNow as requestSync } from '../shared/syncNow.js';
import { jsonHandler } from './handler.js';
import { bearerKey, jsonBody, requireMethod } from './http.js';
import { sendJson } from './respond.js';

export const syncNow = jsonHandler('syncNow', async (req, res) => {
  requireMethod(req, ['POST']);
  const body = jsonBody(req, syncNowSchema);
  const a = await app();
  await authorizeTenant(a.tenants, body.tenantId, bearerKey(req));
  const result = await requestSync(a, body);
  if (result.kind === 'dry-run') {
    const { refused, counts, actions } = result;
    sendJson(res, 200, { dryRun: true, refused, counts, actions });
    return;
  }
  sendJson(res, 202, { runId: result.runId, queued: result.queued });
});
