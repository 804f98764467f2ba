// Ports: what the sync use case needs from the outside world, named for the need, not the technology.
// Adapters (shared/adapters/*) implement them; tests use in-memory fakes of these same interfaces.
import type { Contact, Field, Link, LookupKeys, Side, SideRecord, Departure } from './sync/index.js';

export interface Clock {
  now(): number;
}

export interface SideChanges {
  /** Changed records, or every member when `complete`; in-group flag set on each. */
  records: SideRecord[];
  departures: Departure[];
  complete: boolean;
  /** Members found at the version their link holds (only when `known` was asked). */
  unchanged?: string[];
  /**
   * Members a full read left unread for the run's next invocation (a work bound that keeps memory
   * flat at any group size): present, not compared. The side's cursor stays until none are left.
   */
  deferred?: string[];
  memberCount: number | null;
  /**
   * The group's full member id list, for a side that learns membership only by listing it (Creatio
   * keeps no tombstones). The runner diffs it against the last committed list.
   */
  members: string[] | null;
  /** Where the next read starts; stored only after this run's writes are committed. */
  cursor: string;
}

export interface CreateItem {
  /** The link id: the runner's key for the result. */
  key: string;
  /** A preassigned id (CRM), so that a repeated create is recognised instead of duplicated. */
  id: string | null;
  contact: Contact;
  /** The CRM id to stamp on a Google contact. */
  marker: string | null;
}

export interface UpdateItem {
  id: string;
  /** The version the record had when last seen; null when unknown (the side must read it). */
  version: string | null;
  /** The side-private data last seen with the record (SideRecord.extra). */
  extra: string | null;
  /** Only these fields are written; the side must not touch any other. */
  fields: Field[];
  contact: Contact;
  /**
   * What the plan took the record to hold. Written from an unknown version, a record found holding
   * something else in these fields was edited since it was seen: the side answers `stale`.
   */
  held: Contact;
}

/** `full`: the side has no room for another record (a Google account holds 25,000 contacts). */
export type ItemErrorKind = 'stale' | 'not-found' | 'validation' | 'failed' | 'full';

export type ItemResult<T> =
  { ok: true; value: T } | { ok: false; error: { kind: ItemErrorKind; message: string } };

/** Results keyed by CreateItem.key, or by record id for the other writes. */
export type ItemResults<T> = Map<string, ItemResult<T>>;

export interface Written {
  id: string;
  version: string | null;
  /** Side-private data after the write, to keep with the link. */
  extra?: string | null;
}

/**
 * One side of the sync, for one connection: the Google account's sync group, or the CRM static group.
 * Whole-call failures throw SyncError (shared/errors.ts); per-record failures come back as results.
 */
export interface ContactSide {
  readonly side: Side;
  /** Largest number of items one call of each write should carry (the runner commits between calls). */
  readonly limits: { create: number; update: number; membership: number };
  /**
   * Changes since `cursor`; a null cursor or `full` lists the whole group. When it lists in full, a
   * side may ask `known` for the versions the links hold ('' where none is known) and report members
   * still at that version in `unchanged` instead of as records.
   */
  readChanges(
    cursor: string | null,
    options: {
      full: boolean;
      known?: () => Promise<ReadonlyMap<string, string>>;
      /** The periodic full read (periodicFullRead) waits: read only what changed, even when it is due. */
      deferFullRead?: boolean;
      /**
       * The run continues the other side's bounded read at once: a side read moments ago may report
       * nothing (complete: false, the cursor as it was), if its lookups can still go by that read.
       */
      rest?: boolean;
    },
  ): Promise<SideChanges>;
  /** Current state of known records, in or out of the group; ids that no longer exist come back missing. */
  fetch(ids: string[]): Promise<{ records: SideRecord[]; missing: string[] }>;
  /** Records anywhere on the side that carry one of the ids, markers or emails. */
  lookup(keys: LookupKeys): Promise<SideRecord[]>;
  /** Create records, each already in the group. */
  create(items: CreateItem[]): Promise<ItemResults<Written>>;
  update(items: UpdateItem[]): Promise<ItemResults<Written>>;
  addToGroup(ids: string[]): Promise<ItemResults<null>>;
  removeFromGroup(ids: string[]): Promise<ItemResults<null>>;
  /** The cursor to store after this run's writes (a side may remember its own writes to skip their echo). */
  settleCursor(cursor: string): string;
  /** A read-only side (a preview) whose group does not exist yet: a real run would create it first. */
  groupMissing?(): boolean;
  /** Calls the service has billed for this side's work so far (Creatio: OData calls, reference §8). */
  billedCalls?(): number;
  /**
   * A full read the side would do on its own schedule at this cursor (Creatio's 24-hour read), which
   * may wait: null when none is due. `expectedCalls`: what the last one cost, null when unknown.
   */
  periodicFullRead?(cursor: string | null, now: number): { expectedCalls: number | null } | null;
  /**
   * The run has planned: what the side kept of this run's reads for its lookups and fetches may go
   * (a later fetch, say of a pair a write found stale, reads afresh), so that the writes of a large
   * run do not hold every record read as well.
   */
  releaseReads?(): void;
}

