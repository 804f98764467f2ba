// The salesperson's requests: each reads the session's own tenant and user, never an id from the
// request, so a session can reach no other connection.
import type { Request, Response } from '@google-cloud/functions-framework';
import type { App } from '../../shared/compose.js';
import { createConnectLink } from '../../shared/connect.js';
import { SyncError } from '../../shared/errors.js';
import { isId, settingsFormSchema } from '../../shared/requests.js';
import type { Session } from '../../shared/sessions.js';
import { saveSettings, staticFolders } from '../../shared/settings.js';
import { connectionStatus, runStatus } from '../../shared/status.js';
import type { ConnectionStatusView } from '../../shared/status.js';
import { syncNow } from '../../shared/syncNow.js';
import { disconnect } from '../../shared/disconnect.js';
import { getPreview, requestPreview } from '../../shared/preview/preview.js';
import { chooseMatch, needsAttention } from '../../shared/attention/needsAttention.js';
import { confirmRemovals as confirm, rejectRemovals as reject } from '../../shared/attention/removals.js';
import type { SyncNowResult } from '../../shared/syncNow.js';
import { parse, wantsJson } from '../http.js';
import { answerFor, sendJson } from '../respond.js';
import { countsOf } from './format.js';
import { html } from './html.js';
import { sendHtmlPage, whoIs } from './layout.js';
import { previewBody } from './previewView.js';
import { disconnectBody } from './disconnectView.js';
import { checkCsrf, formBody } from './session.js';
import { userBody } from './userView.js';

export interface Ctx {
  a: App;
  req: Request;
  res: Response;
  session: Session;
  base: string;
}

const userOf = (s: Session): string => {
  if (s.role !== 'user' || s.userId === null)
    throw new SyncError('permission', 'this page is for a salesperson: sign in from your CRM');
  return s.userId;
};

async function statusOrNull(a: App, s: Session): Promise<ConnectionStatusView | null> {
  try {
    return await connectionStatus(a, s.tenantId, userOf(s), a.clock.now());
  } catch (e) {
    if (e instanceof SyncError && e.kind === 'not-found') return null;
    throw e;
  }
}

export const topBar = (c: Ctx) => ({
  who: whoIs(c.session),
  csrf: c.session.csrf,
  signOutUrl: `${c.base}/signout`,
});

function finishedNotice(status: ConnectionStatusView | null, runId: string | null): string | null {
  const run = status?.recentRuns.find((r) => r.runId === runId);
  if (!run) return null;
  const n = countsOf(run.counts);
  const words = {
    ok: 'Sync finished',
    partial: 'Sync finished with some records not synced',
    refused: 'Sync paused by the removal guard',
    failed: 'Sync failed',
    'dry-run': 'Preview finished',
  }[run.outcome];
  return `${words}: ${n.created} created, ${n.updated} updated, ${n.linked} linked, ${n.removed} removed, ${n.failed} failed.`;
}

const NOTICES: Record<string, string> = {
  saved: 'Settings saved.',
  chosen: 'Noted: the next sync links the pair you chose.',
  skipped: 'Noted: those records stay apart, and you will not be asked again.',
  disconnected: 'Disconnected: Google access was revoked and nothing syncs any more.',
};

export async function showUserPage(c: Ctx): Promise<void> {
  const { a, session } = c;
  userOf(session);
  const status = await statusOrNull(a, session);
  const tenant = await a.tenants.get(session.tenantId);
  if (!tenant) throw new SyncError('not-found', 'the tenant no longer exists');
  let folders = null;
  let foldersError: string | null = null;
  try {
    folders = await staticFolders(a.crm, tenant);
  } catch (e) {
    foldersError = answerFor(e).message;
  }
  const attention = status ? await needsAttention(a, session.tenantId, userOf(session)) : null;
  const q = c.req.query;
  const finished = typeof q.finished === 'string' && isId(q.finished) ? q.finished : null;
  const asked = typeof q.run === 'string' && isId(q.run) ? q.run : null;
  const runId = status?.runningRunId ?? status?.queuedRunId ?? asked;
  const followed = runId && status?.recentRuns.some((r) => r.runId === runId) ? null : runId;
  const note = typeof q.note === 'string' ? (NOTICES[q.note] ?? null) : null;
  sendHtmlPage(c.res, 200, {
    title: 'Your contact sync',
    session: topBar(c),
    body: userBody(
      {
        base: c.base,
        csrf: session.csrf,
        status,
        folders,
        foldersError,
        runId: followed,
        attention,
        notice: finishedNotice(status, finished ?? (followed === null ? asked : null)) ?? note,
      },
      a.clock.now(),
    ),
  });
}

function postForm(c: Ctx): Record<string, string> {
  const form = formBody(c.req);
  checkCsrf(c.session, form);
  return form;
}

export async function connect(c: Ctx): Promise<void> {
  const form = postForm(c);
  const userId = userOf(c.session);
  const tenant = await c.a.tenants.get(c.session.tenantId);
  if (!tenant) throw new SyncError('not-found', 'the tenant no longer exists');
  const current = await c.a.connections.get(tenant.tenantId, userId);
  const crmGroupId = form.crmGroupId || current?.crmGroupId;
  if (!crmGroupId || !isId(crmGroupId)) throw new SyncError('validation', 'choose the CRM group to sync');
  const link = await createConnectLink(c.a, tenant, { userId, crmGroupId });
  c.res.redirect(303, link.url);
}

