// A connection's sync settings: which CRM static group, how often, which conflict policy, on or off.
// The group is checked against the tenant's Creatio on every save: it must exist and be static
// (a dynamic group is a saved filter; the sync cannot add contacts to it).
import { SyncError } from './errors.js';
import { tickSchedule } from './tick.js';
import type { Clock, ConnectionSettings, ConnectionStore, CrmDirectory, CrmFolder, Tenant } from './ports.js';

export interface SettingsDeps {
  connections: ConnectionStore;
  crm: CrmDirectory;
  clock: Clock;
}

export async function checkFolder(crm: CrmDirectory, tenant: Tenant, folderId: string): Promise<void> {
  const check = await crm.checkFolder(tenant, folderId);
  if (check === 'not-found') throw new SyncError('validation', 'crmGroupId: no such CRM group');
  if (check === 'not-static') throw new SyncError('validation', 'crmGroupId: the CRM group is not static');
}

const view = (c: ConnectionSettings): ConnectionSettings => ({
  crmGroupId: c.crmGroupId,
  intervalMinutes: c.intervalMinutes,
  policy: c.policy,
  enabled: c.enabled,
});

export async function getSettings(
  deps: SettingsDeps,
  tenantId: string,
  userId: string,
): Promise<ConnectionSettings> {
  const c = await deps.connections.get(tenantId, userId);
  if (!c) throw new SyncError('not-found', 'no such connection');
  return view(c);
}

export async function saveSettings(
  deps: SettingsDeps,
  tenant: Tenant,
  userId: string,
  settings: ConnectionSettings,
): Promise<ConnectionSettings> {
  // Known connection first: a user who never connected gets a 404, not a CRM lookup.
  if (!(await deps.connections.get(tenant.tenantId, userId)))
    throw new SyncError('not-found', 'no such connection');
  // A connection is synced at the first tick after it is due: below the tick period it would run at
  // the tick's pace, slower than it says. Refused, naming the smallest interval this tenant allows.
  const smallest = tickSchedule(tenant.defaults.intervalMinutes).periodMinutes;
  if (settings.intervalMinutes < smallest)
    throw new SyncError(
      'validation',
      `intervalMinutes: this tenant's scheduler ticks every ${smallest} minutes; the smallest interval it allows is ${smallest}`,
    );
  await checkFolder(deps.crm, tenant, settings.crmGroupId);
  const saved = await deps.connections.saveSettings(tenant.tenantId, userId, settings, deps.clock.now());
  if (!saved) throw new SyncError('not-found', 'no such connection');
  return view(saved);
}

/** The groups a person may choose: static ones only, since the sync cannot add to a dynamic one. */
export async function staticFolders(crm: CrmDirectory, tenant: Tenant): Promise<CrmFolder[]> {
  return (await crm.listFolders(tenant)).filter((f) => f.static);
}