export type LinkHead = Pick<
  Link,
  'id' | 'crmId' | 'googleId' | 'status' | 'pending' | 'inGroup' | 'versions'
>;

export interface Checkpoint {
  cursors: Record<Side, string | null>;
  /** Hash of the last committed member list of sides that report one. */
  membersHash: Record<Side, string | null>;
  /** Pairs in sync after the last run: the base of the mass-removal guard. */
  activeLinks: number;
  /**
   * Set before a run first writes links, cleared with the next checkpoint. When a run died in between,
   * the member lists and the pair count may lag the links, so the next run derives them from the links.
   */
  dirty: boolean;
  /** Sides whose read the last run left members of unread and the next run continues at once. */
  continuing?: Side[];
}

/** Per-connection sync state: links, cursors and the committed member lists. */
export interface SyncStateStore {
  loadCheckpoint(): Promise<Checkpoint>;
  /**
   * A dirty checkpoint is written at once. A clean one (the run's last word) may be held and
   * committed together with the end of the run (ConnectionStore.finishRun), in one write.
   */
  saveCheckpoint(checkpoint: Checkpoint): Promise<void>;
  linksFor(side: Side, ids: string[]): Promise<Link[]>;
  /**
   * Links with an unconfirmed create or a failed write, and at most `refused` of those whose create a
   * full side refused: those wait for room, and retrying tens of thousands every run would cost
   * memory and requests for nothing.
   */
  attentionLinks(refused: number): Promise<Link[]>;
  allLinks(): Promise<Link[]>;
  /**
   * What a full listing is compared with: every link without its data (no base contact), a few
   * dozen bytes each where a whole link holds kilobytes, handed to `take` page by page, so that the
   * caller keeps only what it needs of a hundred thousand.
   */
  linkHeads(take: (page: LinkHead[]) => void): Promise<void>;
  saveLinks(links: Link[], retire: string[]): Promise<void>;
  loadMembers(side: Side): Promise<string[] | null>;
  saveMembers(side: Side, ids: string[]): Promise<void>;
}

// ---- The pipeline: tenants, connections, leases, queues ----

export type ConnectionStatus = 'new' | 'ok' | 'partial' | 'paused' | 'needs-reconnect' | 'error';
export type Trigger = 'schedule' | 'manual' | 'continuation';

export interface RunSummary {
  runId: string;
  trigger: Trigger;
  startedAt: number;
  endedAt: number;
  outcome: 'ok' | 'partial' | 'refused' | 'failed' | 'dry-run';
  /** Per action and side, plus linked/retired/failed. */
  counts: Record<string, number>;
  /** Error kind only (never a message from an API, which may quote personal data). */
  error: string | null;
  reason: string | null;
}

export interface ConnectionSettings {
  crmGroupId: string;
  intervalMinutes: number;
  policy: 'newest-wins' | 'crm-wins' | 'google-wins';
  enabled: boolean;
}

export interface Connection extends ConnectionSettings {
  tenantId: string;
  userId: string;
  status: ConnectionStatus;
  statusReason: string | null;
  google: { sub: string; email: string } | null;
  /** AES-256-GCM sealed refresh token; only shared/secrets.ts opens it. */
  refreshTokenSealed: string | null;
  /** `attempt` tells a crashed attempt's leftover lease (taken over once expired) from a live one. */
  lease: { runId: string; attempt: string; trigger: Trigger; until: number; slot?: number } | null;
  /** A "Sync now" accepted and not yet started. */
  queuedRun: { runId: string; at: number } | null;
  checkpoint: Checkpoint;
  nextDueAt: number;
  recentRuns: RunSummary[];
  /** A person confirmed the removals the guard refused; consumed by the next run. */
  allowLargeRemoval: boolean;
  /** A person rejected them instead: the next run puts departed records back; consumed like it. */
  restoreDepartures?: boolean;
  /** Answers to ambiguous matches (bounded); unapplied pairs go to the next run. */
  matchChoices?: MatchChoice[];
  /** The running run's phase and counts so far. */
  progress?: RunProgress | null;
}

