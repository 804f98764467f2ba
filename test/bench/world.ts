// The benchmark's world: the official emulators, both stand-ins (with a per-request latency so the
// figures reflect a network), a tenant, and connected users whose syncs run as separate processes of
// the built service.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Firestore } from '@google-cloud/firestore';
import { PubSub, type Subscription } from '@google-cloud/pubsub';
import {
  startFirestoreEmulator,
  startPubsubEmulator,
  type EmulatorHandle,
} from '../../infra/local/emulators.js';
import { startCreatioStandin, type CreatioStandin } from '../../infra/standins/creatio/index.js';
import { startGoogleStandin, type GoogleStandin } from '../../infra/standins/google/index.js';
import {
  FirestoreConnections,
  FirestoreMeter,
  FirestoreTenants,
} from '../../shared/adapters/firestore/index.js';
import { GoogleOAuth } from '../../shared/adapters/google/index.js';
import type { RunSummary, SyncRequest } from '../../shared/ports.js';
import { creatioSecretContext, googleTokenContext } from '../../shared/sealing.js';
import { Sealer, sha256 } from '../../shared/secrets.js';

export const PROJECT = 'demo-bench';
export const TENANT = 'bench';
export const TOPIC = 'contact-sync-user';
const CLIENT = {
  clientId: 'bench.apps.googleusercontent.com',
  clientSecret: 'bench-secret',
  redirectUris: ['http://127.0.0.1:9/cb'],
};
const CREDENTIALS = { client_email: 'bench@demo.invalid', private_key: 'unused' };

export interface Invocation {
  wallSeconds: number;
  firestoreReads: number;
  firestoreWrites: number;
  peakRssMiB: number;
  error: string | null;
}

/** Requests per method since `before`, for the verbose log. */
function since(before: Record<string, number>, now: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [m, n] of Object.entries(now)) if (n !== (before[m] ?? 0)) out[m] = n - (before[m] ?? 0);
  return out;
}

export class BenchWorld {
  /** Moves only the Google stand-in's clock (to expire sync tokens). */
  googleSkewMs = 0;
  /** The stand-ins' time runs ahead by a schedule interval per sync, as between scheduled runs. */
  private intervalSkewMs = 0;

  google!: GoogleStandin;
  creatio!: CreatioStandin;
  db!: Firestore;
  connections!: FirestoreConnections;
  private pubsub!: PubSub;
  private continuations!: Subscription;
  private emulators: EmulatorHandle[] = [];
  private readonly key = randomBytes(32);
  private readonly sealer = new Sealer(this.key);
  private oauth!: GoogleOAuth;

  constructor(
    private readonly latencyMs: number,
    /** Node flags of every invocation, as NODE_OPTIONS would give a deployed function. */
    private readonly nodeOptions: string[] = [],
  ) {}

  async start(): Promise<void> {
    const [fs, ps] = await Promise.all([startFirestoreEmulator(), startPubsubEmulator()]);
    this.emulators.push(fs);
    if (!ps) throw new Error('the benchmark needs the Pub/Sub emulator (Google Cloud SDK)');
    this.emulators.push(ps);
    this.google = await startGoogleStandin({
      clock: { now: () => Date.now() + this.intervalSkewMs + this.googleSkewMs },
      latencyMs: this.latencyMs,
      oauthClients: [CLIENT],
    });
    this.creatio = await startCreatioStandin({
      latencyMs: this.latencyMs,
      clock: { now: () => Date.now() + this.intervalSkewMs },
    });
    this.db = new Firestore({ projectId: PROJECT, host: fs.host, ssl: false, credentials: CREDENTIALS });
    this.connections = new FirestoreConnections(this.db, new FirestoreMeter());
    this.pubsub = new PubSub({
      projectId: PROJECT,
      apiEndpoint: ps.host,
      emulatorMode: true,
      credentials: CREDENTIALS,
    });
    const [topic] = await this.pubsub.createTopic(TOPIC);
    [this.continuations] = await topic.createSubscription('bench-continuations');
    this.oauth = new GoogleOAuth(
      {
        peopleApiUrl: this.google.url,
        oauth: {
          authUrl: this.google.endpoints.oauth2AuthBaseUrl,
          tokenUrl: this.google.endpoints.oauth2TokenUrl,
          revokeUrl: this.google.endpoints.oauth2RevokeUrl,
          clientId: CLIENT.clientId,
          clientSecret: CLIENT.clientSecret,
          redirectUrl: CLIENT.redirectUris[0]!,
        },
      },
      { userInfoUrl: this.google.endpoints.userInfoUrl, tokenInfoUrl: this.google.endpoints.tokenInfoUrl },
    );
    await new FirestoreTenants(this.db, new FirestoreMeter()).put({
      tenantId: TENANT,
      apiKeyHash: sha256('unused'),
      creatio: {
        baseUrl: this.creatio.url,
        auth: {
          mode: 'cookie',
          userName: 'Supervisor',
          passwordSealed: this.sealer.seal('Supervisor', creatioSecretContext(TENANT)),
        },
      },
      defaults: { intervalMinutes: 15, googleGroupName: "bpm'online", policy: 'newest-wins' },
      createdAt: Date.now(),
    });
  }

