// How many People API requests a sync costs, counted by the Google stand-in, against the least the
// API's limits allow: list pages of 1,000, batch writes of 200, membership changes of 1,000, and
// one group lookup (plus its creation on a first sync). The CRM side is an in-memory fake of our
// own port; OAuth token requests are not counted (one per run, whatever the size).
import { GooglePeopleSide } from '../../shared/adapters/google/index.js';
import { GoogleOAuth } from '../../shared/adapters/google/index.js';
import { runSync } from '../../shared/runSync.js';
import { emptyContact, type Contact } from '../../shared/sync/index.js';
import { startGoogleStandin, type GoogleStandin } from '../../infra/standins/google/index.js';
import { FakeSide } from '../fakes/fakeSide.js';
import { FakeState } from '../fakes/fakeState.js';

export interface GoogleRequestRow {
  scenario: string;
  contacts: number;
  requests: number;
  minimum: number;
}

const ACCOUNT = 'bench.user@example.com';
const GROUP = "bpm'online";
const CLIENT = {
  clientId: 'bench.apps.googleusercontent.com',
  clientSecret: 'bench-secret',
  redirectUris: ['http://127.0.0.1:9/cb'],
};
const LIST_PAGE = 1000;
const BATCH = 200;
const MEMBERSHIP = 1000;

const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));
const batches = (n: number, size: number) => Math.ceil(n / size);

/** The CRM fake with write limits that do not dominate the run time at 25,000 contacts. */
class BenchCrm extends FakeSide {
  override readonly limits = { create: 1000, update: 1000, membership: 1000 };
}

const person = (i: number): Contact => ({
  ...emptyContact(),
  givenName: `Given${i}`,
  familyName: `Family${i}`,
  emails: [{ address: `given${i}.family${i}@example.com`, type: 'work' }],
  phones: [{ number: `+1 555 ${String(i).padStart(7, '0')}`, type: 'mobile' }],
  company: 'Example Ltd',
});

class BenchWorld {
  time = Date.UTC(2026, 0, 1);
  readonly clock = { now: () => this.time };
  readonly crm = new BenchCrm('crm', this.clock);
  readonly state = new FakeState();
  private ids = 0;

  constructor(
    private readonly standin: GoogleStandin,
    private readonly oauth: GoogleOAuth,
    private readonly refreshToken: string,
  ) {}

  /** Runs one sync and returns the People API requests it made. */
  async sync(): Promise<number> {
    this.time += 60_000;
    this.standin.resetStats();
    const google = new GooglePeopleSide({
      auth: this.oauth.authorizedClient(this.refreshToken),
      peopleApiUrl: this.standin.url,
      sleep: async () => {},
    });
    const report = await runSync(
      { crm: this.crm, google, state: this.state, clock: this.clock, newId: () => `l${++this.ids}` },
      { policy: 'newest-wins', allowLargeRemoval: true },
    );
    if (report.outcome !== 'ok' || report.counts.failed > 0)
      throw new Error(`bench sync ended ${report.outcome} with ${report.counts.failed} failures`);
    const byMethod = this.standin.stats().byMethod;
    return Object.entries(byMethod)
      .filter(([m]) => !m.startsWith('oauth.'))
      .reduce((sum, [, n]) => sum + n, 0);
  }
}

async function connect(standin: GoogleStandin): Promise<{ oauth: GoogleOAuth; refreshToken: string }> {
  const oauth = new GoogleOAuth({
    peopleApiUrl: standin.url,
    oauth: {
      authUrl: standin.endpoints.oauth2AuthBaseUrl,
      tokenUrl: standin.endpoints.oauth2TokenUrl,
      revokeUrl: standin.endpoints.oauth2RevokeUrl,
      clientId: CLIENT.clientId,
      clientSecret: CLIENT.clientSecret,
      redirectUrl: CLIENT.redirectUris[0]!,
    },
  });
  const pkce = await oauth.createPkce();
  const url = oauth.authorizationUrl({ state: 'bench', codeChallenge: pkce.challenge, loginHint: ACCOUNT });
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  const code = new URL(res.headers.get('location') ?? '').searchParams.get('code');
  if (!code) throw new Error('bench: consent gave no code');
  const { refreshToken } = await oauth.exchangeCode(code, pkce.verifier);
  return { oauth, refreshToken };
}

