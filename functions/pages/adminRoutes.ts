// The tenant admin's requests: the session's own tenant only; a salesperson's session is refused.
import { setUserPaused, tenantView } from '../../shared/admin/tenantView.js';
import { SyncError } from '../../shared/errors.js';
import { isId } from '../../shared/requests.js';
import type { Session } from '../../shared/sessions.js';
import { EdgeError } from '../respond.js';
import { sendHtmlPage } from './layout.js';
import { adminBody } from './adminView.js';
import { checkCsrf, formBody } from './session.js';
import type { Ctx } from './userRoutes.js';
import { topBar } from './userRoutes.js';

function requireAdmin(s: Session): void {
  if (s.role !== 'admin')
    throw new EdgeError(403, 'forbidden', 'this page is for the tenant administrator: sign in from your CRM');
}

const NOTICES: Record<string, string> = {
  paused: 'Paused: that user does not sync until resumed.',
  resumed: 'Resumed: that user syncs again at the next interval.',
};

export async function showAdminPage(c: Ctx): Promise<void> {
  requireAdmin(c.session);
  const view = await tenantView(c.a, c.session.tenantId, c.a.clock.now());
  const q = c.req.query.note;
  sendHtmlPage(c.res, 200, {
    title: 'Connections',
    session: topBar(c),
    body: adminBody({
      base: c.base,
      csrf: c.session.csrf,
      view,
      notice: typeof q === 'string' ? (NOTICES[q] ?? null) : null,
    }),
  });
}

async function setPaused(c: Ctx, paused: boolean): Promise<void> {
  requireAdmin(c.session);
  const form = formBody(c.req);
  checkCsrf(c.session, form);
  const userId = form.userId;
  if (!userId || !isId(userId)) throw new SyncError('validation', 'the user is not named');
  await setUserPaused(c.a, c.session.tenantId, userId, paused);
  c.res.redirect(303, `${c.base}/admin?note=${paused ? 'paused' : 'resumed'}`);
}

export const pauseUser = (c: Ctx) => setPaused(c, true);
export const resumeUser = (c: Ctx) => setPaused(c, false);
