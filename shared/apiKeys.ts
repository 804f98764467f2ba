// Tenant API keys: a key opens its own tenant and nothing else. Only the key's sha256 is stored, and
// it is compared in constant time. An unknown tenant and a wrong key fail alike, so a caller learns
// nothing about which tenants exist.
import { SyncError } from './errors.js';
import type { Tenant, TenantStore } from './ports.js';
import { sameDigest, sha256 } from './secrets.js';

/** Compared against when the tenant does not exist, so that case costs the same as a wrong key. */
const NO_TENANT = sha256('no tenant has this key');

export const hashApiKey = (key: string): string => sha256(key);

export async function authorizeTenant(
  tenants: TenantStore,
  tenantId: string,
  apiKey: string | null,
): Promise<Tenant> {
  if (apiKey === null) throw new SyncError('auth', 'an API key is required (Authorization: Bearer <key>)');
  const tenant = await tenants.get(tenantId);
  const ok = sameDigest(hashApiKey(apiKey), tenant?.apiKeyHash ?? NO_TENANT);
  if (!tenant || !ok) throw new SyncError('auth', 'the API key does not open this tenant');
  return tenant;
}
