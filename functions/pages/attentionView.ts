// What needs the salesperson: ambiguous matches to answer, records a side refused, conflicts the
// policy decided, and the removals the guard holds back. Shown to the connection's owner only.
import type { AttentionView } from '../../shared/attention/needsAttention.js';
import type { AttentionRecord } from '../../shared/ports.js';
import type { Html } from './html.js';
import { html } from './html.js';
import { when } from './format.js';

const SIDE = { crm: 'CRM', google: 'Google' } as const;

const who = (r: AttentionRecord): Html =>
  html`<strong>${r.name || '(no name)'}</strong
    >${r.emails.length ? html` <span class="muted">${r.emails.join(', ')}</span>` : ''}`;

function ambiguous(base: string, csrf: Html, a: AttentionView['ambiguous'][number], i: number): Html {
  const side = (s: 'crm' | 'google', field: string) => {
    const records = a.records.filter((r) => r.side === s);
    return html`<fieldset class="pick">
      <legend>In ${SIDE[s]}</legend>
      ${records.map(
        (r, j) =>
          html`<div class="check">
            <input
              type="radio"
              id="m${i}-${s}-${j}"
              name="${field}"
              value="${r.id}"
              ${j === 0 ? html` checked` : ''}
            /><label for="m${i}-${s}-${j}">${who(r)}</label>
          </div>`,
      )}
    </fieldset>`;
  };
  return html`<li>
    <form method="post" action="${base}/choose">
      ${csrf}
      <input type="hidden" name="key" value="${a.key}" />
      <p>These records share an email, so the sync cannot tell which belong together (seen ${when(a.at)}):</p>
      <div class="grid">${side('crm', 'crmId')}${side('google', 'googleId')}</div>
      <div class="actions">
        <button type="submit" name="answer" value="link">Link the chosen pair</button>
        <button class="secondary" type="submit" name="answer" value="skip">Keep them apart</button>
      </div>
    </form>
  </li>`;
}

export function attentionCard(base: string, csrf: Html, v: AttentionView | null): Html {
  if (!v) return html``;
  const count = v.ambiguous.length + v.refused.length + v.conflicts.length;
  return html`<section class="card" aria-labelledby="attention-h">
    <h2 id="attention-h">What needs you</h2>
    ${v.choicesPending > 0 ? html`<p class="notice" role="status">${v.choicesPending} answer(s) will be applied by the next sync.</p>` : ''}
    ${count === 0 ? html`<p class="muted">Nothing: every record synced by itself.</p>` : ''}
    ${
      v.ambiguous.length
        ? html`<h3>Which records belong together?</h3>
            <ul class="plain">
              ${v.ambiguous.map((a, i) => ambiguous(base, csrf, a, i))}
            </ul>`
        : ''
    }
    ${
      v.refused.length
        ? html`<h3>Records not synced</h3>
            <table>
              <thead>
                <tr>
                  <th scope="col">Record</th>
                  <th scope="col">Refused by</th>
                  <th scope="col">Why</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                ${v.refused.map(
                  (r) =>
                    html`<tr>
                      <td>${who(r.record)}</td>
                      <td>${SIDE[r.record.side]}</td>
                      <td>${r.reason}</td>
                      <td>${when(r.at)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
        : ''
    }
    ${
      v.conflicts.length
        ? html`<h3>Changed on both sides</h3>
            <table>
              <thead>
                <tr>
                  <th scope="col">Contact</th>
                  <th scope="col">Field</th>
                  <th scope="col">CRM</th>
                  <th scope="col">Google</th>
                  <th scope="col">Kept</th>
                </tr>
              </thead>
              <tbody>
                ${v.conflicts.flatMap((c) =>
                  c.decisions.map(
                    (d) =>
                      html`<tr>
                        <td>${c.name || '(no name)'}</td>
                        <td>${d.field}</td>
                        <td>${d.crm}</td>
                        <td>${d.google}</td>
                        <td>${SIDE[d.winner]}</td>
                      </tr>`,
                  ),
                )}
              </tbody>
            </table>`
        : ''
    }
    ${v.truncated > 0 ? html`<p class="muted">${v.truncated} more item(s) were not kept.</p>` : ''}
  </section>`;
}

export function removalsList(v: AttentionView | null): Html {
  const r = v?.removals;
  if (!r) return html``;
  return html`<p>
      ${r.total} contact(s) would leave the
      group${r.records.length < r.total ? html` (the first ${r.records.length} are listed)` : ''}:
    </p>
    <ul class="plain">
      ${r.records.map((x) => html`<li>${who(x)} <span class="muted">from the ${SIDE[x.side]} group</span></li>`)}
    </ul>`;
}
