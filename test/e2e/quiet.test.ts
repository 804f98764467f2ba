// Faults users met end to end (issue 10), through the functions, the Pub/Sub and Firestore emulators
// and the stand-ins: an empty CRM value must stay empty on Google; a sync with nothing to do writes
// nothing on either side, whatever kind of run came before (values a side derives or normalises are
// not edits); emptying the Google group is refused like emptying the CRM group; a "Sync now" whose
// message comes while another run holds the lease still runs.
import assert from 'node:assert/strict';
import type { TenantSeed } from '../functions/harness.js';
import { call, connectUser, waitFor } from '../functions/harness.js';
import type { SyncRequest } from '../../shared/ports.js';
import { skipUnlessPubsub } from '../support/emulators.js';
import type { Stack } from './stack.js';
import {
  ACCOUNT,
  crmByEmail,
  crmMembers,
  finishedRun,
  googleByEmail,
  googleGroups,
  startStack,
  syncNowAndWait,
  quietRun as quietRunOf,
  writesSinceReset,
} from './stack.js';

const GROUP = "bpm'online";
const EMPTY_DATE = '0001-01-01T00:00:00Z';
const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

type Json = Record<string, unknown>;

describe('e2e: a sync with nothing to do writes nothing, and the faults around it', function () {
  this.timeout(240_000);
  let s: Stack;
  let seed: TenantSeed;
  let folder: string;
  const userId = 'quiet.rep@acme.example';

  before(async function () {
    await skipUnlessPubsub(this);
    s = await startStack('quiet');
    seed = await s.h.seedTenant('acme');
    folder = s.h.createFolder('Quiet accounts');
    // Only a name and an email: every other column is empty, as Creatio shows empty.
    const bare = s.h.creatio.ui.createContact({
      GivenName: 'Bare',
      Surname: 'Minimum',
      Email: 'bare@example.com',
    });
    s.h.creatio.ui.addToFolder(folder, bare.Id as string);
    await connectUser(s.h, seed, userId, folder);
    const first = await syncNowAndWait(s, seed, userId);
    assert.equal(first.outcome, 'ok', JSON.stringify(first));
  });
  after(() => s?.close());

  const group = (): string => googleGroups(s, GROUP)[0]!.resourceName as string;

  const quietRun = (after: string): Promise<void> => quietRunOf(s, seed, userId, after);

  function inGoogleGroup(person: Json): void {
    s.h.google.user.addToGroup(ACCOUNT, group(), person.resourceName as string);
  }

  describe('empty CRM values', () => {
    it('Creatio shows an empty date as 0001-01-01 and an empty lookup as the zero GUID', () => {
      const [row] = crmByEmail(s, 'bare@example.com');
      assert.equal(row!.BirthDate, EMPTY_DATE);
      assert.equal(row!.AccountId, EMPTY_GUID);
      assert.equal(row!.MobilePhone, '');
      assert.equal(row!.DoNotUseEmail, false);
    });

    it('an empty CRM birth date gives no Google birthday, and the next sync writes nothing', async () => {
      const [p] = googleByEmail(s, 'bare@example.com');
      assert.ok(p, 'the CRM contact arrived in Google');
      assert.equal(p.birthdays, undefined, JSON.stringify(p.birthdays));
      assert.equal(p.organizations, undefined, JSON.stringify(p.organizations));
      await quietRun('a create in Google');
    });

    it('a Google contact without a birthday arrives in the CRM with the empty date', async () => {
      const p = s.h.google.user.createContact(ACCOUNT, {
        names: [{ givenName: 'Plain', familyName: 'Google' }],
        emailAddresses: [{ value: 'plain@example.com' }],
      });
      inGoogleGroup(p);
      const summary = await syncNowAndWait(s, seed, userId);
      assert.equal(summary.counts['create.crm'], 1, JSON.stringify(summary));
      const [row] = crmByEmail(s, 'plain@example.com');
      assert.equal(row!.BirthDate, EMPTY_DATE);
      assert.equal(googleByEmail(s, 'plain@example.com')[0]!.birthdays, undefined);
      await quietRun('a create in the CRM');
    });
  });

  describe('values a side derives or normalises are no edits', () => {
    it('a Google contact with every field, created in the CRM', async () => {
      const p = s.h.google.user.createContact(ACCOUNT, {
        names: [{ givenName: 'Full', middleName: 'Q', familyName: 'Google' }],
        emailAddresses: [
          { value: 'Full.Google@Example.com', type: 'work' },
          { value: 'full.home@example.com', type: 'home' },
        ],
        phoneNumbers: [
          { value: '+1 (555) 010-2000', type: 'mobile' },
          { value: '020 7946 0000', type: 'work' },
          { value: '+44 20 7946 0999', type: 'home' },
        ],
        organizations: [{ name: 'Acme Ltd', title: 'Buyer', department: 'Purchasing' }],
        addresses: [
          {
            type: 'work',
            streetAddress: '1 Main Street',
            city: 'Springfield',
            region: 'IL',
            postalCode: '62701',
            country: 'United States',
          },
        ],
        birthdays: [{ date: { year: 1980, month: 2, day: 29 } }],
        biographies: [{ value: 'Met at the fair', contentType: 'TEXT_PLAIN' }],
      });
      inGoogleGroup(p);
      const summary = await syncNowAndWait(s, seed, userId);
      assert.equal(summary.counts['create.crm'], 1, JSON.stringify(summary));
      const [row] = crmByEmail(s, 'full.google@example.com');
      assert.equal(row!.Name, 'Full Q Google');
      assert.match(String(row!.BirthDate), /^1980-02-29/);
      await quietRun('a create in the CRM of a full Google contact');
    });

    it('a CRM contact with every field, created in Google', async () => {
      const row = s.h.creatio.ui.createContact({
        GivenName: 'Full',
        MiddleName: 'R',
        Surname: 'Crm',
        Email: 'full.crm@example.com',
        MobilePhone: '+1 555 010 3000',
        Phone: '(020) 7946-0001',
        HomePhone: '020 7946 0002',
        JobTitle: 'Engineer',
        BirthDate: '1975-06-01T00:00:00Z',
        Notes: 'Prefers mornings',
      });
      s.h.creatio.ui.addToFolder(folder, row.Id as string);
      const summary = await syncNowAndWait(s, seed, userId);
      assert.equal(summary.counts['create.google'], 1, JSON.stringify(summary));
      const [p] = googleByEmail(s, 'full.crm@example.com');
      assert.deepEqual(p!.birthdays && (p!.birthdays as Json[]).map((b) => b.date), [
        { year: 1975, month: 6, day: 1 },
      ]);
      await quietRun('a create in Google of a full CRM contact');
    });

    it('Google edits (name, phone) written to the CRM', async () => {
      const [p] = googleByEmail(s, 'full.google@example.com');
      s.h.google.user.updateContact(ACCOUNT, p!.resourceName as string, {
        names: [{ givenName: 'Fuller', middleName: 'Q', familyName: 'Google' }],
        phoneNumbers: [
          { value: '+1 555-010-2001', type: 'mobile' },
          { value: '020 7946 0000', type: 'work' },
        ],
      });
      const summary = await syncNowAndWait(s, seed, userId);
      assert.equal(summary.counts['update.crm'], 1, JSON.stringify(summary));
      assert.equal(crmByEmail(s, 'full.google@example.com')[0]!.Name, 'Fuller Q Google');
      await quietRun('an update of the CRM');
    });

    it('CRM edits (flat phone, name, birth date) written to Google', async () => {
      const [row] = crmByEmail(s, 'full.crm@example.com');
      s.h.creatio.ui.updateContact(row!.Id as string, {
        GivenName: 'Fuller',
        MobilePhone: '+1 555 010 3001',
        BirthDate: '1975-06-02T00:00:00Z',
      });
      const summary = await syncNowAndWait(s, seed, userId);
      assert.equal(summary.counts['update.google'], 1, JSON.stringify(summary));
      await quietRun('an update of Google');
    });

    it('a birth date emptied in the CRM', async () => {
      const [row] = crmByEmail(s, 'full.crm@example.com');
      s.h.creatio.ui.updateContact(row!.Id as string, { BirthDate: null });
      await syncNowAndWait(s, seed, userId);
      assert.equal(googleByEmail(s, 'full.crm@example.com')[0]!.birthdays, undefined);
      await quietRun('a birthday removed from Google');
    });

    it('a birthday removed in Google', async () => {
      const [p] = googleByEmail(s, 'full.google@example.com');
      s.h.google.user.updateContact(ACCOUNT, p!.resourceName as string, { birthdays: [] });
      await syncNowAndWait(s, seed, userId);
      assert.equal(crmByEmail(s, 'full.google@example.com')[0]!.BirthDate, EMPTY_DATE);
      await quietRun('a birth date emptied in the CRM');
    });

    it('shapes a side reshapes: no year, one-line address, a name only, flat columns, repeated numbers', async () => {
      for (const person of [
        {
          names: [{ givenName: 'Noyear', familyName: 'Google' }],
          emailAddresses: [{ value: 'noyear@example.com' }],
          birthdays: [{ date: { month: 2, day: 29 } }],
          addresses: [{ formattedValue: '10 Downing St\nLondon SW1A 2AA', type: 'home' }],
          biographies: [{ value: 'Line one\nLine two', contentType: 'TEXT_PLAIN' }],
        },
        {
          names: [{ unstructuredName: 'Unstructured Name Person' }],
          emailAddresses: [{ value: 'unstructured@example.com' }],
          phoneNumbers: [
            { value: '+1 555 010 4000', type: 'mobile' },
            { value: '+15550104000', type: 'work' },
          ],
        },
        { emailAddresses: [{ value: 'nameless@example.com' }], organizations: [{ name: 'Nameless Co' }] },
      ])
        inGoogleGroup(s.h.google.user.createContact(ACCOUNT, person));
      for (const row of [
        { Name: 'Named Only Person', Email: 'named.only@example.com' },
        {
          GivenName: 'Flat',
          Surname: 'Address',
          Email: 'flat.address@example.com',
          Address: '5 Elm Row',
          Zip: 'EH7 4AA',
          Phone: '+44 131 496 0000',
          HomePhone: '+44 131 496 0000',
        },
      ])
        s.h.creatio.ui.addToFolder(folder, s.h.creatio.ui.createContact(row).Id as string);
      const summary = await syncNowAndWait(s, seed, userId);
      assert.equal(summary.counts['create.crm'], 3, JSON.stringify(summary));
      assert.equal(summary.counts['create.google'], 2, JSON.stringify(summary));
      await quietRun('creates of reshaped contacts');
    });

    it('a contact taken out of the CRM group', async () => {
      const [row] = crmByEmail(s, 'plain@example.com');
      s.h.creatio.ui.removeFromFolder(folder, row!.Id as string);
      const summary = await syncNowAndWait(s, seed, userId);
      assert.equal(summary.counts['removeFromGroup.google'], 1, JSON.stringify(summary));
      await quietRun('a removal from the Google group');
    });
  });

  describe('"Sync now" and the lease', () => {
    const request = (runId: string, requestedAt: number): SyncRequest => ({
      tenantId: 'acme',
      userId,
      trigger: 'manual',
      runId,
      requestedAt,
    });

    it('a queued run whose message comes while another run holds the lease still runs', async () => {
      s.h.clock.advance(16 * 60_000);
      // "Sync now" queued the run; its message is delivered only after the scheduled run has started.
      const at = s.h.clock.now();
      const queued = await s.h.app.connections.queueManualRun('acme', userId, 'queued-late', at);
      assert.deepEqual(queued, { runId: 'queued-late', queued: true });
      s.h.google.faults.add({ match: { method: 'connections.list' }, delayMs: 2_500, times: 1 });
      await s.tick('acme');
      await waitFor('the scheduled run to hold the lease', async () => {
        const c = await s.h.app.connections.get('acme', userId);
        return c?.lease && c.lease.trigger === 'schedule' ? c.lease : null;
      });
      await s.syncTopic.publishMessage({ json: request('queued-late', at) });
      const summary = await finishedRun(s, seed, userId, 'queued-late', 30_000);
      assert.equal(summary.trigger, 'manual');
      assert.ok(
        s.deliveries('queued-late').some((d) => d.reason === 'busy'),
        JSON.stringify(s.deliveries('queued-late')),
      );
      assert.equal((await s.h.app.connections.get('acme', userId))?.queuedRun, null);
      const next = await call(s.h.urls.syncNow, {
        method: 'POST',
        apiKey: seed.apiKey,
        json: { tenantId: 'acme', userId },
      });
      assert.equal(next.status, 202, next.text);
      const nextRun = next.json as { runId: string; queued: boolean };
      assert.notEqual(nextRun.runId, 'queued-late');
      assert.equal(nextRun.queued, true);
      await finishedRun(s, seed, userId, nextRun.runId);
      await quietRun('a queued run handed over');
    });
  });

  describe('emptying a group', () => {
    it('taking every contact out of the Google group is refused until a person confirms', async () => {
      // Four more in the group, synced: well under the guard's removal floor, as in the users' report.
      for (let i = 1; i <= 4; i++)
        inGoogleGroup(
          s.h.google.user.createContact(ACCOUNT, {
            names: [{ givenName: 'Member', familyName: `No ${i}` }],
            emailAddresses: [{ value: `member${i}@example.com` }],
          }),
        );
      const joined = await syncNowAndWait(s, seed, userId);
      assert.equal(joined.counts['create.crm'], 4, JSON.stringify(joined));
      const members = googleContacts().filter((p) =>
        ((p.memberships as Json[] | undefined) ?? []).some(
          (m) => (m.contactGroupMembership as Json | undefined)?.contactGroupResourceName === group(),
        ),
      );
      assert.ok(members.length >= 3, `members: ${members.length}`);
      const crmBefore = crmMembers(s, folder).sort();
      s.h.google.user.removeFromGroup(
        ACCOUNT,
        group(),
        members.map((p) => p.resourceName as string),
      );
      s.h.creatio.resetStats();
      const refused = await syncNowAndWait(s, seed, userId);
      assert.equal(refused.outcome, 'refused', JSON.stringify(refused));
      assert.deepEqual(crmMembers(s, folder).sort(), crmBefore, 'the CRM group is untouched');
      assert.deepEqual(
        writesSinceReset(s).filter((w) => w.startsWith('creatio')),
        [],
      );
      const c = await s.h.app.connections.get('acme', userId);
      assert.equal(c?.status, 'paused');

      const confirmed = await call(s.h.urls.syncNow, {
        method: 'POST',
        apiKey: seed.apiKey,
        json: { tenantId: 'acme', userId, confirmRemovals: true },
      });
      assert.equal(confirmed.status, 202, confirmed.text);
      const done = await finishedRun(s, seed, userId, (confirmed.json as { runId: string }).runId);
      assert.equal(done.outcome, 'ok', JSON.stringify(done));
      assert.deepEqual(crmMembers(s, folder), [], 'the person confirmed: the CRM group follows');
      await quietRun('a confirmed emptying');
    });
  });

  function googleContacts(): Json[] {
    return s.h.google.user.listContacts(ACCOUNT);
  }
});
