// Preview: what the next sync of a connection would do (creates, pairings, updates, group changes),
// computed as a job so that any size of connection fits, and WITHOUT WRITING ANYTHING on either side:
// the sides are opened read-only (a missing Google group is reported, not created) and the state is
// only read. The one write is the result document. It plans with what the next run would be given
// (answers to ambiguous matches, a confirmed or rejected guard), so it shows what that run does.
import { SyncError, errorKind } from '../errors.js';
import type {
  Clock,
  Connection,
  ConnectionStore,
  ContactSide,
  CreatioCallCounter,
  PreviewItem,
  PreviewQueue,
  PreviewRequest,
  PreviewResult,
  PreviewStore,
} from '../ports.js';
import { runSync } from '../runSync.js';
import { countOutsideRun } from '../creatioCalls.js';
import type { Action, Contact, Field, Link, Side } from '../sync/index.js';
import { FIELDS, displayName } from '../sync/index.js';
import { flatCounts } from '../syncConnection.js';

export const PREVIEW_ITEMS = 200;

export interface PreviewDeps {
  connections: Pick<ConnectionStore, 'get' | 'syncState'>;
  previews: PreviewStore;
  previewQueue: PreviewQueue;
  clock: Clock;
  newId: () => string;
  openSides: (connection: Connection, options?: { readOnly?: boolean }) => Promise<Record<Side, ContactSide>>;
  /** Where a preview's billed Creatio calls are counted (none counted without it). */
  creatioCalls?: CreatioCallCounter;
}

const filled = (c: Contact): Field[] =>
  FIELDS.filter((f) => {
    const v = c[f];
    return Array.isArray(v) ? v.length > 0 : v !== '';
  });

function previewable(c: Connection | null): Connection {
  if (!c) throw new SyncError('not-found', 'no such connection');
  if (c.google === null || c.refreshTokenSealed === null || c.status === 'needs-reconnect')
    throw new SyncError('conflict', 'the Google account must be connected again');
  return c;
}

/** Ask for a preview: a queued result now, the job fills it in. */
export async function requestPreview(
  deps: PreviewDeps,
  tenantId: string,
  userId: string,
): Promise<PreviewResult> {
  previewable(await deps.connections.get(tenantId, userId));
  const now = deps.clock.now();
  const queued: PreviewResult = {
    previewId: deps.newId(),
    state: 'queued',
    requestedAt: now,
    finishedAt: null,
    refused: null,
    wouldCreateGroup: false,
    counts: {},
    items: [],
    total: 0,
    error: null,
  };
  await deps.previews.put(tenantId, userId, queued);
  try {
    await deps.previewQueue.publishPreview({
      kind: 'preview',
      tenantId,
      userId,
      previewId: queued.previewId,
      requestedAt: now,
    });
  } catch (e) {
    await deps.previews.put(tenantId, userId, {
      ...queued,
      state: 'failed',
      finishedAt: now,
      error: 'unavailable',
    });
    throw new SyncError('unavailable', 'the preview could not be queued', { cause: e });
  }
  return queued;
}

export async function getPreview(deps: Pick<PreviewDeps, 'previews'>, tenantId: string, userId: string) {
  return deps.previews.get(tenantId, userId);
}

/** The preview job. A failure is stored as such (with its kind) and not retried: the person asks again. */
export async function runPreview(
  deps: PreviewDeps,
  request: PreviewRequest,
): Promise<{ state: 'ready' | 'failed' | 'superseded'; error: string | null }> {
  const { tenantId, userId, previewId } = request;
  const base = { previewId, requestedAt: request.requestedAt };
  let result: PreviewResult;
  try {
    result = {
      ...base,
      ...(await computePreview(deps, previewable(await deps.connections.get(tenantId, userId)))),
    };
  } catch (e) {
    result = {
      ...base,
      state: 'failed',
      finishedAt: deps.clock.now(),
      refused: null,
      wouldCreateGroup: false,
      counts: {},
      items: [],
      total: 0,
      error: errorKind(e),
    };
  }
  const stored = await deps.previews.put(tenantId, userId, result);
  return { state: stored ? (result.state as 'ready' | 'failed') : 'superseded', error: result.error };
}

async function computePreview(
  deps: PreviewDeps,
  c: Connection,
): Promise<Omit<PreviewResult, 'previewId' | 'requestedAt'>> {
  const sides = await deps.openSides(c, { readOnly: true });
  // Without the lease: this run only reads, and must not be mistaken for the run that holds it.
  const state = deps.connections.syncState({ ...c, lease: null });
  const chosen = (c.matchChoices ?? []).filter((x) => !x.applied && x.pair !== null).map((x) => x.pair!);
  const report = await runSync(
    { ...sides, state, clock: deps.clock, newId: deps.newId },
    {
      policy: c.policy,
      dryRun: true,
      allowLargeRemoval: c.allowLargeRemoval,
      ...(c.restoreDepartures ? { restoreDepartures: true } : {}),
      ...(chosen.length > 0 ? { chosen } : {}),
    },
  ).finally(() => countOutsideRun(deps.creatioCalls, c.tenantId, deps.clock.now(), sides.crm));
  const links = report.plannedLinks ?? new Map<string, Link>();
  const items = describe(report.planned ?? [], links, report.newLinks ?? new Set());
  return {
    state: 'ready',
    finishedAt: deps.clock.now(),
    refused: report.outcome === 'refused' ? report.reason : null,
    wouldCreateGroup: sides.google.groupMissing?.() ?? false,
    counts: flatCounts(report.counts),
    items: items.slice(0, PREVIEW_ITEMS),
    total: items.length,
    error: null,
  };
}

function describe(actions: Action[], links: Map<string, Link>, newLinks: Set<string>): PreviewItem[] {
  const nameOf = (linkId: string, contact?: Contact) => {
    const c = contact ?? links.get(linkId)?.base;
    return c ? displayName(c) : '';
  };
  const out: PreviewItem[] = [];
  for (const a of actions) {
    const partner = links.get(a.linkId);
    const partnerId = partner ? (a.side === 'crm' ? partner.googleId : partner.crmId) : null;
    if (a.kind === 'create')
      out.push({
        kind: 'create',
        side: a.side,
        recordId: a.id,
        partnerId,
        name: nameOf(a.linkId, a.contact),
        fields: filled(a.contact),
      });
    else if (a.kind === 'update')
      out.push({
        kind: 'update',
        side: a.side,
        recordId: a.id,
        partnerId,
        name: nameOf(a.linkId, a.contact),
        fields: [...a.fields],
      });
    else
      out.push({ kind: a.kind, side: a.side, recordId: a.id, partnerId, name: nameOf(a.linkId), fields: [] });
  }
  // Pairings of existing records (by marker, email or a person's choice) are work of the run too.
  for (const id of newLinks) {
    const l = links.get(id);
    if (!l || l.status !== 'active') continue;
    out.push({
      kind: 'link',
      side: 'crm',
      recordId: l.crmId,
      partnerId: l.googleId,
      name: l.base ? displayName(l.base) : '',
      fields: [],
    });
  }
  return out;
}