export type LeaseResult =
  | { ok: true; connection: Connection }
  | {
      ok: false;
      /** throttled: the tenant's runs already fill its cap (maxConcurrentRuns); come again later. */
      reason: 'missing' | 'busy' | 'disabled' | 'needs-reconnect' | 'stale' | 'throttled';
      runId: string | null;
    };

export interface RunEnd {
  runId: string;
  /** The attempt that holds the lease: the fence against a slow attempt whose lease was taken over. */
  attempt: string;
  /** The clean checkpoint to commit with the end of the run (null: keep the stored one). */
  checkpoint: Checkpoint | null;
  status: ConnectionStatus;
  statusReason: string | null;
  summary: RunSummary;
  nextDueAt: number;
  /** Keys of the match choices this run was given; marked applied when it ends ok. */
  appliedChoices?: string[];
  /**
   * Billed Creatio calls this attempt made: added to the tenant's count for the UTC day the run ended,
   * in the same commit (shared/creatioCalls.ts).
   */
  creatioCalls?: number;
}

export interface ConnectionStore {
  get(tenantId: string, userId: string): Promise<Connection | null>;
  /**
   * Take the connection's lease in a transaction. Refused while another attempt holds it (even one of
   * the same run: a duplicate delivery), and for a request some later run has already covered.
   * Also takes one of the tenant's run slots (shared/lease.ts), or is refused as throttled.
   */
  acquireLease(request: SyncRequest, attempt: string, now: number, ttlMs: number): Promise<LeaseResult>;
  /** Commit the end of a run, fenced: refused (false) when the lease is no longer this run's. */
  finishRun(tenantId: string, userId: string, end: RunEnd): Promise<boolean>;
  /** The per-connection sync state, bound to the run that holds the lease. */
  syncState(connection: Connection): SyncStateStore;
  /** Ids of the tenant's connections that are enabled, connected and due, in pages. */
  dueConnections(tenantId: string, now: number): AsyncIterable<string[]>;
  /** Accept a "Sync now": the running or already queued run's id, or queue this one. */
  queueManualRun(
    tenantId: string,
    userId: string,
    runId: string,
    now: number,
  ): Promise<{ runId: string; queued: boolean } | null>;
  saveSettings(
    tenantId: string,
    userId: string,
    settings: ConnectionSettings,
    now: number,
  ): Promise<Connection | null>;
  /** Create or reconnect a connection after a completed OAuth consent. */
  connect(input: {
    tenantId: string;
    userId: string;
    crmGroupId: string;
    google: { sub: string; email: string };
    refreshTokenSealed: string;
    defaults: Pick<ConnectionSettings, 'intervalMinutes' | 'policy'>;
    now: number;
  }): Promise<Connection>;
  markStatus(
    tenantId: string,
    userId: string,
    status: ConnectionStatus,
    reason: string | null,
  ): Promise<void>;
}

export interface TenantCreatio {
  baseUrl: string;
  auth:
    | { mode: 'cookie'; userName: string; passwordSealed: string }
    | { mode: 'oauth'; clientId: string; clientSecretSealed: string; tokenUrl: string };
}

export interface Tenant {
  tenantId: string;
  /** sha256 of the API key; the key itself is shown once and never stored. */
  apiKeyHash: string;
  creatio: TenantCreatio;
  defaults: { intervalMinutes: number; googleGroupName: string; policy: ConnectionSettings['policy'] };
  /** How many runs of this tenant may be in flight at once against its Creatio (default 3). */
  maxConcurrentRuns?: number;
  /**
   * Billed Creatio calls a UTC day under which deferrable work (the CRM's 24-hour full read) waits for
   * the next day; none: nothing waits (shared/creatioCalls.ts).
   */
  creatioDailyBudget?: number;
  createdAt: number;
}

