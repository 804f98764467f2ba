// Connecting a Google account, in steps that never trust the browser in between:
// 1. the tenant's backend asks for a connect link (a signed ticket naming tenant, user and CRM group);
// 2. the user opens it and sees a page with a button (opening spends nothing: link scanners and chat
//    unfurlers fetch links too); the click spends the ticket and begins the consent;
// 3. beginning a consent (here, or from a signed-in page of the product) makes a signed OAuth state
//    holding the PKCE verifier (sealed) and the digest of a browser binding, whose secret the
//    browser gets as a cookie; the browser goes to Google's consent page;
// 4. Google redirects back: the state is checked against the browser's cookie, the code redeemed with
//    the verifier, and only then is the state spent, the refresh token sealed to this connection and
//    the connection created or updated. A failure before that leaves the state usable: a reload retries.
import { SyncError } from './errors.js';
import type { ConnectionStore, CrmDirectory, GoogleConsent, Tenant, TenantStore } from './ports.js';
import type { BindingCookie, BrowserBinding } from './browserBinding.js';
import { bindingCookie, browserMatches, newBrowserBinding } from './browserBinding.js';
import { isId } from './requests.js';
import { googleTokenContext, pkceContext } from './sealing.js';
import type { Sealer } from './secrets.js';
import type { OneTimeTokenDeps } from './signedTokens.js';
import { issueToken, peekToken, takeToken } from './signedTokens.js';
import { checkFolder } from './settings.js';

/** Long enough to pass a link on and open it; short enough that a leaked link soon dies. */
export const TICKET_TTL_MS = 10 * 60_000;
/** Long enough for a person to read the consent page; also the binding cookie's lifetime. */
export const STATE_TTL_MS = 10 * 60_000;

export interface ConnectDeps extends OneTimeTokenDeps {
  tenants: TenantStore;
  connections: ConnectionStore;
  crm: CrmDirectory;
  consent: GoogleConsent;
  sealer: Sealer;
  /** Public URL of the oauthStart function. */
  startUrl: string;
  /** Public URL of the oauthCallback function (Google's redirect), where the binding cookie goes. */
  callbackUrl: string;
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

export interface ConsentSubject {
  tenantId: string;
  userId: string;
  /** The CRM group to sync; absent to keep the group of the user's existing connection. */
  crmGroupId?: string;
}

interface Pending {
  tenantId: string;
  userId: string;
  crmGroupId: string | null;
}

function pending(payload: Record<string, string>): Pending {
  const { tenantId, userId, crmGroupId } = payload;
  const group = crmGroupId === undefined || crmGroupId === '' ? null : crmGroupId;
  if (!isId(tenantId) || !isId(userId) || (group !== null && !isId(group)))
    throw new SyncError('internal', 'a stored one-time token is malformed');
  return { tenantId, userId, crmGroupId: group };
}

/** Check a connect link without spending it, for the page that asks the person to go on. */
export async function checkConnectLink(deps: ConnectDeps, ticket: string): Promise<void> {
  pending(await peekToken(deps, 'ticket', ticket));
}

export interface ConsentStart {
  /** Where to send the browser: Google's consent page. */
  consentUrl: string;
  /** What to set on that browser first; the callback refuses a browser without it. */
  cookie: BindingCookie;
}

/** Spend a connect link (the person clicked) and begin its consent in this browser. */
export async function redeemConnectLink(deps: ConnectDeps, ticket: string): Promise<ConsentStart> {
  const p = pending(await takeToken(deps, 'ticket', ticket));
  return beginConsent(deps, {
    tenantId: p.tenantId,
    userId: p.userId,
    crmGroupId: p.crmGroupId ?? undefined,
  });
}

/**
 * Begin a consent for `subject` in the browser that will carry `binding`'s secret: the consent URL
 * and the cookie to set with it. Every way into the consent (a connect link, a signed-in page) uses
 * this, so every callback is bound to a browser the same way.
 */
export async function beginConsent(
  deps: ConnectDeps,
  subject: ConsentSubject,
  binding: BrowserBinding = newBrowserBinding(),
): Promise<ConsentStart> {
  const { tenantId, userId } = subject;
  const crmGroupId = subject.crmGroupId ?? '';
  if (!isId(tenantId) || !isId(userId) || (crmGroupId !== '' && !isId(crmGroupId)))
    throw new SyncError('bad-request', 'the tenant, user or CRM group id is invalid');
  const pkce = await deps.consent.createPkce();
  const verifier = deps.sealer.seal(pkce.verifier, pkceContext(tenantId, userId));
  const state = await issueToken(
    deps,
    'state',
    { tenantId, userId, crmGroupId, verifier, binding: binding.digest },
    STATE_TTL_MS,
  );
  return {
    consentUrl: deps.consent.authorizationUrl({ state, codeChallenge: pkce.challenge }),
    cookie: bindingCookie(binding.secret, deps.callbackUrl, STATE_TTL_MS),
  };
}

export type ConsentResult =
  { outcome: 'connected'; tenantId: string; userId: string; email: string } | { outcome: 'denied' };

/**
 * Finish a consent: `code` on consent, `error` when the user (or Google) refused; `browser` is the
 * binding cookie's value. The state is spent only once the code has been redeemed, so a transient
 * failure before that can be retried by reloading the callback.
 */
export async function finishConsent(
  deps: ConnectDeps,
  input: { state: string; code: string | null; error: string | null; browser: string | null },
): Promise<ConsentResult> {
  const payload = await peekToken(deps, 'state', input.state);
  const p = pending(payload);
  if (!browserMatches(input.browser, payload.binding))
    throw new SyncError(
      'bad-request',
      'this sign-in was started in another browser, or this browser blocked its cookie: open the connect link again here',
    );
  if (input.error !== null || input.code === null) {
    await takeToken(deps, 'state', input.state);
    return { outcome: 'denied' };
  }
  const tenant = await deps.tenants.get(p.tenantId);
  if (!tenant) throw new SyncError('not-found', 'the tenant no longer exists');
  const crmGroupId = p.crmGroupId ?? (await deps.connections.get(p.tenantId, p.userId))?.crmGroupId;
  if (!crmGroupId) throw new SyncError('bad-request', 'no CRM group was chosen for this connection');
  const verifier = deps.sealer.open(payload.verifier ?? '', pkceContext(p.tenantId, p.userId));
  const grant = await deps.consent.exchangeCode(input.code, verifier).catch((e: unknown) => {
    // A refused code (stale, used, no offline grant) is the person's to retry, not a server fault.
    if (e instanceof SyncError && e.kind === 'auth')
      throw new SyncError('bad-request', 'Google did not accept the sign-in: ask for a new connect link');
    throw e;
  });
  // Spent now, in a transaction: of two callbacks racing with one state, one connects.
  await takeToken(deps, 'state', input.state);
  const refreshTokenSealed = deps.sealer.seal(grant.refreshToken, googleTokenContext(p.tenantId, p.userId));
  await deps.connections.connect({
    tenantId: p.tenantId,
    userId: p.userId,
    crmGroupId,
    google: grant.account,
    refreshTokenSealed,
    defaults: { intervalMinutes: tenant.defaults.intervalMinutes, policy: tenant.defaults.policy },
    now: deps.clock.now(),
  });
  return { outcome: 'connected', tenantId: p.tenantId, userId: p.userId, email: grant.account.email };
}
