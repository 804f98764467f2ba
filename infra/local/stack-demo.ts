// The demo tenant's data and the walk-through: connect the demo Google account through the real
// oauthStart → consent → oauthCallback hops, sync, and show what crossed over. Every check reads the
// stand-ins as their users would see them. All names are fictional, all addresses example.*.
import type { CreatioStandin } from '../standins/creatio/index.js';
import { seedDemo as seedCreatio } from '../standins/creatio/index.js';
import type { GoogleStandin } from '../standins/google/index.js';
import {
  DEMO_ACCOUNT,
  emailsOf,
  groupsOf,
  seedDemo as seedGoogle,
  titleOf,
} from '../standins/google/index.js';
import type { RunSummary } from '../../shared/ports.js';
import type { ServedFunctions } from './stack-functions.js';
import type { ApiTarget } from './stack-http.js';
import { call, errorCode, syncNowAndWait, withoutQuery } from './stack-http.js';
import { countsText } from './stack-report.js';

export interface DemoSeed {
  account: string;
  /** The Creatio static group to sync; null without the Creatio stand-in. */
  folderId: string | null;
  /** Emails present on both sides before the first sync. */
  overlapping: string[];
}

/**
 * Creatio: a static group `bpm'online` with three contacts; Google: five contacts, two of them also in
 * Creatio. Each side only when its stand-in runs.
 */
export function seedDemoData(google: GoogleStandin | null, creatio: CreatioStandin | null): DemoSeed {
  const crm = creatio ? seedCreatio(creatio.ui) : null;
  if (google) {
    seedGoogle(google.user, DEMO_ACCOUNT);
    google.user.createContact(DEMO_ACCOUNT, {
      names: [{ givenName: 'Alan', familyName: 'Turing' }],
      emailAddresses: [{ value: 'alan@example.com', type: 'work' }],
      organizations: [{ name: 'Example Corp', title: 'Researcher' }],
    });
  }
  return {
    account: DEMO_ACCOUNT,
    folderId: crm?.staticFolderId ?? null,
    overlapping: ['ada@example.com', 'alan@example.com'],
  };
}

type Json = Record<string, unknown>;

export interface WalkContext {
  fn: ServedFunctions;
  api: ApiTarget;
  google: GoogleStandin;
  creatio: CreatioStandin;
  seed: DemoSeed;
  groupName: string;
  say: (line: string) => void;
  runTimeoutMs: number;
}

export interface WalkResult {
  googleEmail: string;
  /** Groups named groupName in the Google account, before and after. */
  groupsBefore: number;
  groupsAfter: number;
  runs: RunSummary[];
  createdInGoogle: number;
  createdInCrm: number;
  /** Overlapping emails now held by exactly one Google contact, in the group. */
  linkedByEmail: string[];
  googleEditArrived: boolean;
  crmEditArrived: boolean;
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

export class DemoFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoFailed';
  }
}

/** POST oauthStart with the API key: the connect link a tenant's CRM would hand to its user. */
export async function connectLink(fn: ServedFunctions, api: ApiTarget, crmGroupId: string): Promise<string> {
  const link = await call(fn.url('oauthStart'), {
    method: 'POST',
    apiKey: api.apiKey,
    json: { tenantId: api.tenantId, userId: api.userId, crmGroupId },
  });
  if (link.status !== 200) throw new DemoFailed(`oauthStart refused the connect link: ${errorCode(link)}`);
  return (link.json as { url: string }).url;
}

async function connect(ctx: WalkContext): Promise<string> {
  const { say } = ctx;
  const link = await connectLink(ctx.fn, ctx.api, ctx.seed.folderId ?? '');
  say(`  1. oauthStart gave a connect link: ${withoutQuery(link)}?ticket=…`);
  const page = await call(link);
  if (page.status !== 200) throw new DemoFailed(`the connect link answered ${errorCode(page)}`);
  const start = await call(withoutQuery(link), {
    method: 'POST',
    form: { ticket: new URL(link).searchParams.get('ticket') ?? '' },
  });
  if (start.status !== 303 || !start.location || !start.cookie)
    throw new DemoFailed(`oauthStart answered ${errorCode(start)}`);
  say(
    `  2. it shows a button, whose click binds this browser and redirects to Google's consent page: ${withoutQuery(start.location)}`,
  );
  const consent = await call(start.location);
  if (consent.status !== 302 || !consent.location)
    throw new DemoFailed(`the consent page answered ${errorCode(consent)}`);
  say(
    `  3. the account consents and Google redirects back: ${withoutQuery(consent.location)}?code=…&state=…`,
  );
  const back = await call(consent.location, { cookie: start.cookie });
  if (back.status !== 200) throw new DemoFailed(`oauthCallback answered ${errorCode(back)}`);
  const status = await call(
    `${ctx.api.syncStatusUrl}?${new URLSearchParams({ tenantId: ctx.api.tenantId, userId: ctx.api.userId })}`,
    { apiKey: ctx.api.apiKey },
  );
  if (status.status !== 200)
    throw new DemoFailed(`syncStatus answered ${errorCode(status)} after connecting`);
  const email = (status.json as { googleEmail?: string }).googleEmail ?? '';
  say(`  4. oauthCallback stored the connection: ${ctx.api.tenantId}/${ctx.api.userId} ⇄ ${email}`);
  return email;
}

