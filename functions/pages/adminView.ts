// The tenant admin's page: counts per state, every connection (failing and paused first) with its
// last run and a Pause / Resume button, and the messages Pub/Sub gave up on. No contact data.
import type { ConnectionStatus } from '../../shared/ports.js';
import type { ConnectionRow, TenantView } from '../../shared/admin/tenantView.js';
import type { Html } from './html.js';
import { html } from './html.js';
import { countsOf, outcomeBadge, TRIGGER_WORDS, when } from './format.js';

const STATE_WORDS: Record<ConnectionStatus | 'disabled', string> = {
  error: 'Failing',
  'needs-reconnect': 'Needs reconnecting',
  paused: 'Paused by the guard',
  partial: 'Partly synced',
  new: 'Not synced yet',
  ok: 'Syncing',
  disabled: 'Switched off',
};

const STATE_TONE: Record<ConnectionStatus, string> = {
  error: 'bad',
  'needs-reconnect': 'bad',
  paused: 'warn',
  partial: 'warn',
  new: '',
  ok: 'ok',
};

export interface AdminPage {
  base: string;
  csrf: string;
  view: TenantView;
  notice: string | null;
}

function stateCell(r: ConnectionRow): Html {
  // A failed run that left the state as it was (to be retried) is named as such.
  const failed = r.lastRun?.outcome === 'failed' && ['ok', 'partial', 'new'].includes(r.status);
  return html`<span class="badge ${failed ? 'bad' : STATE_TONE[r.status]}"
      >${failed ? 'Last run failed' : STATE_WORDS[r.status]}</span
    >${r.enabled ? '' : html` <span class="badge">Switched off</span>`}${r.running ? html` <span class="badge">Running</span>` : ''}
    ${r.reason ? html`<div class="muted">${r.reason}</div>` : ''}`;
}

function lastRunCell(r: ConnectionRow): Html {
  const run = r.lastRun;
  if (!run) return html`<span class="muted">Never</span>`;
  const n = countsOf(run.counts);
  return html`${when(run.startedAt)} · ${TRIGGER_WORDS[run.trigger]} ${outcomeBadge(run.outcome)}
    ${run.error ? html`<span class="muted">(${run.error})</span>` : ''}
    <div class="muted">
      ${n.created} created, ${n.updated} updated, ${n.linked} linked, ${n.removed} removed, ${n.failed} failed
    </div>`;
}

function pauseForm(p: AdminPage, r: ConnectionRow): Html {
  const pause = r.enabled;
  return html`<form method="post" action="${p.base}/admin/${pause ? 'pause' : 'resume'}">
    <input type="hidden" name="csrf" value="${p.csrf}" />
    <input type="hidden" name="userId" value="${r.userId}" />
    <button
      class="${pause ? 'danger' : 'secondary'}"
      type="submit"
      aria-label="${pause ? 'Pause' : 'Resume'} ${r.userId}"
    >
      ${pause ? 'Pause' : 'Resume'}
    </button>
  </form>`;
}

