// Tenant documents in Firestore, through the product's own paths and codec so the functions read back
// exactly what is written here. Secrets are sealed before they reach a document; the API key is
// stored as its sha256 only.
import type { Firestore } from '@google-cloud/firestore';
import { tenantFromDoc } from '../../shared/adapters/firestore/codec.js';
import { connections, tenantDoc } from '../../shared/adapters/firestore/paths.js';
import type { Tenant, TenantCreatio } from '../../shared/ports.js';
import { runCap } from '../../shared/lease.js';
import { creatioSecretContext } from '../../shared/sealing.js';
import type { Sealer } from '../../shared/secrets.js';
import { randomToken, sha256 } from '../../shared/secrets.js';
import type { CreatioAuthInput } from './tenantArgs.js';

export class TenantProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TenantProblem';
  }
}

export interface AddInput {
  tenantId: string;
  creatioUrl: string;
  auth: CreatioAuthInput;
  defaults: Tenant['defaults'];
  /** Omitted: the default cap (shared/lease.ts). */
  maxConcurrentRuns?: number;
  /** Omitted: no daily budget (shared/creatioCalls.ts). */
  creatioDailyBudget?: number;
  replace: boolean;
}

/** The new API key (shown once), or null when --replace kept the existing one. */
export async function addTenant(
  db: Firestore,
  sealer: Sealer,
  input: AddInput,
  now: number,
): Promise<{ apiKey: string | null }> {
  const ref = tenantDoc(db, input.tenantId);
  const creatio = sealCreatio(sealer, input.tenantId, input.creatioUrl, input.auth);
  return db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    const existing = snap.exists ? tenantFromDoc(snap.data()) : null;
    if (existing && !input.replace)
      throw new TenantProblem(
        `tenant ${input.tenantId} already exists; use --replace to change its settings (the API key is kept)`,
      );
    const apiKey = existing ? null : randomToken();
    const tenant: Tenant = {
      tenantId: input.tenantId,
      apiKeyHash: existing ? existing.apiKeyHash : sha256(apiKey!),
      creatio,
      defaults: input.defaults,
      ...(input.maxConcurrentRuns === undefined ? {} : { maxConcurrentRuns: input.maxConcurrentRuns }),
      ...(input.creatioDailyBudget === undefined ? {} : { creatioDailyBudget: input.creatioDailyBudget }),
      createdAt: existing ? existing.createdAt : now,
    };
    tx.set(ref, tenantFromDoc(tenant));
    return { apiKey };
  });
}

function sealCreatio(
  sealer: Sealer,
  tenantId: string,
  baseUrl: string,
  auth: CreatioAuthInput,
): TenantCreatio {
  const context = creatioSecretContext(tenantId);
  return {
    baseUrl,
    auth:
      auth.mode === 'cookie'
        ? { mode: 'cookie', userName: auth.userName, passwordSealed: sealer.seal(auth.password, context) }
        : {
            mode: 'oauth',
            clientId: auth.clientId,
            clientSecretSealed: sealer.seal(auth.clientSecret, context),
            tokenUrl: auth.tokenUrl,
          },
  };
}

export async function rotateKey(db: Firestore, tenantId: string): Promise<string> {
  const ref = tenantDoc(db, tenantId);
  const apiKey = randomToken();
  await db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    if (!snap.exists) throw new TenantProblem(`tenant ${tenantId} does not exist`);
    tx.update(ref, { apiKeyHash: sha256(apiKey) });
  });
  return apiKey;
}

export async function getTenant(db: Firestore, tenantId: string): Promise<Tenant | null> {
  const snap = await tenantDoc(db, tenantId).get();
  return snap.exists ? tenantFromDoc(snap.data()) : null;
}

const LIST_LIMIT = 10_000; // far above any real number of tenants; bounds the read

export async function listTenants(db: Firestore): Promise<Tenant[]> {
  const snap = await tenantDoc(db, '_').parent.orderBy('tenantId').limit(LIST_LIMIT).get();
  return snap.docs.map((d) => tenantFromDoc(d.data()));
}

export async function countConnections(db: Firestore, tenantId: string): Promise<number> {
  const snap = await connections(db, tenantId).count().get();
  return snap.data().count;
}

/** Deletes the tenant with its connections, links, member lists and run history. */
export async function removeTenant(db: Firestore, tenantId: string): Promise<void> {
  const ref = tenantDoc(db, tenantId);
  if (!(await ref.get()).exists) throw new TenantProblem(`tenant ${tenantId} does not exist`);
  await db.recursiveDelete(ref);
}

/** What may be shown about a tenant: no sealed secret, no key hash. */
export function describeTenant(t: Tenant, connectionCount: number | null): [string, string][] {
  const auth = t.creatio.auth;
  return [
    ['tenant', t.tenantId],
    ['creatio url', t.creatio.baseUrl],
    [
      'creatio auth',
      auth.mode === 'cookie'
        ? `user ${auth.userName} (password sealed)`
        : `OAuth client ${auth.clientId} via ${auth.tokenUrl} (secret sealed)`,
    ],
    ['interval', `${t.defaults.intervalMinutes} min`],
    ['google group', t.defaults.googleGroupName],
    ['policy', t.defaults.policy],
    ['max concurrent runs', String(runCap(t))],
    ['creatio daily budget', t.creatioDailyBudget === undefined ? 'none' : `${t.creatioDailyBudget} calls`],
    ['created', new Date(t.createdAt).toISOString()],
    ...(connectionCount === null ? [] : [['connections', String(connectionCount)] as [string, string]]),
  ];
}
