// The bpm'online scenario end to end, through the official emulators and the stand-ins: a salesperson
// connects a Google account, the scheduler's tick starts the first sync, which creates the `bpm'online`
// group once; contacts put into either group arrive on the other side; a change made later on one side
// wins; a deletion on one side becomes an exclusion from the other side's group.
import assert from 'node:assert/strict';
import type { TenantSeed } from '../functions/harness.js';
import { call, connectUser, waitFor } from '../functions/harness.js';
import { skipUnlessPubsub } from '../support/emulators.js';
import type { Stack } from './stack.js';
import {
  ACCOUNT,
  crmByEmail,
  crmMembers,
  emailsOf,
  finishedRun,
  googleByEmail,
  googleGroups,
  groupsOf,
  startStack,
  syncNowAndWait,
  titleOf,
} from './stack.js';

const GROUP = "bpm'online";
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("e2e: the bpm'online scenario, from connect to two-way sync", function () {
  this.timeout(180_000);
  let s: Stack;
  let seed: TenantSeed;
  let folder: string;
  const userId = 'sales.rep@acme.example';

  before(async function () {
    await skipUnlessPubsub(this);
    s = await startStack('bpmonline');
    seed = await s.h.seedTenant('acme');
    folder = s.h.createFolder('Key accounts');
  });
  after(() => s?.close());

  it('connects the Google account through oauthStart, Google consent and oauthCallback', async () => {
    const ada = s.h.creatio.ui.createContact({
      Name: 'Ada Lovelace',
      Email: 'ada@example.com',
      MobilePhone: '+44 20 7946 0001',
      JobTitle: 'Analyst',
    });
    s.h.creatio.ui.addToFolder(folder, ada.Id as string);

    const steps = await connectUser(s.h, seed, userId, folder);
    assert.equal(new URL(steps.start.headers.get('location')!).origin, s.h.google.url, 'to Google consent');
    assert.ok(steps.callbackUrl.startsWith(s.h.urls.oauthCallback), 'and back to oauthCallback');
    assert.equal(steps.callback.status, 200, steps.callback.text);
    const status = await call(`${s.h.urls.syncStatus}?tenantId=acme&userId=${userId}`, {
      apiKey: seed.apiKey,
    });
    assert.deepEqual(
      (({ status: st, googleEmail, enabled, crmGroupId }) => ({ st, googleEmail, enabled, crmGroupId }))(
        status.json as Record<string, unknown>,
      ),
      { st: 'new', googleEmail: ACCOUNT, enabled: true, crmGroupId: folder },
    );
  });

  it("a tick publishes, syncUser runs, and the first sync creates the bpm'online group once", async () => {
    assert.equal(googleGroups(s, GROUP).length, 0);
    await s.tick('acme');
    const first = await waitFor(
      'the scheduled first run',
      async () =>
        (await s.h.app.connections.get('acme', userId))?.recentRuns.find((r) => r.trigger === 'schedule'),
      45_000,
    );
    const summary = await finishedRun(s, seed, userId, first.runId);
    assert.equal(summary.outcome, 'ok', JSON.stringify(summary));
    assert.equal(summary.counts['create.google'], 1);
    const groups = googleGroups(s, GROUP);
    assert.equal(groups.length, 1);
    const [ada] = googleByEmail(s, 'ada@example.com');
    assert.ok(ada, 'the CRM contact arrived in Google');
    assert.deepEqual(
      groupsOf(ada).filter((g) => g === groups[0]!.resourceName),
      [groups[0]!.resourceName],
    );

    await syncNowAndWait(s, seed, userId);
    assert.equal(googleGroups(s, GROUP).length, 1, 're-running never creates a second group');
    assert.equal(googleByEmail(s, 'ada@example.com').length, 1, 'nor a second contact');
  });

  it('Google contacts moved into the group arrive in the CRM static group', async () => {
    const group = googleGroups(s, GROUP)[0]!.resourceName as string;
    const grace = s.h.google.user.createContact(ACCOUNT, {
      names: [{ givenName: 'Grace', familyName: 'Hopper' }],
      emailAddresses: [{ value: 'grace@example.com' }],
      phoneNumbers: [{ value: '+1 555 0102', type: 'work' }],
    });
    s.h.google.user.addToGroup(ACCOUNT, group, grace.resourceName as string);
    const summary = await syncNowAndWait(s, seed, userId);
    assert.equal(summary.counts['create.crm'], 1, JSON.stringify(summary));
    const [row] = crmByEmail(s, 'grace@example.com');
    assert.ok(row, 'Grace is in the CRM');
    assert.equal(row.Name, 'Grace Hopper');
    assert.ok(crmMembers(s, folder).includes(String(row.Id).toLowerCase()), 'and in the static group');
  });

  it('CRM contacts added to the static group arrive in Google, in the group', async () => {
    const alan = s.h.creatio.ui.createContact({
      GivenName: 'Alan',
      Surname: 'Turing',
      Email: 'alan@example.com',
    });
    await syncNowAndWait(s, seed, userId);
    assert.equal(googleByEmail(s, 'alan@example.com').length, 0, 'not in the group: not synced');
    s.h.creatio.ui.addToFolder(folder, alan.Id as string);
    const summary = await syncNowAndWait(s, seed, userId);
    assert.equal(summary.counts['create.google'], 1, JSON.stringify(summary));
    const [p] = googleByEmail(s, 'alan@example.com');
    assert.ok(p);
    assert.ok(groupsOf(p).includes(googleGroups(s, GROUP)[0]!.resourceName as string));
  });

  it('a later change wins, field by field', async () => {
    const [ada] = googleByEmail(s, 'ada@example.com');
    const [adaCrm] = crmByEmail(s, 'ada@example.com');
    // The same field on both sides: the CRM's edit comes later and wins.
    s.h.google.user.updateContact(ACCOUNT, ada!.resourceName as string, {
      organizations: [{ title: 'Google title' }],
    });
    await pause(50);
    s.h.creatio.ui.updateContact(adaCrm!.Id as string, { JobTitle: 'CRM title' });
    await syncNowAndWait(s, seed, userId);
    assert.equal(titleOf(googleByEmail(s, 'ada@example.com')[0]!), 'CRM title');
    assert.equal(crmByEmail(s, 'ada@example.com')[0]!.JobTitle, 'CRM title');

    // Then Google edits the title again, later: now Google's value wins on both sides.
    await pause(50);
    s.h.google.user.updateContact(ACCOUNT, ada!.resourceName as string, {
      organizations: [{ title: 'Head of analysis' }],
    });
    await syncNowAndWait(s, seed, userId);
    assert.equal(crmByEmail(s, 'ada@example.com')[0]!.JobTitle, 'Head of analysis');
    assert.equal(titleOf(googleByEmail(s, 'ada@example.com')[0]!), 'Head of analysis');
  });

  it('a deletion becomes an exclusion from the other side, never a deletion', async () => {
    const [grace] = googleByEmail(s, 'grace@example.com');
    const graceCrm = String(crmByEmail(s, 'grace@example.com')[0]!.Id).toLowerCase();
    s.h.google.user.deleteContact(ACCOUNT, grace!.resourceName as string);
    const alanCrm = String(crmByEmail(s, 'alan@example.com')[0]!.Id);
    s.h.creatio.ui.deleteContact(alanCrm);
    await syncNowAndWait(s, seed, userId);

    assert.ok(s.h.creatio.ui.get('Contact', graceCrm), 'Grace is still in the CRM');
    assert.ok(!crmMembers(s, folder).includes(graceCrm), 'but no longer in the static group');
    const [alan] = googleByEmail(s, 'alan@example.com');
    assert.ok(alan, 'Alan is still in Google');
    assert.ok(
      !groupsOf(alan).includes(googleGroups(s, GROUP)[0]!.resourceName as string),
      'but out of the group',
    );
    assert.deepEqual(
      googleByEmail(s, 'ada@example.com').map(emailsOf),
      [['ada@example.com']],
      'Ada, untouched, stays',
    );
  });
});
