// Before a tenant is saved: can the service reach its Creatio, log in with the credentials given, and
// read contact folders over OData? Each way this fails gets its own message, so whoever registers the
// tenant learns at once what to fix instead of from every user's first failed sync.
import { readFolderPage } from '../../shared/adapters/creatio/index.js';
import { SyncError } from '../../shared/errors.js';
import type { CreatioAuthInput } from './tenantArgs.js';
import { TenantProblem } from './tenantOps.js';

const TLS = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_|ERR_SSL_)/;

/** The network failure behind a fetch error, by its code (never its message, which may quote the URL). */
function networkProblem(e: unknown, url: string): string {
  let cause: unknown = e;
  for (let i = 0; i < 4 && cause; i++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (TLS.test(code)) return `the TLS certificate of ${url} is not accepted (${code})`;
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host of ${url} is not found (${code})`;
      if (code === 'ECONNREFUSED') return `${url} refuses connections (${code})`;
      return `${url} cannot be reached (${code})`;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return `${url} cannot be reached (${e instanceof Error ? e.name : 'error'})`;
}

export async function checkCreatio(
  baseUrl: string,
  auth: CreatioAuthInput,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const fetchFn = options.fetch ?? fetch;
  try {
    await fetchFn(baseUrl, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new TenantProblem(`Creatio check: ${networkProblem(e, baseUrl)}; nothing was saved`);
  }
  try {
    await readFolderPage({
      baseUrl,
      auth,
      clock: { now: () => Date.now() },
      fetch: fetchFn,
      timeoutMs,
      retry: { attempts: 2 },
    });
  } catch (e) {
    if (!(e instanceof SyncError)) throw e;
    const why =
      e.kind === 'auth'
        ? auth.mode === 'cookie'
          ? `Creatio refused user ${auth.userName} with the password given (wrong user name or password)`
          : `Creatio refused the OAuth client ${auth.clientId} (wrong client id, secret or token URL)`
        : e.kind === 'permission'
          ? 'the user has no OData rights to read contact folders (Creatio answered 403)'
          : e.kind === 'not-found'
            ? `${baseUrl} has no Creatio OData service at /0/odata (wrong URL?)`
            : `reading contact folders failed: ${e.message}`;
    throw new TenantProblem(`Creatio check: ${why}; nothing was saved (--no-check skips this check)`);
  }
}