/** Billed Creatio calls per tenant and UTC day: a sharded counter that runs add to as they end. */
export interface CreatioCallCounter {
  /** Calls counted so far on the UTC day of `now`. */
  today(tenantId: string, now: number): Promise<number>;
  /** Count calls made outside a run (a preview, a dry run): one write. A run's go with its end (RunEnd). */
  add(tenantId: string, at: number, calls: number): Promise<void>;
}

export interface TenantStore {
  get(tenantId: string): Promise<Tenant | null>;
  put(tenant: Tenant): Promise<void>;
}

/** What a single-use token is for: a connect link, an OAuth state, a sign-in link to the pages. */
export type OneTimeKind = 'ticket' | 'state' | 'signin';

/** Single-use, expiring tokens (connect tickets, OAuth states, sign-in links): `take` succeeds once. */
export interface OneTimeStore {
  put(kind: OneTimeKind, id: string, payload: Record<string, string>, expiresAt: number): Promise<void>;
  /** Spend it: its payload once. */
  take(kind: OneTimeKind, id: string, now: number): Promise<OneTimeResult>;
  /** Read it without spending it (a page that only shows a link, a step that may still fail). */
  peek(kind: OneTimeKind, id: string, now: number): Promise<OneTimeResult>;
}

export type OneTimeResult =
  { ok: true; payload: Record<string, string> } | { ok: false; reason: 'unknown' | 'expired' | 'used' };

export interface SyncRequest {
  tenantId: string;
  userId: string;
  trigger: Trigger;
  runId: string;
  requestedAt: number;
}

export interface JobQueue {
  /** Publish one sync request per message, in batches; resolves when all are accepted. */
  publishSync(requests: SyncRequest[]): Promise<void>;
}

// ---- What the HTTP functions need beyond the sync job ----

/** Connection operations of the HTTP entry points (a separate port, so the sync job's fakes stay small). */
export interface ConnectionControls {
  /** Let the next run pass the mass-removal guard; false when there is no such connection. */
  allowLargeRemoval(tenantId: string, userId: string): Promise<boolean>;
  /** Forget a queued "Sync now" whose message could not be published, so a retry queues afresh. */
  cancelQueuedRun(tenantId: string, userId: string, runId: string): Promise<void>;
  /** A run's summary from the permanent history (runs that changed something or did not end ok). */
  getRun(tenantId: string, userId: string, runId: string): Promise<RunSummary | null>;
}

/** Google's consent flow (OAuth 2.0 authorization code with PKCE, offline access). */
export interface GoogleConsent {
  createPkce(): Promise<{ verifier: string; challenge: string }>;
  /** The consent page to send the user's browser to. */
  authorizationUrl(input: { state: string; codeChallenge: string }): string;
  /** Redeem the code: the refresh token and the account that granted it. */
  exchangeCode(
    code: string,
    verifier: string,
  ): Promise<{ refreshToken: string; account: { sub: string; email: string } }>;
}

export type FolderCheck = 'ok' | 'not-found' | 'not-static';

export interface CrmFolder {
  id: string;
  name: string;
  static: boolean;
}

/** The tenant's CRM, as far as the settings need it. */
export interface CrmDirectory {
  checkFolder(tenant: Tenant, folderId: string): Promise<FolderCheck>;
  /** The tenant's contact folders (groups), by name, up to a bound. */
  listFolders(tenant: Tenant): Promise<CrmFolder[]>;
}

// ---- What needs a person, previews, progress: what the pages show beyond the run history ----

export interface AttentionRecord {
  side: Side;
  id: string;
  name: string;
  emails: string[];
}

/**
 * Something a run could not settle by itself. Personal data (names, emails, values): kept for the
 * connection's owner in Firestore, never logged.
 */
export type AttentionItem =
  | { kind: 'ambiguous'; key: string; records: AttentionRecord[] }
  | { kind: 'refused'; record: AttentionRecord; reason: string }
  | {
      kind: 'conflict';
      crmId: string;
      googleId: string;
      name: string;
      decisions: { field: Field; crm: string; google: string; winner: Side }[];
    }
  | { kind: 'removal'; record: AttentionRecord };

export interface AttentionRun {
  runId: string;
  at: number;
  /** At most ATTENTION_ITEMS_PER_RUN; `total` says how many there were. */
  items: AttentionItem[];
  total: number;
}

