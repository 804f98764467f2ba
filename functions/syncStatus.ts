// syncStatus (HTTP GET ?tenantId=&userId=[&runId=], tenant API key): the connection's status, or one
// run's state and summary.
import { authorizeTenant } from '../shared/apiKeys.js';
import { app } from '../shared/compose.js';
import { statusQuerySchema } from '../shared/requests.js';
import { connectionStatus, runStatus } from '../shared/status.js';
import { jsonHandler } from './handler.js';
import { bearerKey, queryParams, requireMethod } from './http.js';
import { sendJson } from './respond.js';

export const syncStatus = jsonHandler('syncStatus', async (req, res) => {
  requireMethod(req, ['GET']);
  const q = queryParams(req, statusQuerySchema);
  const a = await app();
  const tenant = await authorizeTenant(a.tenants, q.tenantId, bearerKey(req));
  const now = a.clock.now();
  const body = q.runId
    ? await runStatus(a, q.tenantId, q.userId, q.runId, now)
    : await connectionStatus(a, q.tenantId, q.userId, now, tenant);
  sendJson(res, 200, body);
});
