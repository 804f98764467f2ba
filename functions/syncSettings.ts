// syncSettings (HTTP GET, PUT ?tenantId=&userId=, tenant API key): a connection's settings.
// PUT {crmGroupId, intervalMinutes 5-1440, policy, enabled} answers the saved settings; the CRM group
// must exist in the tenant's Creatio and be static.
import { authorizeTenant } from '../shared/apiKeys.js';
import { app } from '../shared/compose.js';
import { connectionKey, settingsSchema } from '../shared/requests.js';
import { getSettings, saveSettings } from '../shared/settings.js';
import { jsonHandler } from './handler.js';
import { bearerKey, jsonBody, queryParams, requireMethod } from './http.js';
import { sendJson } from './respond.js';

export const syncSettings = jsonHandler('syncSettings', async (req, res) => {
  requireMethod(req, ['GET', 'PUT']);
  const key = queryParams(req, connectionKey.strict());
  const settings = req.method === 'PUT' ? jsonBody(req, settingsSchema) : null;
  const a = await app();
  const tenant = await authorizeTenant(a.tenants, key.tenantId, bearerKey(req));
  const body = settings
    ? await saveSettings(a, tenant, key.userId, settings)
    : await getSettings(a, key.tenantId, key.userId);
  sendJson(res, 200, body);
});
