// Signing in to the pages without the API key ever reaching a browser: the tenant's CRM asks (with
// its key) for a sign-in link naming one user, or the tenant's admin; the link is a signed, expiring,
// single-use token. Spending it starts a session, kept in a sealed cookie (AES-GCM under the token
// key, bound to its purpose), so a session can be neither forged nor edited into another tenant's or
// user's. It carries its own CSRF token and expiry; signing out or letting it expire ends it.
import { SyncError } from './errors.js';
import { isId } from './requests.js';
import type { Sealer } from './secrets.js';
import { randomToken } from './secrets.js';
import type { OneTimeTokenDeps } from './signedTokens.js';
import { issueToken, takeToken } from './signedTokens.js';
import type { Tenant } from './ports.js';

/** Long enough to open the link the CRM just handed over; short enough that a leaked one soon dies. */
export const SIGNIN_TTL_MS = 10 * 60_000;
/** A working day: the page is reopened from the CRM after that. */
export const SESSION_TTL_MS = 8 * 60 * 60_000;

const SESSION_CONTEXT = 'pages-session/v1';

export type Role = 'user' | 'admin';

export interface Session {
  tenantId: string;
  /** The salesperson; null for the tenant's admin. */
  userId: string | null;
  role: Role;
  /** Carried by every form, compared with this on each state-changing request. */
  csrf: string;
  expiresAt: number;
}

export interface SessionDeps extends OneTimeTokenDeps {
  sealer: Sealer;
  /** Public URL of the pages function. */
  pagesUrl: string;
}

export type SignInFor = { userId: string } | { admin: true };

export async function createSignInLink(
  deps: SessionDeps,
  tenant: Tenant,
  who: SignInFor,
): Promise<{ url: string; expiresAt: number }> {
  const payload =
    'userId' in who
      ? { tenantId: tenant.tenantId, role: 'user', userId: who.userId }
      : { tenantId: tenant.tenantId, role: 'admin', userId: '' };
  const token = await issueToken(deps, 'signin', payload, SIGNIN_TTL_MS);
  const url = new URL(`${deps.pagesUrl.replace(/\/$/, '')}/signin`);
  url.searchParams.set('token', token);
  return { url: url.toString(), expiresAt: deps.clock.now() + SIGNIN_TTL_MS };
}

/** Spend a sign-in link: the new session and its sealed form, for the cookie. */
export async function startSession(
  deps: SessionDeps,
  token: string,
): Promise<{ session: Session; sealed: string }> {
  const p = await takeToken(deps, 'signin', token);
  const role = p.role === 'admin' ? 'admin' : p.role === 'user' ? 'user' : null;
  if (!role || !isId(p.tenantId) || (role === 'user' && !isId(p.userId)))
    throw new SyncError('internal', 'a stored one-time token is malformed');
  const session: Session = {
    tenantId: p.tenantId,
    userId: role === 'user' ? p.userId! : null,
    role,
    csrf: randomToken(24),
    expiresAt: deps.clock.now() + SESSION_TTL_MS,
  };
  return { session, sealed: deps.sealer.seal(JSON.stringify(session), SESSION_CONTEXT) };
}

/** The session a cookie holds, or null when it is absent, tampered with, malformed or expired. */
export function openSession(
  deps: Pick<SessionDeps, 'sealer' | 'clock'>,
  sealed: string | null,
): Session | null {
  if (!sealed) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(deps.sealer.open(sealed, SESSION_CONTEXT));
  } catch {
    return null;
  }
  const s = raw as Partial<Session>;
  const ok =
    typeof s === 'object' &&
    s !== null &&
    isId(s.tenantId) &&
    (s.role === 'admin' ? s.userId === null : s.role === 'user' && isId(s.userId)) &&
    typeof s.csrf === 'string' &&
    typeof s.expiresAt === 'number';
  if (!ok || s.expiresAt! <= deps.clock.now()) return null;
  return s as Session;
}
