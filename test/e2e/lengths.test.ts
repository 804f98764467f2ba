// Issue 11, field lengths: a value longer than the other side takes is fitted (docs/contact-model.md
// "Field lengths"), the rest of the batch syncs, and the fitted value read back is no edit: the next
// sync writes nothing on either side although the source keeps its long original.
import assert from 'node:assert/strict';
import type { TenantSeed } from '../functions/harness.js';
import { connectUser } from '../functions/harness.js';
import { skipUnlessPubsub } from '../support/emulators.js';
import type { Stack } from './stack.js';
import {
  ACCOUNT,
  crmByEmail,
  googleByEmail,
  googleGroups,
  quietRun as quietRunOf,
  startStack,
  syncNowAndWait,
} from './stack.js';

const GROUP = "bpm'online";
type Json = Record<string, unknown>;

describe('e2e: oversized values are fitted once and then stay quiet', function () {
  this.timeout(240_000);
  let s: Stack;
  let seed: TenantSeed;
  let folder: string;
  const userId = 'lengths.rep@acme.example';

  before(async function () {
    await skipUnlessPubsub(this);
    s = await startStack('lengths');
    seed = await s.h.seedTenant('acme');
    folder = s.h.createFolder('Length accounts');
    const first = s.h.creatio.ui.createContact({
      GivenName: 'First',
      Surname: 'Member',
      Email: 'first@example.com',
    });
    s.h.creatio.ui.addToFolder(folder, first.Id as string);
    await connectUser(s.h, seed, userId, folder);
    const run = await syncNowAndWait(s, seed, userId);
    assert.equal(run.outcome, 'ok', JSON.stringify(run));
  });
  after(() => s?.close());

  const quietRun = (after: string): Promise<void> => quietRunOf(s, seed, userId, after);

  const inGoogleGroup = (person: Json): void =>
    s.h.google.user.addToGroup(
      ACCOUNT,
      googleGroups(s, GROUP)[0]!.resourceName as string,
      person.resourceName as string,
    );

  it('Google values over Creatio column sizes reach Creatio cut, next to contacts that fit', async () => {
    // Within Google's reported 1,024 characters a value, over Creatio's GivenName (50) and JobTitle (250).
    const longGiven = `${'Ü'.repeat(48)}😀${'x'.repeat(900)}`;
    inGoogleGroup(
      s.h.google.user.createContact(ACCOUNT, {
        names: [{ givenName: longGiven, familyName: 'Oversized' }],
        emailAddresses: [{ value: 'oversized.google@example.com' }],
        organizations: [{ title: 't'.repeat(1000) }],
        addresses: [{ streetAddress: '1 Long Road', postalCode: '9'.repeat(100), type: 'work' }],
      }),
    );
    for (const n of [1, 2])
      inGoogleGroup(
        s.h.google.user.createContact(ACCOUNT, {
          names: [{ givenName: `Fits${n}`, familyName: 'Google' }],
          emailAddresses: [{ value: `fits${n}.google@example.com` }],
        }),
      );
    const summary = await syncNowAndWait(s, seed, userId);
    assert.equal(summary.outcome, 'ok', JSON.stringify(summary));
    assert.equal(summary.counts['create.crm'], 3, JSON.stringify(summary));
    const [row] = crmByEmail(s, 'oversized.google@example.com');
    // 48 Ü and the emoji (two UTF-16 units) make 50: the cut keeps the pair whole.
    assert.equal(row!.GivenName, `${'Ü'.repeat(48)}😀`);
    assert.equal(row!.Name, `${'Ü'.repeat(48)}😀 Oversized`);
    assert.equal(String(row!.JobTitle).length, 250);
    assert.equal(crmByEmail(s, 'fits2.google@example.com').length, 1);
    // Google keeps its original: fitting is for the side that cannot hold it.
    const [p] = googleByEmail(s, 'oversized.google@example.com');
    assert.equal((p!.names as Json[])[0]!.givenName, longGiven);
    await quietRun('a create in the CRM of a fitted Google contact');
  });

  it('CRM notes over Google’s reported 1,024 characters reach Google cut; the CRM keeps them', async () => {
    const notes = `${'Long notes. '.repeat(500)}end`;
    for (const [email, extra] of [
      ['oversized.crm@example.com', { Notes: notes }],
      ['fits.crm@example.com', {}],
    ] as const) {
      const row = s.h.creatio.ui.createContact({ GivenName: 'Crm', Surname: 'Side', Email: email, ...extra });
      s.h.creatio.ui.addToFolder(folder, row.Id as string);
    }
    const summary = await syncNowAndWait(s, seed, userId);
    assert.equal(summary.counts['create.google'], 2, JSON.stringify(summary));
    const [p] = googleByEmail(s, 'oversized.crm@example.com');
    const bio = String((p!.biographies as Json[])[0]!.value);
    assert.ok(bio.length <= 1024 && notes.startsWith(bio), `${bio.length}`);
    assert.equal(crmByEmail(s, 'oversized.crm@example.com')[0]!.Notes, notes);
    await quietRun('a create in Google of a fitted CRM contact');
  });

  it('an edit of another field of the oversized contact syncs, and the long value does not loop', async () => {
    const [p] = googleByEmail(s, 'oversized.google@example.com');
    s.h.google.user.updateContact(ACCOUNT, p!.resourceName as string, {
      emailAddresses: [{ value: 'oversized.google@example.com' }, { value: 'second@example.com' }],
    });
    const summary = await syncNowAndWait(s, seed, userId);
    assert.equal(summary.counts['update.crm'], 1, JSON.stringify(summary));
    await quietRun('an update of the CRM from the oversized contact');
  });
});
