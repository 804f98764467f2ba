// Plain-fetch helpers for talking to the Creatio stand-in the way a client would.
import {
  ManualClock,
  startCreatioStandin,
  type CreatioStandin,
  type CreatioStandinOptions,
} from '../../../../infra/standins/creatio/index.js';

export interface Started {
  s: CreatioStandin;
  clock: ManualClock;
}

/** Starts a stand-in on a free loopback port with a clock that moves only when told. */
export async function start(opts: CreatioStandinOptions = {}): Promise<Started> {
  const clock = new ManualClock(Date.UTC(2024, 4, 23, 9, 0, 0));
  const s = await startCreatioStandin({ clock, ...opts });
  return { s, clock };
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

async function toReply(r: Response): Promise<Reply> {
  const text = await r.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

export function loginRaw(s: CreatioStandin, body: unknown, method = 'Login'): Promise<Response> {
  return fetch(`${s.url}/ServiceModel/AuthService.svc/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ForceUseSession: 'true' },
    body: JSON.stringify(body),
  });
}

export interface Session {
  cookie: string;
  csrf: string;
}

export async function login(
  s: CreatioStandin,
  userName = 'Supervisor',
  password = 'Supervisor',
): Promise<Session> {
  const r = await loginRaw(s, { UserName: userName, UserPassword: password });
  const set = r.headers.getSetCookie();
  await r.text();
  const cookie = set.map((c) => c.split(';')[0]).join('; ');
  const csrf = set
    .find((c) => c.startsWith('BPMCSRF='))
    ?.split(';')[0]
    ?.slice('BPMCSRF='.length);
  if (!csrf) throw new Error(`login failed: ${r.status}`);
  return { cookie, csrf };
}

export async function token(s: CreatioStandin, clientId: string, clientSecret: string): Promise<Reply> {
  return toReply(
    await fetch(s.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: clientId,
        client_secret: clientSecret,
        grant_type: 'client_credentials',
      }),
    }),
  );
}

export type Auth = Session | { bearer: string } | undefined;

export function authHeaders(auth: Auth): Record<string, string> {
  if (!auth) return {};
  if ('bearer' in auth) return { Authorization: `Bearer ${auth.bearer}` };
  return { Cookie: auth.cookie, BPMCSRF: auth.csrf };
}

/** An OData client bound to one stand-in and one login; `path` is relative to /0/odata. */
export function odata(s: CreatioStandin, auth: Auth) {
  const call = async (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) =>
    toReply(
      await fetch(`${s.odataUrl}/${path}`, {
        method,
        redirect: 'manual',
        headers: {
          Accept: 'application/json',
          ForceUseSession: 'true',
          ...(body !== undefined
            ? { 'Content-Type': 'application/json; charset=utf-8; IEEE754Compatible=true' }
            : {}),
          ...authHeaders(auth),
          ...extra,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  return {
    get: (path: string, extra?: Record<string, string>) => call('GET', path, undefined, extra),
    post: (path: string, body: unknown) => call('POST', path, body),
    patch: (path: string, body: unknown) => call('PATCH', path, body),
    del: (path: string) => call('DELETE', path),
    batch: (requests: unknown[], prefer?: string) =>
      call('POST', '$batch', { requests }, prefer ? { Prefer: prefer } : {}),
    call,
  };
}

export type OData = ReturnType<typeof odata>;

/** `$filter=` with the expression percent-encoded, as a client must send it. */
export const filter = (expr: string): string => `$filter=${encodeURIComponent(expr)}`;

/** Logs in as Supervisor and returns an OData client. */
export async function supervisor(s: CreatioStandin): Promise<OData> {
  return odata(s, await login(s));
}

/** Mocha setup: a fresh stand-in and a logged-in Supervisor client for each test of the block. */
export function useStandin(opts: CreatioStandinOptions = {}): { readonly t: Started; readonly api: OData } {
  const env = {} as { t: Started; api: OData };
  beforeEach(async () => {
    env.t = await start(opts);
    env.api = await supervisor(env.t.s);
  });
  afterEach(async () => env.t.s.close());
  return env;
}
