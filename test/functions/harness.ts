// The functions as they are deployed, in-process: each registered function served by functions-framework
// on its own loopback port, the app built by compose.ts against the Firestore emulator and the Google
// and Creatio stand-ins, and one tenant seeded through the stores.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { FUNCTION_NAMES } from '../../functions/index.js';
import type { FunctionName } from '../../functions/index.js';
import { setLogSink } from '../../functions/log.js';
import type { LogSink } from '../../functions/log.js';
import type { App } from '../../shared/compose.js';
import { buildApp, useApp } from '../../shared/compose.js';
import { hashApiKey } from '../../shared/apiKeys.js';
import { creatioSecretContext } from '../../shared/sealing.js';
import type { JobQueue, SyncRequest, Tenant } from '../../shared/ports.js';
import { DEMO_CLIENT, startGoogleStandin } from '../../infra/standins/google/index.js';
import type { GoogleStandin } from '../../infra/standins/google/index.js';
import { startCreatioStandin } from '../../infra/standins/creatio/index.js';
import type { CreatioStandin } from '../../infra/standins/creatio/index.js';
import { newFirestore, uniqueProjectId } from '../support/emulators.js';
export { snapshotDocuments } from '../support/emulators.js';

export class RecordingQueue implements JobQueue {
  readonly sent: SyncRequest[] = [];
  /** Publishes to refuse, as if Pub/Sub were down. */
  failures = 0;
  async publishSync(requests: SyncRequest[]): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('pubsub unavailable');
    }
    this.sent.push(...requests);
  }
}

/** The app's clock: wall time, moved forward by tests (expiry of tickets, states and leases). */
export class TestClock {
  offset = 0;
  now = (): number => Date.now() + this.offset;
  advance(ms: number): void {
    this.offset += ms;
  }
}

export interface TenantSeed {
  tenantId: string;
  apiKey: string;
}

export interface Harness {
  projectId: string;
  db: Firestore;
  app: App;
  clock: TestClock;
  google: GoogleStandin;
  creatio: CreatioStandin;
  /** Base URL per function, e.g. http://127.0.0.1:PORT */
  urls: Record<FunctionName, string>;
  /** The env the app was built from (no secrets beyond the test's own random key). */
  env: Record<string, string>;
  logs: Parameters<LogSink>[0][];
  seedTenant(tenantId: string, defaults?: Partial<Tenant['defaults']>): Promise<TenantSeed>;
  /** A static ContactFolder in the Creatio stand-in. */
  createFolder(name: string, dynamic?: boolean): string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Publish through Pub/Sub (e2e); otherwise a recording queue. */
  pubsub?: PubSub;
  projectId?: string;
  syncTopic?: string;
  queue?: JobQueue;
  env?: Record<string, string>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const projectId = opts.projectId ?? uniqueProjectId('functions');
  const logs: Parameters<LogSink>[0][] = [];
  setLogSink((entry) => logs.push(entry));
  const servers = new Map<FunctionName, Server>();
  const urls = {} as Record<FunctionName, string>;
  for (const name of FUNCTION_NAMES) {
    const server = getTestServer(name);
    servers.set(name, server);
    urls[name] = await listen(server);
  }
  const google = await startGoogleStandin();
  const creatio = await startCreatioStandin();
  const db = await newFirestore(projectId);
  const clock = new TestClock();
  const env: Record<string, string> = {
    GOOGLE_CLOUD_PROJECT: projectId,
    SYNC_TOPIC: opts.syncTopic ?? 'contact-sync-user',
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    OAUTH_START_URL: urls.oauthStart,
    PAGES_URL: urls.pages,
    OAUTH_REDIRECT_URL: urls.oauthCallback,
    GOOGLE_CLIENT_ID: DEMO_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: DEMO_CLIENT.clientSecret,
    GOOGLE_PEOPLE_API_URL: google.url,
    GOOGLE_OAUTH_AUTH_URL: google.endpoints.oauth2AuthBaseUrl,
    GOOGLE_OAUTH_TOKEN_URL: google.endpoints.oauth2TokenUrl,
    GOOGLE_OAUTH_REVOKE_URL: google.endpoints.oauth2RevokeUrl,
    ...opts.env,
  };
  const app = await buildApp(env, {
    firestore: db,
    ...(opts.pubsub ? { pubsub: opts.pubsub } : { queue: opts.queue ?? new RecordingQueue() }),
    clock,
    // Faults in the stand-ins should fail a run quickly, not after minutes of backoff.
    google: { retry: { maxRetries: 1, baseDelayMs: 20, maxDelayMs: 100, budgetMs: 2_000 } },
    creatio: { retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 100, budgetMs: 2_000 } },
  });
  useApp(app);

  return {
    projectId,
    db,
    app,
    clock,
    google,
    creatio,
    urls,
    env,
    logs,
    async seedTenant(tenantId, defaults = {}) {
      const apiKey = randomBytes(24).toString('base64url');
      await app.tenants.put({
        tenantId,
        apiKeyHash: hashApiKey(apiKey),
        creatio: {
          baseUrl: creatio.url,
          auth: {
            mode: 'cookie',
            userName: 'Supervisor',
            passwordSealed: app.sealer.seal('Supervisor', creatioSecretContext(tenantId)),
          },
        },
        defaults: { intervalMinutes: 15, googleGroupName: "bpm'online", policy: 'newest-wins', ...defaults },
        createdAt: clock.now(),
      });
      return { tenantId, apiKey };
    },
    createFolder(name, dynamic = false) {
      return creatio.ui.createFolder({ name, dynamic }).Id as string;
    },
    async close() {
      useApp(null);
      setLogSink(null);
      await Promise.all([...servers.values()].map((s) => new Promise<void>((r) => s.close(() => r()))));
      for (const s of servers.values()) s.closeAllConnections();
      await app.close();
      await Promise.all([google.close(), creatio.close()]);
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/**
 * Posts a Pub/Sub message to an event function's push endpoint, in the envelope a push subscription
 * sends (the path names the topic, as functions-framework expects).
 */
export function pushMessage(
  functionUrl: string,
  topic: string,
  message: Record<string, unknown>,
  subscription = 'projects/demo/subscriptions/push',
): Promise<Answer> {
  return call(`${functionUrl}/projects/demo/topics/${topic}`, {
    method: 'POST',
    json: { message, subscription },
  });
}

export async function call(
  url: string,
  init: RequestInit & { json?: unknown; apiKey?: string } = {},
): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.apiKey !== undefined) headers.set('authorization', `Bearer ${init.apiKey}`);
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const res = await fetch(url, {
    ...init,
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: a page, or empty.
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Poll until `check` returns a value, or fail after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; ; i++) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, Math.min(everyMs * (1 + i / 10), 1_000)));
  }
}

