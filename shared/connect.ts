// Connecting a Google account, in three steps that never trust the browser in between:
// 1. the tenant's backend asks for a connect link (a signed ticket naming tenant, user and CRM group);
// 2. the user opens it: the ticket is spent and becomes a signed OAuth state holding the PKCE verifier
//    (sealed), and the browser goes to Google's consent page;
// 3. Google redirects back: the state is spent, the code redeemed with the verifier, the refresh token
//    sealed to this connection, and the connection created or updated.
import { SyncError } from './errors.js';
import type { ConnectionStore, CrmDirectory, GoogleConsent, Tenant, TenantStore } from './ports.js';
import { isId } from './requests.js';
import { googleTokenContext, pkceContext } from './sealing.js';
import type { Sealer } from './secrets.js';
import type { OneTimeTokenDeps } from './signedTokens.js';
import { issueToken, takeToken } from './signedTokens.js';
import { checkFolder } from './settings.js';

/** Long enough to pass a link on and open it; short enough that a leaked link soon dies. */
export const TICKET_TTL_MS = 10 * 60_000;
/** Long enough for a person to read the consent page. */
export const STATE_TTL_MS = 10 * 60_000;

export interface ConnectDeps extends OneTimeTokenDeps {
  tenants: TenantStore;
  connections: ConnectionStore;
  crm: CrmDirectory;
  consent: GoogleConsent;
  sealer: Sealer;
  /** Public URL of the oauthStart function. */
  startUrl: string;
}

export async function createConnectLink(
  deps: ConnectDeps,
  tenant: Tenant,
  input: { userId: string; crmGroupId: string },
): Promise<{ url: string; expiresAt: number }> {
  // Checked now, so a user is never sent through consent for a group the sync cannot use.
  await checkFolder(deps.crm, tenant, input.crmGroupId);
  const expiresAt = deps.clock.now() + TICKET_TTL_MS;
  const ticket = await issueToken(
    deps,
    'ticket',
    { tenantId: tenant.tenantId, userId: input.userId, crmGroupId: input.crmGroupId },
    TICKET_TTL_MS,
  );
  const url = new URL(deps.startUrl);
  url.searchParams.set('ticket', ticket);
  return { url: url.toString(), expiresAt };
}

interface Pending {
  tenantId: string;
  userId: string;
  crmGroupId: string;
}

function pending(payload: Record<string, string>): Pending {
  const { tenantId, userId, crmGroupId } = payload;
  if (!isId(tenantId) || !isId(userId) || !isId(crmGroupId))
    throw new SyncError('internal', 'a stored one-time token is malformed');
  return { tenantId, userId, crmGroupId };
}

/** Spend a connect ticket: the URL of Google's consent page. */
export async function startConsent(deps: ConnectDeps, ticket: string): Promise<string> {
  const p = pending(await takeToken(deps, 'ticket', ticket));
  const pkce = await deps.consent.createPkce();
  const verifier = deps.sealer.seal(pkce.verifier, pkceContext(p.tenantId, p.userId));
  const state = await issueToken(deps, 'state', { ...p, verifier }, STATE_TTL_MS);
  return deps.consent.authorizationUrl({ state, codeChallenge: pkce.challenge });
}

export type ConsentResult =
  { outcome: 'connected'; tenantId: string; userId: string; email: string } | { outcome: 'denied' };

/** Spend an OAuth state and finish: `code` on consent, `error` when the user (or Google) refused. */
export async function finishConsent(
  deps: ConnectDeps,
  input: { state: string; code: string | null; error: string | null },
): Promise<ConsentResult> {
  const payload = await takeToken(deps, 'state', input.state);
  const p = pending(payload);
  if (input.error !== null || input.code === null) return { outcome: 'denied' };
  const tenant = await deps.tenants.get(p.tenantId);
  if (!tenant) throw new SyncError('not-found', 'the tenant no longer exists');
  const verifier = deps.sealer.open(payload.verifier ?? '', pkceContext(p.tenantId, p.userId));
  const grant = await deps.consent.exchangeCode(input.code, verifier).catch((e: unknown) => {
    // A refused code (stale, used, no offline grant) is the person's to retry, not a server fault.
    if (e instanceof SyncError && e.kind === 'auth')
      throw new SyncError('bad-request', 'Google did not accept the sign-in: ask for a new connect link');
    throw e;
  });
  const refreshTokenSealed = deps.sealer.seal(grant.refreshToken, googleTokenContext(p.tenantId, p.userId));
  await deps.connections.connect({
    tenantId: p.tenantId,
    userId: p.userId,
    crmGroupId: p.crmGroupId,
    google: grant.account,
    refreshTokenSealed,
    defaults: { intervalMinutes: tenant.defaults.intervalMinutes, policy: tenant.defaults.policy },
    now: deps.clock.now(),
  });
  return { outcome: 'connected', tenantId: p.tenantId, userId: p.userId, email: grant.account.email };
}
