// The confirm step of Disconnect: what it does, and what it keeps (docs/needs-a-person.md, "Disconnect").
import type { Html } from './html.js';
import { html } from './html.js';

export function disconnectBody(base: string, csrf: string, googleEmail: string | null): Html {
  if (!googleEmail)
    return html`<h1>Disconnect Google</h1>
      <section class="card"><p>No Google account is connected.</p></section>
      <p><a class="button secondary" href="${base}/">Back to your sync</a></p>`;
  return html`<h1>Disconnect Google</h1>
    <section class="card state warn" aria-labelledby="dc-h">
      <h2 id="dc-h">Disconnect ${googleEmail}?</h2>
      <ul>
        <li>The contact sync's access to this Google account is revoked at Google.</li>
        <li>Nothing syncs any more; no contact is deleted on either side.</li>
        <li>
          Connecting the same account again later picks up where it left off, without duplicates; another
          account starts afresh.
        </li>
      </ul>
      <div class="actions">
        <form method="post" action="${base}/disconnect">
          <input type="hidden" name="csrf" value="${csrf}" /><button class="danger" type="submit">
            Disconnect Google
          </button>
        </form>
        <a class="button secondary" href="${base}/">Keep it connected</a>
      </div>
    </section>`;
}