/** Full sync CRM → Google, then incremental runs with 1% changed in various ways. */
async function crmToGoogle(n: number): Promise<GoogleRequestRow[]> {
  const standin = await startGoogleStandin({ oauthClients: [CLIENT] });
  try {
    const { oauth, refreshToken } = await connect(standin);
    const w = new BenchWorld(standin, oauth, refreshToken);
    const ids = Array.from({ length: n }, (_, i) => w.crm.userCreate(person(i)));
    const k = Math.max(1, Math.round(n / 100));
    const rows: GoogleRequestRow[] = [];
    const row = async (scenario: string, minimum: number) =>
      rows.push({ scenario, contacts: n, requests: await w.sync(), minimum });

    await row('full sync, CRM → Google', 1 + 1 + pages(0, LIST_PAGE) + batches(n, BATCH));
    // Google reports our own writes in the next change feed; the adapter drops them, but the pages
    // holding them must still be read: the least is one page per 1,000 of our creates.
    await row('incremental, echoes of those creates', pages(n, LIST_PAGE));
    await row('incremental, nothing changed', 1);
    for (const id of ids.slice(0, k)) w.crm.userEdit(id, { jobTitle: 'Edited in the CRM' });
    await row('incremental, 1% edited in the CRM', 1 + batches(k, BATCH));
    const people = standin.user.listContacts(ACCOUNT);
    for (const p of people.slice(0, k))
      standin.user.updateContact(ACCOUNT, p.resourceName as string, {
        biographies: [{ value: 'Edited in Google' }],
      });
    await row('incremental, 1% edited in Google', pages(k, LIST_PAGE));
    for (const id of ids.slice(k, 2 * k)) w.crm.userSetGroup(id, false);
    await row('incremental, 1% left the CRM group', 1 + batches(k, MEMBERSHIP));
    return rows;
  } finally {
    await standin.close();
  }
}

/** Full sync Google → CRM: the group exists with N contacts, the CRM is empty. */
async function googleToCrm(n: number): Promise<GoogleRequestRow> {
  const standin = await startGoogleStandin({ oauthClients: [CLIENT] });
  try {
    const { oauth, refreshToken } = await connect(standin);
    const group = standin.user.createGroup(ACCOUNT, GROUP).resourceName as string;
    const memberships = [group, 'contactGroups/myContacts'].map((g) => ({
      contactGroupMembership: { contactGroupResourceName: g },
    }));
    for (let i = 0; i < n; i++) {
      const c = person(i);
      standin.user.createContact(ACCOUNT, {
        names: [{ givenName: c.givenName, familyName: c.familyName }],
        emailAddresses: [{ value: c.emails[0]!.address, type: 'work' }],
        memberships,
      });
    }
    const w = new BenchWorld(standin, oauth, refreshToken);
    return {
      scenario: 'full sync, Google → CRM',
      contacts: n,
      requests: await w.sync(),
      minimum: 1 + pages(n, LIST_PAGE),
    };
  } finally {
    await standin.close();
  }
}

export async function googleRequestRows(sizes: number[]): Promise<GoogleRequestRow[]> {
  const rows: GoogleRequestRow[] = [];
  for (const n of sizes) {
    if (!Number.isInteger(n) || n < 1 || n > 25_000) throw new RangeError(`size ${n}: 1 to 25,000 contacts`);
    rows.push(...(await crmToGoogle(n)), await googleToCrm(n));
  }
  return rows;
}