export async function walkDemo(ctx: WalkContext): Promise<WalkResult> {
  const { google, creatio, seed, say } = ctx;
  const account = seed.account;
  const groups = () => google.user.listGroups(account).filter((g) => g.name === ctx.groupName);
  const byEmail = (email: string) =>
    google.user.listContacts(account).filter((p) => emailsOf(p).includes(email));
  const crmByEmail = (email: string) => creatio.ui.rows('Contact', `$filter=Email eq '${email}'`);
  const sync = async (label: string): Promise<RunSummary> => {
    const s = await syncNowAndWait(ctx.api, ctx.runTimeoutMs);
    say(
      `  ${label}: run ${s.runId.slice(0, 8)} ${s.outcome} in ${((s.endedAt - s.startedAt) / 1000).toFixed(1)} s`,
    );
    say(`     ${countsText(s.counts)}`);
    return s;
  };

  say('Demo: connect the Google account');
  const googleEmail = await connect(ctx);

  say('Demo: the first sync ("Sync now")');
  const groupsBefore = groups().length;
  const first = await sync('syncNow → syncUser');
  const groupsAfter = groups().length;
  const group = groups()[0]?.resourceName as string | undefined;
  say(
    groupsBefore === 0 && groupsAfter === 1
      ? `     Google group "${ctx.groupName}" created`
      : `     Google groups named "${ctx.groupName}": ${groupsBefore} before, ${groupsAfter} after`,
  );
  const linkedByEmail = seed.overlapping.filter((email) => {
    const found = byEmail(email);
    return found.length === 1 && group !== undefined && groupsOf(found[0]!).includes(group);
  });
  say(
    `     linked by email to contacts already in Google (no duplicates): ${linkedByEmail.join(', ') || 'none'}`,
  );

  say(`Demo: in Google, the user puts two contacts into "${ctx.groupName}"`);
  const moved = ['bo@example.org', 'cy@example.net'].map((e) => byEmail(e)[0]).filter((p): p is Json => !!p);
  if (group && moved.length > 0)
    google.user.addToGroup(
      account,
      group,
      moved.map((p) => String(p.resourceName)),
    );
  const second = await sync('syncNow');
  const arrived = ['bo@example.org', 'cy@example.net'].filter((e) => crmByEmail(e).length === 1);
  say(`     now in Creatio and its static group: ${arrived.join(', ') || 'none'}`);

  say('Demo: one edit on each side');
  const googleTitle = 'Head of Research';
  const crmTitle = 'Chief Engineer';
  const ada = byEmail('ada@example.com')[0];
  if (ada) {
    const orgs = ((ada.organizations as Json[] | undefined) ?? [{}]).map((o, i) =>
      i === 0 ? { ...o, title: googleTitle } : o,
    );
    google.user.updateContact(account, String(ada.resourceName), { organizations: orgs });
    say(`     Google: ada@example.com's job title → "${googleTitle}"`);
  }
  const alan = crmByEmail('alan@example.com')[0];
  if (alan) {
    creatio.ui.updateContact(String(alan.Id), { JobTitle: crmTitle });
    say(`     Creatio: alan@example.com's job title → "${crmTitle}"`);
  }
  const third = await sync('syncNow');
  const googleEditArrived = crmByEmail('ada@example.com')[0]?.JobTitle === googleTitle;
  const crmEditArrived = titleOf(byEmail('alan@example.com')[0] ?? {}) === crmTitle;
  say(`     Google's edit in Creatio: ${googleEditArrived ? 'arrived' : 'MISSING'}`);
  say(`     Creatio's edit in Google: ${crmEditArrived ? 'arrived' : 'MISSING'}`);

  const runs = [first, second, third];
  const total = (k: string) => runs.reduce((sum, r) => sum + (r.counts[k] ?? 0), 0);
  const result: WalkResult = {
    googleEmail,
    groupsBefore,
    groupsAfter,
    runs,
    createdInGoogle: total('create.google'),
    createdInCrm: total('create.crm'),
    linkedByEmail,
    googleEditArrived,
    crmEditArrived,
  };
  const problems = [
    groupsAfter !== 1 ? `expected one "${ctx.groupName}" group, found ${groupsAfter}` : null,
    result.createdInGoogle === 0 ? 'nothing was created in Google' : null,
    result.createdInCrm === 0 ? 'nothing was created in Creatio' : null,
    linkedByEmail.length !== seed.overlapping.length
      ? 'not every overlapping contact was linked by email'
      : null,
    googleEditArrived ? null : "Google's edit did not reach Creatio",
    crmEditArrived ? null : "Creatio's edit did not reach Google",
  ].filter((p): p is string => p !== null);
  if (problems.length > 0)
    throw new DemoFailed(`the demo did not come out as expected: ${problems.join('; ')}`);
  say(
    `Demo complete: ${plural(result.createdInGoogle, 'contact')} created in Google, ${result.createdInCrm} in Creatio, ` +
      `${linkedByEmail.length} linked by email, both edits arrived.`,
  );
  return result;
}
