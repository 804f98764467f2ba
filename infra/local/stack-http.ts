// Calls to the served functions as the tenant's backend and the user's browser make them: redirects are
// followed by the caller, step by step, and every call is bounded.
import type { RunSummary } from '../../shared/ports.js';

export interface Answer {
  status: number;
  location: string | null;
  /** What a Set-Cookie header set, as a browser sends it back (`name=value`), or null. */
  cookie: string | null;
  text: string;
  json: unknown;
}

export async function call(
  url: string,
  init: {
    method?: string;
    apiKey?: string;
    json?: unknown;
    /** A form post, as a page's button sends it (with the page's origin). */
    form?: Record<string, string>;
    cookie?: string;
    timeoutMs?: number;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.apiKey !== undefined) headers.authorization = `Bearer ${init.apiKey}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  if (init.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers.origin = new URL(url).origin;
  }
  if (init.cookie !== undefined) headers.cookie = init.cookie;
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    body:
      init.form !== undefined
        ? new URLSearchParams(init.form).toString()
        : init.json === undefined
          ? undefined
          : JSON.stringify(init.json),
    redirect: 'manual',
    signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // A page, or empty.
  }
  const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? null;
  return { status: res.status, location: res.headers.get('location'), cookie, text, json };
}

/** An answer's error code, for messages: the functions' errors carry kinds, not data. */
export const errorCode = (a: Answer): string =>
  ((a.json as { error?: { code?: string } } | undefined)?.error?.code ?? '') || `HTTP ${a.status}`;

/** Where a URL leads, without its query (tickets, states and codes stay off the console). */
export const withoutQuery = (url: string): string => {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined>,
  timeoutMs: number,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface ApiTarget {
  syncNowUrl: string;
  syncStatusUrl: string;
  apiKey: string;
  tenantId: string;
  userId: string;
}

/** "Sync now", then syncStatus until that run has finished (a failed attempt may still be retried). */
export async function syncNowAndWait(t: ApiTarget, timeoutMs: number): Promise<RunSummary> {
  const started = await call(t.syncNowUrl, {
    method: 'POST',
    apiKey: t.apiKey,
    json: { tenantId: t.tenantId, userId: t.userId },
  });
  if (started.status !== 202) throw new Error(`syncNow answered ${errorCode(started)}`);
  const runId = (started.json as { runId: string }).runId;
  const query = new URLSearchParams({ tenantId: t.tenantId, userId: t.userId, runId });
  let last: RunSummary | null = null;
  try {
    return await waitFor(
      `run ${runId} to finish`,
      async () => {
        const r = await call(`${t.syncStatusUrl}?${query}`, { apiKey: t.apiKey });
        if (r.status !== 200) throw new Error(`syncStatus answered ${errorCode(r)}`);
        const body = r.json as { state: string; summary: RunSummary | null };
        if (body.state !== 'finished' || !body.summary) return null;
        last = body.summary;
        return body.summary.outcome === 'failed' ? null : body.summary;
      },
      timeoutMs,
    );
  } catch (e) {
    const failed = last as RunSummary | null;
    if (failed)
      throw new Error(`run ${runId} failed (${failed.error ?? 'unknown'}: ${failed.reason ?? ''})`, {
        cause: e,
      });
    throw e;
  }
}