export async function settings(c: Ctx): Promise<void> {
  const form = postForm(c);
  const values = parse(settingsFormSchema, form);
  const tenant = await c.a.tenants.get(c.session.tenantId);
  if (!tenant) throw new SyncError('not-found', 'the tenant no longer exists');
  await saveSettings(c.a, tenant, userOf(c.session), values);
  c.res.redirect(303, `${c.base}/?note=saved`);
}

export async function sync(c: Ctx): Promise<void> {
  postForm(c);
  toRun(c, await syncNow(c.a, { tenantId: c.session.tenantId, userId: userOf(c.session) }));
}

/** After a request that queues a run: back to the page, watching that run. */
function toRun(c: Ctx, result: SyncNowResult): void {
  if (result.kind !== 'accepted') throw new SyncError('internal', 'a sync was not queued');
  c.res.redirect(303, `${c.base}/?run=${encodeURIComponent(result.runId)}`);
}

/** The person confirms the removals the guard held back: a run that may carry them out starts now. */
export async function confirmRemovals(c: Ctx): Promise<void> {
  postForm(c);
  toRun(c, await confirm(c.a, c.session.tenantId, userOf(c.session)));
}

/** The person rejects them: the next run puts the departed records back instead. */
export async function rejectRemovals(c: Ctx): Promise<void> {
  postForm(c);
  toRun(c, await reject(c.a, c.session.tenantId, userOf(c.session)));
}

/** The answer to an ambiguous match: link the chosen pair, or keep the records apart. */
export async function choose(c: Ctx): Promise<void> {
  const form = postForm(c);
  const { key, crmId, googleId, answer } = form;
  if (!key || key.length > 2000) throw new SyncError('bad-request', 'the match is not named');
  const link = answer === 'link';
  // Record ids are checked against the match's own records by chooseMatch (Google's are resource names).
  const plain = (s: string | undefined): s is string => !!s && s.length <= 200;
  if (link && (!plain(crmId) || !plain(googleId)))
    throw new SyncError('validation', 'choose one CRM and one Google record');
  await chooseMatch(c.a, {
    tenantId: c.session.tenantId,
    userId: userOf(c.session),
    key,
    pair: link ? { crmId: crmId as string, googleId: googleId as string } : null,
  });
  c.res.redirect(303, `${c.base}/?note=${link ? 'chosen' : 'skipped'}`);
}

/** Ask for a preview: a job computes it; the preview page waits for it. */
export async function preview(c: Ctx): Promise<void> {
  postForm(c);
  await requestPreview(c.a, c.session.tenantId, userOf(c.session));
  c.res.redirect(303, `${c.base}/preview`);
}

/** The latest preview (JSON for the page's script while it is being prepared). */
export async function showPreview(c: Ctx): Promise<void> {
  const p = await getPreview(c.a, c.session.tenantId, userOf(c.session));
  if (wantsJson(c.req)) return sendJson(c.res, 200, { state: p?.state ?? null });
  sendHtmlPage(c.res, 200, {
    title: 'Preview of the next sync',
    session: topBar(c),
    body: previewBody(c.base, c.session.csrf, p),
  });
}

/** Disconnect asks first, saying what happens. */
export async function askDisconnect(c: Ctx): Promise<void> {
  const status = await statusOrNull(c.a, c.session);
  sendHtmlPage(c.res, 200, {
    title: 'Disconnect Google',
    session: topBar(c),
    body: disconnectBody(c.base, c.session.csrf, status?.connected ? status.googleEmail : null),
  });
}

export async function disconnectGoogle(c: Ctx): Promise<void> {
  postForm(c);
  await disconnect(c.a, c.session.tenantId, userOf(c.session));
  c.res.redirect(303, `${c.base}/?note=disconnected`);
}

/** Progress of one run, for the page's script. */
export async function progress(c: Ctx): Promise<void> {
  const runId = c.req.query.runId;
  if (typeof runId !== 'string' || !isId(runId)) throw new SyncError('bad-request', 'runId is invalid');
  const r = await runStatus(c.a, c.session.tenantId, userOf(c.session), runId, c.a.clock.now());
  const live =
    r.state === 'running'
      ? (await c.a.connections.get(c.session.tenantId, userOf(c.session)))?.progress
      : null;
  const soFar = live && live.runId === runId ? countsOf(live.counts) : null;
  const text =
    r.state === 'queued'
      ? 'Waiting to start…'
      : r.state === 'running'
        ? `Syncing: ${live?.phase ?? 'starting'}${soFar ? ` (${soFar.created} created, ${soFar.updated} updated, ${soFar.linked} linked so far)` : ''}…`
        : `Finished: ${r.summary?.outcome ?? 'done'}`;
  sendJson(c.res, 200, { state: r.state, text });
}

export const notFoundBody = html`<h1>Not found</h1>
  <p>There is no such page.</p>`;
