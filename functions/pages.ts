// pages: what people see, server-rendered. The tenant's CRM asks for a sign-in link with its API key
// (POST /signin-link); a person opens it, presses Continue, and works in a session:
//   GET  /            the salesperson's page       GET /run?runId=  a run's progress (JSON)
//   GET  /preview     the latest preview           GET /disconnect  the confirm step
//   POST /connect, /settings, /sync, /preview, /disconnect   (forms, CSRF-checked)
//   GET  /admin       the tenant's connections      POST /admin/pause, /admin/resume
//   POST /signout
// Every page is answered with a nonce CSP, no-store and frame denial (pages/layout.ts).
import type { Request, Response } from '@google-cloud/functions-framework';
import type { App } from '../shared/compose.js';
import { app } from '../shared/compose.js';
import { SyncError } from '../shared/errors.js';
import { wantsJson } from './http.js';
import { EdgeError, answerFor, logFailure, sendError } from './respond.js';
import { html } from './pages/html.js';
import { sendHtmlPage } from './pages/layout.js';
import { currentSession } from './pages/session.js';
import { signIn, signInLink, signInPage, signOut } from './pages/signin.js';
import type { Ctx } from './pages/userRoutes.js';
import {
  choose,
  rejectRemovals,
  confirmRemovals,
  connect,
  notFoundBody,
  preview,
  showPreview,
  askDisconnect,
  disconnectGoogle,
  progress,
  settings,
  showUserPage,
  sync,
} from './pages/userRoutes.js';
import { pauseUser, resumeUser, showAdminPage } from './pages/adminRoutes.js';

type Route = (c: Ctx) => Promise<void>;

const SESSION_ROUTES: Record<string, Route> = {
  'GET /': showUserPage,
  'GET /run': progress,
  'POST /connect': connect,
  'POST /settings': settings,
  'POST /sync': sync,
  'POST /preview': preview,
  'GET /preview': showPreview,
  'GET /disconnect': askDisconnect,
  'POST /disconnect': disconnectGoogle,
  'GET /admin': showAdminPage,
  'POST /admin/pause': pauseUser,
  'POST /admin/resume': resumeUser,
  'POST /confirm-removals': confirmRemovals,
  'POST /reject-removals': rejectRemovals,
  'POST /choose': choose,
};

/** The path within the pages, whether or not the platform kept the function's own path in front. */
function routeOf(req: Request, base: string): string {
  let path = req.path || '/';
  if (base && (path === base || path.startsWith(`${base}/`))) path = path.slice(base.length) || '/';
  return path.length > 1 ? path.replace(/\/$/, '') : path;
}

async function route(a: App, req: Request, res: Response): Promise<void> {
  const base = new URL(a.pagesUrl).pathname.replace(/\/$/, '');
  const path = routeOf(req, base);
  const key = `${req.method} ${path}`;
  if (key === 'POST /signin-link') return signInLink(a, req, res);
  if (key === 'GET /signin') return signInPage(base, req, res);
  if (key === 'POST /signin') return signIn(a, base, req, res);
  if (key === 'POST /signout') return signOut(a, res);
  const handler = SESSION_ROUTES[key];
  if (!handler) {
    if (['GET', 'POST'].includes(req.method))
      return sendHtmlPage(res, 404, { title: 'Not found', body: notFoundBody });
    throw new EdgeError(405, 'method-not-allowed', 'use GET or POST', { allow: 'GET, POST' });
  }
  const session = currentSession(req, a);
  if (!session)
    throw new SyncError('auth', 'your session has ended: open the contact sync again from your CRM');
  await handler({ a, req, res, session, base });
}

export async function pages(req: Request, res: Response): Promise<void> {
  try {
    await route(await app(), req, res);
  } catch (e) {
    const answer = answerFor(e);
    logFailure('pages', e, answer, { method: req.method });
    if (res.headersSent) return void res.end();
    if (wantsJson(req) || req.path.endsWith('/signin-link') || req.path.endsWith('/run'))
      return sendError(res, answer);
    for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
    sendHtmlPage(res, answer.status, {
      title: 'Something went wrong',
      body: html`<h1>That did not work</h1>
        <section class="card state bad">
          <p class="headline">${answer.message}</p>
          <p class="muted">Code: <code>${answer.code}</code></p>
        </section>
        <p><a class="button secondary" href="./">Back to your sync</a></p>`,
    });
  }
}
