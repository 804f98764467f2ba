// What the next sync would do, computed without writing anything.
import type { SyncNowResult } from '../../shared/syncNow.js';
import type { Html } from './html.js';
import { html } from './html.js';

type DryRun = Extract<SyncNowResult, { kind: 'dry-run' }>;

const KIND_WORDS: Record<string, string> = {
  create: 'Create',
  update: 'Update',
  addToGroup: 'Add to the group',
  removeFromGroup: 'Remove from the group',
};
const SIDE_WORDS = { crm: 'in the CRM', google: 'in Google' } as const;

export function previewBody(base: string, p: DryRun): Html {
  const rows = Object.entries(p.counts).filter(([, n]) => n > 0);
  return html`<h1>Preview of the next sync</h1>
    <p class="muted">Nothing was written on either side to make this preview.</p>
    ${p.refused ? html`<p class="notice bad">The sync would be paused: ${p.refused}</p>` : ''}
    <section class="card" aria-labelledby="pv-h">
      <h2 id="pv-h">What it would do</h2>
      ${
        rows.length === 0
          ? html`<p>Nothing: both sides are in sync.</p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">Change</th>
                  <th scope="col" class="num">Records</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map(([k, n]) => {
                  const [kind, side] = k.split('.') as [string, 'crm' | 'google' | undefined];
                  const words = side
                    ? `${KIND_WORDS[kind] ?? kind} ${SIDE_WORDS[side]}`
                    : kind === 'retired'
                      ? 'Forget a pair'
                      : kind;
                  return html`<tr>
                    <td>${words}</td>
                    <td class="num">${n}</td>
                  </tr>`;
                })}
              </tbody>
            </table>`
      }
    </section>
    <p><a class="button secondary" href="${base}/">Back to your sync</a></p>`;
}
