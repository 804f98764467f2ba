// Raw-HTTP helpers for the stand-in's own tests. Every request has a timeout so a hung server
// fails a test instead of stalling the run.
import {
  startGoogleStandin,
  type GoogleStandin,
  type GoogleStandinOptions,
} from '../../../../infra/standins/google/index.js';

export const READ_TIMEOUT_MS = 10_000;
export const ALICE = 'alice@example.com';
export const BOB = 'bob@example.com';

export interface HttpResult {
  status: number;
  headers: Headers;
  // Tests inspect arbitrary Google JSON; `any` keeps the assertions readable.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

export async function http(
  standin: GoogleStandin,
  method: string,
  path: string,
  opts: {
    token?: string;
    query?: Record<string, string | string[] | number | boolean>;
    json?: unknown;
    form?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): Promise<HttpResult> {
  const url = new URL(path, standin.url);
  for (const [k, v] of Object.entries(opts.query ?? {})) {
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
  }
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  }
  const res = await fetch(url, {
    method,
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(READ_TIMEOUT_MS),
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  if (res.headers.get('content-type')?.includes('application/json') && text !== '') parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** A People API client bound to one account's token. */
export function api(standin: GoogleStandin, token: string) {
  type Q = Record<string, string | string[] | number | boolean>;
  return {
    get: (path: string, query?: Q) => http(standin, 'GET', path, { token, query }),
    post: (path: string, json: unknown, query?: Q) => http(standin, 'POST', path, { token, json, query }),
    patch: (path: string, json: unknown, query?: Q) => http(standin, 'PATCH', path, { token, json, query }),
    put: (path: string, json: unknown, query?: Q) => http(standin, 'PUT', path, { token, json, query }),
    del: (path: string, query?: Q) => http(standin, 'DELETE', path, { token, query }),
  };
}

export type Api = ReturnType<typeof api>;

export async function start(opts: GoogleStandinOptions = {}): Promise<GoogleStandin> {
  return startGoogleStandin(opts);
}

export const person = (given: string, family: string, extra: Record<string, unknown> = {}) => ({
  names: [{ givenName: given, familyName: family }],
  ...extra,
});

/** Follows every page of connections.list with identical parameters; bounded by `maxPages`. */
export async function listAll(
  client: Api,
  query: Record<string, string | number | boolean>,
  maxPages = 1000,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ people: any[]; pages: HttpResult[] }> {
  const pages: HttpResult[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const people: any[] = [];
  let pageToken: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const res = await client.get('/v1/people/me/connections', pageToken ? { ...query, pageToken } : query);
    if (res.status !== 200) throw new Error(`listing failed: ${res.status} ${res.text}`);
    pages.push(res);
    people.push(...(res.body.connections ?? []));
    pageToken = res.body.nextPageToken;
    if (!pageToken) return { people, pages };
  }
  throw new Error(`more than ${maxPages} pages`);
}