  async close(): Promise<void> {
    await this.continuations?.delete().catch(() => {});
    await this.pubsub?.close();
    await this.db?.terminate();
    await this.google?.close();
    await this.creatio?.close();
    for (const e of this.emulators) await e.stop();
  }

  env(): Record<string, string> {
    const [fs, ps] = this.emulators;
    return {
      GOOGLE_CLOUD_PROJECT: PROJECT,
      FIRESTORE_EMULATOR_HOST: fs!.host,
      PUBSUB_EMULATOR_HOST: ps!.host,
      SYNC_TOPIC: TOPIC,
      TOKEN_ENCRYPTION_KEY: this.key.toString('base64'),
      OAUTH_START_URL: 'http://127.0.0.1:9/oauthStart',
      PAGES_URL: 'http://127.0.0.1:9/pages',
      OAUTH_REDIRECT_URL: CLIENT.redirectUris[0]!,
      GOOGLE_CLIENT_ID: CLIENT.clientId,
      GOOGLE_CLIENT_SECRET: CLIENT.clientSecret,
      GOOGLE_PEOPLE_API_URL: this.google.url,
      GOOGLE_OAUTH_AUTH_URL: this.google.endpoints.oauth2AuthBaseUrl,
      GOOGLE_OAUTH_TOKEN_URL: this.google.endpoints.oauth2TokenUrl,
      GOOGLE_OAUTH_REVOKE_URL: this.google.endpoints.oauth2RevokeUrl,
      // No metadata server here: the emulators need no credentials.
      METADATA_SERVER_DETECTION: 'none',
    };
  }

  /** The real consent and code exchange against the stand-in, then the connection document. */
  async connectUser(userId: string, account: string, folderId: string): Promise<void> {
    const pkce = await this.oauth.createPkce();
    const url = this.oauth.authorizationUrl({
      state: 's',
      codeChallenge: pkce.challenge,
      loginHint: account,
    });
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const { refreshToken, account: google } = await this.oauth.exchangeCode(code, pkce.verifier);
    await this.connections.connect({
      tenantId: TENANT,
      userId,
      crmGroupId: folderId,
      google,
      refreshTokenSealed: this.sealer.seal(refreshToken, googleTokenContext(TENANT, userId)),
      defaults: { intervalMinutes: 15, policy: 'newest-wins' },
      now: Date.now(),
    });
  }

  /**
   * Makes the CRM side's last full read a day older, so that the next run reads every member again
   * (shared/adapters/creatio/cursor.ts keeps when, as `full`, in our clock's ms).
   */
  async ageCrmFullRead(userId: string, ms: number): Promise<void> {
    const ref = this.db.collection('tenants').doc(TENANT).collection('connections').doc(userId);
    const doc = (await ref.get()).data() as { checkpoint: { cursors: { crm: string | null } } };
    const cursor = JSON.parse(doc.checkpoint.cursors.crm!) as { full: number };
    cursor.full -= ms;
    await ref.update({ 'checkpoint.cursors.crm': JSON.stringify(cursor) });
  }

