// What the next sync would do, as the preview job found it (computed without writing anything):
// "preparing" while the job runs, then the counts (pairings included) and the first items.
import type { PreviewItem, PreviewResult } from '../../shared/ports.js';
import type { Html } from './html.js';
import { html } from './html.js';
import { when } from './format.js';

const KIND_WORDS: Record<string, string> = {
  create: 'Create',
  update: 'Update',
  addToGroup: 'Add to the group',
  removeFromGroup: 'Remove from the group',
};
const SIDE_WORDS = { crm: 'in the CRM', google: 'in Google' } as const;

function countWords(k: string): string {
  const [kind, side] = k.split('.') as [string, 'crm' | 'google' | undefined];
  if (side && SIDE_WORDS[side]) return `${KIND_WORDS[kind] ?? kind} ${SIDE_WORDS[side]}`;
  if (kind === 'linked') return 'New pairs';
  if (kind === 'retired') return 'Forget a pair';
  return kind;
}

function itemWords(i: PreviewItem): string {
  if (i.kind === 'link') return 'Pair with the Google record';
  return `${KIND_WORDS[i.kind] ?? i.kind} ${SIDE_WORDS[i.side]}`;
}

function itemsTable(p: PreviewResult): Html {
  if (p.items.length === 0) return html``;
  return html`<h3>The records</h3>
    <table id="preview-items">
      <thead>
        <tr>
          <th scope="col">Change</th>
          <th scope="col">Contact</th>
          <th scope="col">Fields</th>
        </tr>
      </thead>
      <tbody>
        ${p.items.map(
          (i) =>
            html`<tr>
              <td>${itemWords(i)}</td>
              <td>${i.name || html`<span class="muted">(no name)</span>`}</td>
              <td>${i.fields.join(', ')}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${p.total > p.items.length ? html`<p class="muted">The first ${p.items.length} of ${p.total} changes are listed.</p>` : ''}`;
}

function countsTable(p: PreviewResult): Html {
  const rows = Object.entries(p.counts).filter(([k, n]) => n > 0 && k !== 'failed');
  if (rows.length === 0 && !p.wouldCreateGroup) return html`<p>Nothing: both sides are in sync.</p>`;
  return html`${p.wouldCreateGroup ? html`<p>The Google group does not exist yet: the sync would create it first.</p>` : ''}
    <table id="preview-counts">
      <thead>
        <tr>
          <th scope="col">Change</th>
          <th scope="col" class="num">Records</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          ([k, n]) =>
            html`<tr>
              <td>${countWords(k)}</td>
              <td class="num">${n}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

const back = (base: string) => html`<p><a class="button secondary" href="${base}/">Back to your sync</a></p>`;

const askAgain = (base: string, csrf: string, label: string) =>
  html`<form method="post" action="${base}/preview">
    <input type="hidden" name="csrf" value="${csrf}" /><button class="secondary" type="submit">
      ${label}
    </button>
  </form>`;

export function previewBody(base: string, csrf: string, p: PreviewResult | null): Html {
  const head = html`<h1>Preview of the next sync</h1>`;
  if (!p)
    return html`${head}
      <section class="card">
        <p>No preview was asked for yet.</p>
        ${askAgain(base, csrf, 'Preview the next sync')}
      </section>
      ${back(base)}`;
  if (p.state === 'queued')
    return html`${head}
      <section class="card">
        <p id="preview-waiting" class="progress" role="status" aria-live="polite" data-poll="${base}/preview">
          Preparing the preview… This page updates when it is ready.
        </p>
        <noscript
          ><p><a href="${base}/preview">Refresh</a></p></noscript
        >
      </section>
      ${back(base)}`;
  if (p.state === 'failed')
    return html`${head}
      <section class="card state bad">
        <p class="headline">The preview could not be prepared (${p.error ?? 'error'}).</p>
        ${askAgain(base, csrf, 'Try again')}
      </section>
      ${back(base)}`;
  return html`${head}
    <p class="muted">
      Prepared ${when(p.finishedAt ?? p.requestedAt)}. Nothing was written on either side to make it.
    </p>
    ${p.refused ? html`<p class="notice bad">The sync would be paused: ${p.refused}</p>` : ''}
    <section class="card" aria-labelledby="pv-h">
      <h2 id="pv-h">What it would do</h2>
      ${countsTable(p)} ${itemsTable(p)}
      <div class="actions">${askAgain(base, csrf, 'Prepare a fresh preview')}</div>
    </section>
    ${back(base)}`;
}
