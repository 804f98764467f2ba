// The salesperson's page: the state in plain words with what to do, the Google account, settings,
// "Sync now" with its progress, what needs a person, and the run history.
import type { CrmFolder } from '../../shared/ports.js';
import type { ConnectionStatusView } from '../../shared/status.js';
import { POLICIES } from '../../shared/requests.js';
import type { Html } from './html.js';
import { html } from './html.js';
import { historyTable, when } from './format.js';
import type { AttentionView } from '../../shared/attention/needsAttention.js';
import { attentionCard, removalsList } from './attentionView.js';

export interface UserPage {
  base: string;
  csrf: string;
  status: ConnectionStatusView | null;
  /** Static folders only; null when the CRM could not be asked. */
  folders: CrmFolder[] | null;
  foldersError: string | null;
  /** The run to follow, if one is running or was just asked for. */
  runId: string | null;
  notice: string | null;
  /** Null when there is no connection yet. */
  attention: AttentionView | null;
}

type Tone = 'ok' | 'warn' | 'bad' | '';

export function describeState(
  s: ConnectionStatusView | null,
  running: boolean,
  now: number,
): { tone: Tone; headline: string; todo: string } {
  if (!s)
    return {
      tone: 'warn',
      headline: 'Your Google account is not connected',
      todo: 'Choose the CRM group to sync and connect your Google account below.',
    };
  if (!s.connected)
    return {
      tone: 'warn',
      headline: 'Your Google account is not connected',
      todo: 'You disconnected it, so nothing syncs. Connect a Google account below to sync again; the same account picks up where it left off, without duplicates.',
    };
  if (s.status === 'needs-reconnect' || s.googleEmail === null)
    return {
      tone: 'bad',
      headline: 'Google access was revoked or has expired',
      todo: 'Reconnect your Google account below; nothing syncs until you do.',
    };
  if (s.status === 'paused')
    return {
      tone: 'warn',
      headline: 'Paused by the removal guard',
      todo: `${s.reason ?? 'The last sync would have removed many contacts.'} Review the removals below, then confirm or reject them.`,
    };
  if (s.status === 'error' && /Creatio rejected the credentials/.test(s.reason ?? ''))
    return {
      tone: 'bad',
      headline: 'The CRM rejected the integration’s credentials',
      todo: 'Ask your CRM administrator to update the Creatio credentials of the contact sync; syncing resumes by itself once they work.',
    };
  if (s.status === 'error')
    return {
      tone: 'bad',
      headline: `Syncing stopped: ${s.reason ?? 'an error'}`,
      todo: 'Check the settings below; if it persists, tell your CRM administrator.',
    };
  if (!s.enabled)
    return {
      tone: 'warn',
      headline: 'Sync is switched off',
      todo: 'Switch it on in the settings below to sync again.',
    };
  if (running)
    return { tone: 'ok', headline: `Syncing now as ${s.googleEmail}`, todo: 'The progress is shown below.' };
  if (s.status === 'partial')
    return {
      tone: 'warn',
      headline: `Syncing as ${s.googleEmail}, with some records not synced`,
      todo: 'See what needs you below.',
    };
  const due = s.nextDueAt > now ? 'The next sync is scheduled; nothing to do.' : 'The next sync is due now.';
  // What the last run put off (the CRM's daily full read under the tenant's Creatio budget) is said too.
  const next = s.reason ? `${due} Note: ${s.reason}.` : due;
  return {
    tone: 'ok',
    headline:
      s.status === 'new'
        ? `Connected as ${s.googleEmail}; the first sync is pending`
        : `Syncing as ${s.googleEmail}`,
    todo: next,
  };
}

const POLICY_WORDS: Record<(typeof POLICIES)[number], string> = {
  'newest-wins': 'The newest change wins',
  'crm-wins': 'The CRM wins',
  'google-wins': 'Google wins',
};

function folderPicker(p: UserPage, selected: string | null): Html {
  if (p.folders === null)
    return html`<p class="notice bad">
      The CRM groups could not be listed: ${p.foldersError ?? 'try again later'}.
    </p>`;
  if (p.folders.length === 0)
    return html`<p class="notice bad">
      Your CRM has no static contact groups yet: create one in Creatio first.
    </p>`;
  return html`<div>
      <label for="folder-filter">Search the CRM groups</label>
      <input id="folder-filter" type="search" autocomplete="off" aria-controls="crmGroupId" />
    </div>
    <div>
      <label for="crmGroupId">CRM group to sync <span class="muted">(static groups only)</span></label>
      <select id="crmGroupId" name="crmGroupId" required>
        ${selected === null ? html`<option value="">Choose a group…</option>` : ''}
        ${p.folders.map((f) => html`<option value="${f.id}" ${f.id === selected ? html` selected` : ''}>${f.name}</option>`)}
      </select>
    </div>`;
}

const csrfField = (p: UserPage): Html => html`<input type="hidden" name="csrf" value="${p.csrf}" />`;