  /** One function invocation in its own process. */
  invoke(fn: 'syncUser' | 'tickTenant', data: unknown): Promise<Invocation> {
    const child = fileURLToPath(new URL('./child.mjs', import.meta.url));
    const args = [...this.nodeOptions, child, JSON.stringify({ env: this.env(), fn, data })];
    return new Promise((resolve, reject) => {
      const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => p.kill('SIGKILL'), 20 * 60_000);
      p.on('exit', () => {
        clearTimeout(timer);
        const line = out.split('\n').find((l) => l.startsWith('BENCH '));
        if (!line) reject(new Error(`the invocation printed no result:\n${out.slice(-2000)}`));
        else resolve(JSON.parse(line.slice(6)) as Invocation);
      });
    });
  }

  /**
   * A sync as the platform runs it: the first invocation, then each continuation it publishes, until
   * done. Figures are summed over invocations; memory is the largest of them.
   */
  async sync(userId: string): Promise<Invocation & { invocations: number; summaries: RunSummary[] }> {
    let request: SyncRequest = {
      tenantId: TENANT,
      userId,
      trigger: 'manual',
      runId: `bench-${randomBytes(6).toString('hex')}`,
      requestedAt: Date.now(),
    };
    const total = {
      wallSeconds: 0,
      firestoreReads: 0,
      firestoreWrites: 0,
      peakRssMiB: 0,
      error: null as string | null,
      invocations: 0,
      summaries: [] as RunSummary[],
    };
    this.intervalSkewMs += 15 * 60_000;
    for (let i = 0; i < 20; i++) {
      const before = { ...this.google.stats().byMethod };
      const crmBefore = { ...this.creatio.stats().odata.get };
      const r = await this.invoke('syncUser', request);
      total.invocations++;
      total.wallSeconds += r.wallSeconds;
      total.firestoreReads += r.firestoreReads;
      total.firestoreWrites += r.firestoreWrites;
      total.peakRssMiB = Math.max(total.peakRssMiB, r.peakRssMiB);
      total.error ??= r.error;
      const c = await this.connections.get(TENANT, userId);
      const summary = c?.recentRuns.find((s) => s.runId === request.runId);
      if (summary) total.summaries.push(summary);
      if (process.env.BENCH_VERBOSE)
        process.stderr.write(
          `  invocation ${i + 1} of ${userId}: ${JSON.stringify({ ...r, outcome: summary?.outcome, counts: summary?.counts, error: summary?.error, google: since(before, this.google.stats().byMethod), crmReads: since(crmBefore, this.creatio.stats().odata.get) })}\n`,
        );
      if (summary?.outcome !== 'partial') break;
      const next = await this.nextContinuation();
      if (!next) break;
      request = next;
    }
    return total;
  }

  private async nextContinuation(): Promise<SyncRequest | null> {
    const [messages] = await new Promise<[{ data: Buffer; ack(): void }[]]>((resolve) => {
      const got: { data: Buffer; ack(): void }[] = [];
      const onMessage = (m: { data: Buffer; ack(): void }) => {
        got.push(m);
        m.ack();
      };
      this.continuations.on('message', onMessage);
      setTimeout(() => {
        this.continuations.removeListener('message', onMessage);
        resolve([got]);
      }, 2000);
    });
    const last = messages[messages.length - 1];
    return last ? (JSON.parse(last.data.toString()) as SyncRequest) : null;
  }

  /** Google People API requests so far (OAuth requests excluded: they are not contact traffic). */
  googleRequests(): number {
    const s = this.google.stats();
    const oauth = Object.entries(s.byMethod)
      .filter(([m]) => m.startsWith('oauth'))
      .reduce((n, [, v]) => n + v, 0);
    return s.total - oauth;
  }

  /** Creatio's billable calls so far: plain OData requests plus every $batch sub-request. */
  crmRequests(): number {
    return this.creatio.stats().apiCalls;
  }
}
