// Tenants: each one's Creatio settings (secrets sealed), scheduling defaults and API key hash.
import type { Firestore } from '@google-cloud/firestore';
import type { Tenant, TenantStore } from '../../ports.js';
import { tenantFromDoc } from './codec.js';
import type { FirestoreMeter } from './meter.js';
import { tenantDoc } from './paths.js';

export class FirestoreTenants implements TenantStore {
  constructor(
    private readonly db: Firestore,
    private readonly meter: FirestoreMeter,
  ) {}

  async get(tenantId: string): Promise<Tenant | null> {
    const snap = await tenantDoc(this.db, tenantId).get();
    this.meter.read(1);
    return snap.exists ? tenantFromDoc(snap.data()) : null;
  }

  async put(tenant: Tenant): Promise<void> {
    await tenantDoc(this.db, tenant.tenantId).set(tenant);
    this.meter.wrote(1);
  }
}