export interface ConnectSteps {
  link: Answer;
  /** The page the connect link shows (spends nothing). */
  page: Answer;
  /** The button's POST: 303 to Google consent, with the binding cookie. */
  start: Answer;
  consent: Answer;
  callback: Answer;
  /** The callback URL Google redirected to (carries the code and the state). */
  callbackUrl: string;
  /** The binding cookie as the browser sends it back (`name=value`). */
  cookie: string;
}

/** The button on a connect link's page, as a browser posts it. */
export function clickConnect(
  h: Harness,
  ticket: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return call(h.urls.oauthStart, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: h.urls.oauthStart, ...headers },
    body: new URLSearchParams({ ticket }).toString(),
  });
}

/** The cookie a Set-Cookie header sets, as `name=value`. */
export const cookieOf = (a: Answer): string => (a.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

/** The whole connect flow as a browser follows it: link, page, button, consent (the stand-in agrees at once), callback. */
export async function connectUser(
  h: Harness,
  seed: TenantSeed,
  userId: string,
  crmGroupId: string,
): Promise<ConnectSteps> {
  const link = await call(h.urls.oauthStart, {
    method: 'POST',
    apiKey: seed.apiKey,
    json: { tenantId: seed.tenantId, userId, crmGroupId },
  });
  if (link.status !== 200) throw new Error(`connect link: HTTP ${link.status} ${link.text}`);
  const url = (link.json as { url: string }).url;
  const page = await call(url);
  if (page.status !== 200) throw new Error(`connect page: HTTP ${page.status} ${page.text}`);
  const start = await clickConnect(h, new URL(url).searchParams.get('ticket') ?? '');
  const consentUrl = start.headers.get('location');
  if (start.status !== 303 || !consentUrl) throw new Error(`oauthStart: HTTP ${start.status} ${start.text}`);
  const cookie = cookieOf(start);
  const consent = await call(consentUrl);
  const callbackUrl = consent.headers.get('location');
  if (consent.status !== 302 || !callbackUrl)
    throw new Error(`consent: HTTP ${consent.status} ${consent.text}`);
  const callback = await call(callbackUrl, { headers: { cookie } });
  return { link, page, start, consent, callback, callbackUrl, cookie };
}