function connectCard(p: UserPage): Html {
  const s = p.status;
  if (!s || s.googleEmail === null || !s.connected)
    return html`<section class="card" aria-labelledby="google-h">
      <h2 id="google-h">Connect Google</h2>
      <form method="post" action="${p.base}/connect">
        ${csrfField(p)}
        <div class="grid">${folderPicker(p, s?.crmGroupId ?? null)}</div>
        <div class="actions"><button type="submit">Connect Google account</button></div>
      </form>
    </section>`;
  return html`<section class="card" aria-labelledby="google-h">
    <h2 id="google-h">Google account</h2>
    <dl class="facts">
      <dt>Connected as</dt>
      <dd>${s.googleEmail}</dd>
    </dl>
    <div class="actions">
      <form method="post" action="${p.base}/connect">
        ${csrfField(p)}<button class="secondary" type="submit">Reconnect Google</button>
      </form>
      <a class="button danger" href="${p.base}/disconnect">Disconnect…</a>
    </div>
  </section>`;
}

function settingsCard(p: UserPage): Html {
  const s = p.status;
  if (!s) return html``;
  return html`<section class="card" aria-labelledby="settings-h">
    <h2 id="settings-h">Settings</h2>
    <form method="post" action="${p.base}/settings">
      ${csrfField(p)}
      <div class="grid">
        ${folderPicker(p, s.crmGroupId)}
        <div>
          <label for="intervalMinutes">Sync every (minutes)</label>
          <input
            id="intervalMinutes"
            name="intervalMinutes"
            type="number"
            min="5"
            max="1440"
            step="1"
            required
            value="${s.intervalMinutes}"
          />
        </div>
        <div>
          <label for="policy">When both sides changed a field</label>
          <select id="policy" name="policy">
            ${POLICIES.map((k) => html`<option value="${k}" ${k === s.policy ? html` selected` : ''}>${POLICY_WORDS[k]}</option>`)}
          </select>
        </div>
        <div>
          <span class="check"
            ><input id="enabled" name="enabled" type="checkbox" ${s.enabled ? html` checked` : ''} /><label
              for="enabled"
              >Sync is on</label
            ></span
          >
        </div>
      </div>
      <div class="actions"><button type="submit">Save settings</button></div>
    </form>
  </section>`;
}

function syncCard(p: UserPage): Html {
  const s = p.status;
  if (!s || s.googleEmail === null || !s.connected) return html``;
  const progress = p.runId
    ? html`<div
        id="progress"
        class="progress"
        role="status"
        aria-live="polite"
        data-poll="${p.base}/run?runId=${encodeURIComponent(p.runId)}"
        data-done="${p.base}/?finished=${encodeURIComponent(p.runId)}"
      >
        <span id="progress-text">Sync requested…</span>
      </div>`
    : '';
  return html`<section class="card" aria-labelledby="sync-h">
    <h2 id="sync-h">Sync</h2>
    <p class="muted">Next scheduled sync: ${when(s.nextDueAt)}</p>
    <div class="actions">
      <form method="post" action="${p.base}/sync">
        ${csrfField(p)}<button type="submit">Sync now</button>
      </form>
      <form method="post" action="${p.base}/preview">
        ${csrfField(p)}<button class="secondary" type="submit">Preview the next sync</button>
      </form>
    </div>
    ${progress}
  </section>`;
}

function guardCard(p: UserPage): Html {
  const s = p.status;
  if (!s || s.status !== 'paused') return html``;
  return html`<section class="card" aria-labelledby="guard-h">
    <h2 id="guard-h">Removals waiting for you</h2>
    <p>${s.reason ?? 'The last sync would have removed many contacts.'}</p>
    ${removalsList(p.attention)}
    <p class="muted">
      Confirm if these contacts really left the group: the next sync removes them on the other side too.
      Reject to put them back. Nothing syncs until you decide.
    </p>
    <div class="actions">
      <form method="post" action="${p.base}/confirm-removals">
        ${csrfField(p)}<button type="submit">Confirm the removals</button>
      </form>
      <form method="post" action="${p.base}/reject-removals">
        ${csrfField(p)}<button class="secondary" type="submit">Reject: put them back</button>
      </form>
    </div>
  </section>`;
}

export function userBody(p: UserPage, now: number): Html {
  const running = p.runId !== null;
  const st = describeState(p.status, running, now);
  return html`<h1>Your contact sync</h1>
    ${p.notice ? html`<p class="notice" role="status">${p.notice}</p>` : ''}
    <section class="card state ${st.tone}" aria-labelledby="state-h">
      <h2 id="state-h" class="sr-only">State</h2>
      <p class="headline">${st.headline}</p>
      <p>${st.todo}</p>
    </section>
    ${guardCard(p)} ${connectCard(p)} ${syncCard(p)} ${attentionCard(p.base, csrfField(p), p.attention)}
    ${settingsCard(p)}
    ${
      p.status
        ? html`<section class="card" aria-labelledby="history-h">
            <h2 id="history-h">Recent syncs</h2>
            ${historyTable(p.status.recentRuns)}
          </section>`
        : ''
    }`;
}
