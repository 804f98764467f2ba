// Plain words for what the stores hold: times the browser turns into local time, counts per run.
import type { RunSummary } from '../../shared/ports.js';
import type { Html } from './html.js';
import { html } from './html.js';

/** UTC in the markup; the page's script rewrites it in the reader's local time. */
export const when = (ms: number): Html => {
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.replace('T', ' ').slice(0, 16)} UTC</time>`;
};

const sum = (counts: Record<string, number>, prefix: string): number =>
  Object.entries(counts)
    .filter(([k]) => k === prefix || k.startsWith(`${prefix}.`))
    .reduce((n, [, v]) => n + v, 0);

export interface CountsLine {
  created: number;
  updated: number;
  linked: number;
  removed: number;
  failed: number;
}

export const countsOf = (counts: Record<string, number>): CountsLine => ({
  created: sum(counts, 'create'),
  updated: sum(counts, 'update'),
  linked: sum(counts, 'linked'),
  removed: sum(counts, 'removeFromGroup'),
  failed: sum(counts, 'failed'),
});

export const duration = (r: RunSummary): string => {
  const s = Math.max(0, Math.round((r.endedAt - r.startedAt) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
};

const OUTCOME_TONE: Record<RunSummary['outcome'], string> = {
  ok: 'ok',
  partial: 'warn',
  refused: 'warn',
  failed: 'bad',
  'dry-run': '',
};

const OUTCOME_WORDS: Record<RunSummary['outcome'], string> = {
  ok: 'Done',
  partial: 'Partly done',
  refused: 'Paused by the guard',
  failed: 'Failed',
  'dry-run': 'Preview',
};

export const outcomeBadge = (o: RunSummary['outcome']): Html =>
  html`<span class="badge ${OUTCOME_TONE[o]}">${OUTCOME_WORDS[o]}</span>`;

export const TRIGGER_WORDS: Record<RunSummary['trigger'], string> = {
  schedule: 'Scheduled',
  manual: 'Sync now',
  continuation: 'Continued',
};

export function historyTable(runs: RunSummary[]): Html {
  if (runs.length === 0) return html`<p class="muted">No sync has run yet.</p>`;
  return html`<table>
    <caption class="sr-only">
      Recent syncs, newest first
    </caption>
    <thead>
      <tr>
        <th scope="col">When</th>
        <th scope="col">Trigger</th>
        <th scope="col">Outcome</th>
        <th scope="col" class="num">Created</th>
        <th scope="col" class="num">Updated</th>
        <th scope="col" class="num">Linked</th>
        <th scope="col" class="num">Removed</th>
        <th scope="col" class="num">Failed</th>
        <th scope="col" class="num">Took</th>
      </tr>
    </thead>
    <tbody>
      ${[...runs]
        .sort((a, b) => b.startedAt - a.startedAt)
        .map((r) => {
          const c = countsOf(r.counts);
          return html`<tr>
            <td>${when(r.startedAt)}</td>
            <td>${TRIGGER_WORDS[r.trigger]}</td>
            <td>
              ${outcomeBadge(r.outcome)}${r.error ? html` <span class="muted">(${r.error})</span>` : ''}
            </td>
            <td class="num">${c.created}</td>
            <td class="num">${c.updated}</td>
            <td class="num">${c.linked}</td>
            <td class="num">${c.removed}</td>
            <td class="num">${c.failed}</td>
            <td class="num">${duration(r)}</td>
          </tr>`;
        })}
    </tbody>
  </table>`;
}
