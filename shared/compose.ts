// The only place that builds concrete adapters. `app()` builds the service once per instance from
// process.env (validated first: a missing variable fails with its name); tests build one from an
// explicit environment and clients with `buildApp` and install it with `useApp`.
import { setFlagsFromString } from 'node:v8';
import { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import type { Env, ServiceConfig } from './config.js';
import { serviceConfig } from './config.js';
import { SyncError } from './errors.js';
import { currentKey } from './keyring.js';
import { newId } from './ids.js';
import { readOnlySide } from './preview/readOnly.js';
import type {
  AttentionStore,
  Clock,
  Connection,
  ConnectionAdmin,
  ConnectionControls,
  ConnectionStore,
  ContactSide,
  CreatioCallCounter,
  CrmDirectory,
  DeadLetterStore,
  GoogleConsent,
  GoogleGrants,
  JobQueue,
  OneTimeStore,
  PreviewQueue,
  PreviewStore,
  ProgressStore,
  Tenant,
  TenantStore,
} from './ports.js';
import { creatioSecretContext, googleTokenContext } from './sealing.js';
import { Sealer } from './secrets.js';
import { TokenSigner } from './signedTokens.js';
import type { Side } from './sync/index.js';
import type { CreatioAuth, CreatioConnection } from './adapters/creatio/index.js';
import { CreatioSide, listFolders, validateFolder } from './adapters/creatio/index.js';
import {
  FirestoreAttention,
  FirestoreConnections,
  FirestoreCreatioCalls,
  FirestoreDeadLetters,
  FirestoreMeter,
  FirestoreOneTime,
  FirestorePreviews,
  FirestoreTenants,
} from './adapters/firestore/index.js';
import type { GooglePeopleSideOptions } from './adapters/google/index.js';
import { GoogleOAuth, GooglePeopleSide } from './adapters/google/index.js';
import { PubSubQueue } from './adapters/pubsub/queue.js';

export interface App {
  config: ServiceConfig;
  clock: Clock;
  newId: () => string;
  tenants: TenantStore;
  connections: ConnectionStore & ConnectionControls & ConnectionAdmin;
  /** Billed Creatio calls per tenant and UTC day (runs add theirs as they end, in finishRun). */
  creatioCalls: CreatioCallCounter;
  /** Revoking a Google grant (disconnect). */
  grants: GoogleGrants;
  deadLetters: DeadLetterStore;
  oneTime: OneTimeStore;
  /** What needs a person, and a running run's progress. */
  attention: AttentionStore;
  progress: ProgressStore;
  previews: PreviewStore;
  previewQueue: PreviewQueue;
  queue: JobQueue;
  sealer: Sealer;
  signer: TokenSigner;
  consent: GoogleConsent;
  crm: CrmDirectory;
  /** Both sides of a connection, its secrets opened. */
  /** Both sides of a connection, its secrets opened; read-only ones (a preview) never write. */
  openSides(connection: Connection, options?: { readOnly?: boolean }): Promise<Record<Side, ContactSide>>;
  timeBudgetMs: number;
  leaseTtlMs: number;
  throttleRetryMs: number;
  /** Public URL of the oauthStart function, for connect links. */
  startUrl: string;
  /** Public URL of the pages function, for sign-in links and the pages' own links. */
  pagesUrl: string;
  /** Public URL of the oauthCallback function, where consent ends. */
  callbackUrl: string;
  meter: FirestoreMeter;
  close(): Promise<void>;
}

/** Clients a caller may supply instead of the ones built from the configuration. */
export interface AppClients {
  firestore?: Firestore;
  pubsub?: PubSub;
  queue?: JobQueue;
  /** Where preview jobs go (default: the per-user topic, like sync requests). */
  previewQueue?: PreviewQueue;
  clock?: Clock;
  newId?: () => string;
  /** Passed to every Google side (e.g. a sleep that does not wait). */
  google?: Pick<GooglePeopleSideOptions, 'sleep' | 'retry' | 'timeoutMs'>;
  /** Passed to every Creatio connection. */
  creatio?: Pick<CreatioConnection, 'sleep' | 'retry' | 'timeoutMs'>;
}

function creatioAuth(tenant: Tenant, sealer: Sealer): CreatioAuth {
  const a = tenant.creatio.auth;
  const context = creatioSecretContext(tenant.tenantId);
  return a.mode === 'cookie'
    ? { mode: 'cookie', userName: a.userName, password: sealer.open(a.passwordSealed, context) }
    : {
        mode: 'oauth',
        clientId: a.clientId,
        clientSecret: sealer.open(a.clientSecretSealed, context),
        tokenUrl: a.tokenUrl,
      };
}

export async function buildApp(env: Env, clients: AppClients = {}): Promise<App> {
  const config = serviceConfig(env);
  // Deployed, the key ring is a Secret Manager secret the platform mounts as TOKEN_ENCRYPTION_KEYS.
  const sealer = new Sealer(config.keys);
  const clock = clients.clock ?? { now: () => Date.now() };
  // FIRESTORE_EMULATOR_HOST and PUBSUB_EMULATOR_HOST are read by the client libraries themselves.
  const firestore = clients.firestore ?? new Firestore({ projectId: config.projectId });
  const ownPubsub = async (): Promise<PubSub> => {
    const { PubSub } = await import('@google-cloud/pubsub');
    return new PubSub({ projectId: config.projectId });
  };
  const pubsubQueue = clients.queue ? null : new PubSubQueue(clients.pubsub ?? ownPubsub, config.syncTopic);
  const meter = new FirestoreMeter();
  const tenants = new FirestoreTenants(firestore, meter);
  const oauth = new GoogleOAuth(config.google);
  const attention = new FirestoreAttention(firestore, meter);
  const creatioCalls = new FirestoreCreatioCalls(firestore, meter);
  const previewQueue = (): PreviewQueue => {
    if (pubsubQueue) return pubsubQueue;
    const supplied = clients.queue as Partial<PreviewQueue> | undefined;
    if (supplied?.publishPreview) return supplied as PreviewQueue;
    return { publishPreview: () => Promise.reject(new SyncError('config', 'no preview queue was supplied')) };
  };

  const creatioConnection = (tenant: Tenant): Omit<CreatioConnection, 'folderId'> => ({
    baseUrl: tenant.creatio.baseUrl,
    auth: creatioAuth(tenant, sealer),
    clock,
    ...clients.creatio,
  });

  const openSides = async (
    c: Connection,
    options: { readOnly?: boolean } = {},
  ): Promise<Record<Side, ContactSide>> => {
    const tenant = await tenants.get(c.tenantId);
    if (!tenant) throw new SyncError('config', 'the tenant no longer exists');
    if (!c.refreshTokenSealed) throw new SyncError('auth-revoked', 'no Google grant is stored');
    const refreshToken = sealer.open(c.refreshTokenSealed, googleTokenContext(c.tenantId, c.userId));
    return {
      google: new GooglePeopleSide({
        auth: oauth.authorizedClient(refreshToken),
        peopleApiUrl: config.google.peopleApiUrl,
        groupName: tenant.defaults.googleGroupName,
        clock,
        readOnly: options.readOnly ?? false,
        ...clients.google,
      }),
      crm: options.readOnly
        ? readOnlySide(new CreatioSide({ ...creatioConnection(tenant), folderId: c.crmGroupId }))
        : new CreatioSide({ ...creatioConnection(tenant), folderId: c.crmGroupId }),
    };
  };

  return {
    config,
    clock,
    newId: clients.newId ?? newId,
    tenants,
    connections: new FirestoreConnections(firestore, meter, creatioCalls),
    creatioCalls,
    oneTime: new FirestoreOneTime(firestore, meter),
    attention,
    progress: attention,
    previews: new FirestorePreviews(firestore, meter),
    grants: oauth,
    deadLetters: new FirestoreDeadLetters(firestore, meter),
    previewQueue: clients.previewQueue ?? previewQueue(),
    queue: clients.queue ?? pubsubQueue!,
    sealer,
    signer: TokenSigner.fromEncryptionKey(currentKey(config.keys)),
    consent: oauth,
    crm: {
      checkFolder: (tenant, folderId) => validateFolder(creatioConnection(tenant), folderId),
      listFolders: (tenant) => listFolders(creatioConnection(tenant)),
    },
    openSides,
    timeBudgetMs: config.timeBudgetMs,
    leaseTtlMs: config.leaseTtlMs,
    throttleRetryMs: config.throttleRetryMs,
    startUrl: config.oauthStartUrl,
    pagesUrl: config.pagesUrl,
    callbackUrl: config.google.oauth.redirectUrl,
    meter,
    async close() {
      await pubsubQueue?.close();
      if (!clients.firestore) await firestore.terminate();
    },
  };
}

let current: Promise<App> | null = null;

/**
 * V8's memory-over-speed mode for the instance: the heap grows less past what is live, so a
 * collection's brief extra pages start lower (npm run bench: the first sync of a 100,000-member group
 * peaks some 20-40 MiB lower; runs take about a fifth longer). Node refuses the flag in NODE_OPTIONS,
 * which carries the tier's others (infra/deploy/functions.ts); set before the service allocates, it
 * takes effect the same.
 */
function favourMemory(): void {
  setFlagsFromString('--optimize-for-size');
}

/** The service of this instance, built on first use; a failed build is retried by the next call. */
export function app(): Promise<App> {
  if (!current) favourMemory();
  current ??= buildApp(process.env).catch((e: unknown) => {
    current = null;
    throw e;
  });
  return current;
}

/** Install an app built elsewhere (tests), or null to build from process.env again. */
export function useApp(next: App | null): void {
  current = next ? Promise.resolve(next) : null;
}