function connectionsTable(p: AdminPage): Html {
  const rows = p.view.connections;
  if (rows.length === 0) return html`<p class="muted">Nobody has connected yet.</p>`;
  return html`<table id="connections">
      <caption class="sr-only">
        Connections, those needing attention first
      </caption>
      <thead>
        <tr>
          <th scope="col">User</th>
          <th scope="col">Google account</th>
          <th scope="col">State</th>
          <th scope="col">Last run</th>
          <th scope="col"><span class="sr-only">Action</span></th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) =>
            html`<tr>
              <th scope="row">${r.userId}</th>
              <td>${r.googleEmail ?? html`<span class="muted">Not connected</span>`}</td>
              <td>${stateCell(r)}</td>
              <td>${lastRunCell(r)}</td>
              <td>${pauseForm(p, r)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${p.view.truncated ? html`<p class="muted">Only the first ${rows.length} connections are listed.</p>` : ''}`;
}

function countsList(v: TenantView): Html {
  const order: (ConnectionStatus | 'disabled')[] = [
    'error',
    'needs-reconnect',
    'paused',
    'partial',
    'new',
    'ok',
    'disabled',
  ];
  return html`<dl class="facts" id="state-counts">
    ${order.map(
      (k) =>
        html`<dt>${STATE_WORDS[k]}</dt>
          <dd>${v.counts[k]}</dd>`,
    )}
  </dl>`;
}

/** The kinds recordDeadLetter stores, in words. */
const DEAD_LETTER_KINDS: Record<string, string> = {
  'sync:schedule': 'Scheduled sync',
  'sync:manual': 'Sync now',
  'sync:continuation': 'Continued sync',
  preview: 'Preview',
  tick: 'Scheduler tick',
  unreadable: 'Unreadable message',
};

function deadLettersCard(v: TenantView): Html {
  const list = v.deadLetters;
  return html`<section class="card" aria-labelledby="dl-h">
    <h2 id="dl-h">Messages that could not be delivered</h2>
    ${
      list.length === 0
        ? html`<p class="muted">None: every sync request was delivered.</p>`
        : html`<p class="muted">
              Pub/Sub gave up on these after its retries; the scheduler asks again for scheduled syncs.
            </p>
            <table>
              <thead>
                <tr>
                  <th scope="col">Recorded</th>
                  <th scope="col">User</th>
                  <th scope="col">Kind</th>
                  <th scope="col" class="num">Attempts</th>
                </tr>
              </thead>
              <tbody>
                ${list.map(
                  (d) =>
                    html`<tr>
                      <td>${when(d.recordedAt)}</td>
                      <td>${d.userId ?? html`<span class="muted">—</span>`}</td>
                      <td>
                        ${Object.hasOwn(DEAD_LETTER_KINDS, d.kind) ? DEAD_LETTER_KINDS[d.kind] : d.kind}
                      </td>
                      <td class="num">${d.deliveryAttempt ?? '—'}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }
  </section>`;
}

/** Today's billed Creatio calls against the budget: the figure Creatio's daily cap is about. */
function creatioCard(v: TenantView): Html {
  const u = v.creatio;
  if (!u) return html``;
  const over = u.budget !== null && u.calls >= u.budget;
  return html`<section class="card" aria-labelledby="calls-h">
    <h2 id="calls-h">Creatio calls today</h2>
    <dl class="facts" id="creatio-calls">
      <dt>Billed calls on ${u.day} (UTC)</dt>
      <dd>${num(u.calls)}</dd>
      <dt>Daily budget</dt>
      <dd>${u.budget === null ? html`<span class="muted">None set</span>` : num(u.budget)}</dd>
    </dl>
    <p class="${over ? 'notice' : 'muted'}">
      Creatio bills every OData call and every operation inside a batch, against a soft cap of 10,000 a day
      per full user licence, reset at 00:00 UTC.
      ${
        u.budget === null
          ? 'With a daily budget set, the daily full read of each CRM group waits for the next day once the budget would be passed.'
          : over
            ? 'The budget is spent: daily full reads wait for the next UTC day; ordinary syncs continue.'
            : 'Past the budget, daily full reads wait for the next UTC day; ordinary syncs continue.'
      }
    </p>
  </section>`;
}

const num = (n: number): string => n.toLocaleString('en-US');

export function adminBody(p: AdminPage): Html {
  return html`<h1>Your tenant's contact sync</h1>
    ${p.notice ? html`<p class="notice" role="status">${p.notice}</p>` : ''} ${creatioCard(p.view)}
    <section class="card" aria-labelledby="counts-h">
      <h2 id="counts-h">Connections per state</h2>
      ${countsList(p.view)}
    </section>
    <section class="card" aria-labelledby="conn-h">
      <h2 id="conn-h">Connections</h2>
      <p class="muted">Those failing or paused come first. Pausing stops a user's syncing until resumed.</p>
      ${connectionsTable(p)}
    </section>
    ${deadLettersCard(p.view)}`;
}