/** A person's answer to an ambiguous match: the pair to link, or skip (leave them apart). */
export interface MatchChoice {
  /** The ambiguous item's key. */
  key: string;
  pair: { crmId: string; googleId: string } | null;
  at: number;
  /** Passed to a run that finished: kept only so the old item stays answered. */
  applied: boolean;
}

export interface AttentionStore {
  /** Store one run's items; only the latest runs are kept. */
  saveRun(tenantId: string, userId: string, run: AttentionRun): Promise<void>;
  recentRuns(tenantId: string, userId: string, limit: number): Promise<AttentionRun[]>;
  /** Record a choice (replacing one with the same key); false when there is no such connection. */
  choose(tenantId: string, userId: string, choice: MatchChoice): Promise<boolean>;
  /** Mark the choices a finished run applied. */
  settleChoices(tenantId: string, userId: string, keys: string[]): Promise<void>;
  /** A person rejected the held-back removals: the next run puts departed records back. */
  restoreDepartures(tenantId: string, userId: string): Promise<boolean>;
}

/** A run's live state, written a few times a run so that a page can follow it. */
export interface RunProgress {
  runId: string;
  phase: 'reading' | 'planning' | 'writing' | 'finishing';
  /** Writes done so far, per action and side ("create.google"), plus linked and failed. */
  counts: Record<string, number>;
  at: number;
}

export interface ProgressStore {
  saveProgress(tenantId: string, userId: string, progress: RunProgress): Promise<void>;
}

// ---- Preview: what the next sync would do, computed as a job without writing to either side ----

export interface PreviewRequest {
  kind: 'preview';
  tenantId: string;
  userId: string;
  previewId: string;
  requestedAt: number;
}

export interface PreviewItem {
  kind: 'create' | 'update' | 'addToGroup' | 'removeFromGroup' | 'link';
  /** The side written (a link: 'crm', with the Google record in `partnerId`). */
  side: Side;
  /** Null for a create whose id the side assigns. */
  recordId: string | null;
  partnerId: string | null;
  name: string;
  fields: Field[];
}

export interface PreviewResult {
  previewId: string;
  state: 'queued' | 'ready' | 'failed';
  requestedAt: number;
  finishedAt: number | null;
  /** The guard would refuse the run (and why). */
  refused: string | null;
  /** The Google group does not exist yet: the run would create it first. */
  wouldCreateGroup: boolean;
  /** Per action and side ("create.google"), plus linked and retired: the run's own counts. */
  counts: Record<string, number>;
  /** The first PREVIEW_ITEMS actions and pairings; `total` counts them all. */
  items: PreviewItem[];
  total: number;
  /** Error kind when the preview failed. */
  error: string | null;
}

export interface PreviewStore {
  /** The connection's latest preview. */
  get(tenantId: string, userId: string): Promise<PreviewResult | null>;
  /** Store a result; a finished result is refused (false) once a newer preview was requested. */
  put(tenantId: string, userId: string, result: PreviewResult): Promise<boolean>;
}

export interface PreviewQueue {
  publishPreview(request: PreviewRequest): Promise<void>;
}

// ---- Disconnecting, and the tenant admin's view ----

/** Google's side of a grant: revoking it ends our access to the account. */
export interface GoogleGrants {
  /** A grant Google no longer knows counts as revoked. */
  revoke(refreshToken: string): Promise<void>;
}

export interface ConnectionAdmin {
  /** Forget the Google grant and stop syncing; the account and the links are kept (see docs). */
  disconnect(tenantId: string, userId: string, reason: string): Promise<Connection | null>;
  /** The tenant's connections, at most `limit`. */
  list(tenantId: string, limit: number): Promise<Connection[]>;
  /** The admin pauses (false) or resumes (true) one user's sync; false when there is no such connection. */
  setEnabled(tenantId: string, userId: string, enabled: boolean): Promise<boolean>;
}

/** A message Pub/Sub gave up on (moved to the dead-letter topic), as far as a person needs it. */
export interface DeadLetter {
  messageId: string;
  tenantId: string;
  userId: string | null;
  /** 'sync' (with its trigger), 'preview', 'tick', or 'unreadable'. */
  kind: string;
  runId: string | null;
  publishedAt: number | null;
  recordedAt: number;
  deliveryAttempt: number | null;
}

export interface DeadLetterStore {
  record(letter: DeadLetter): Promise<void>;
  recent(tenantId: string, limit: number): Promise<DeadLetter[]>;
}
