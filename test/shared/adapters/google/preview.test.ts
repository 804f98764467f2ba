// A preview against the Google stand-in: a connection whose account has no sync group yet previews as
// "would create the group" and pairs the contacts the first run then pairs, and writes nothing to
// Google at all (no group, no contact, no membership).
import assert from 'node:assert/strict';
import { readOnlySide } from '../../../../shared/preview/readOnly.js';
import { runSync } from '../../../../shared/runSync.js';
import { FakeSide } from '../../../fakes/fakeSide.js';
import { FakeState } from '../../../fakes/fakeState.js';
import { ALICE, GROUP, contact, groupsNamed, harness, personJson, type Harness } from './helpers.js';

const WRITE_METHODS = /create|update|modify|delete|batch(Create|Update)/i;

describe('preview on the Google stand-in', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  it('of a new connection: the group would be created, five pairs linked, nothing written', async () => {
    const token = await h.connect();
    const clock = { now: () => Date.UTC(2026, 0, 1) };
    const crm = new FakeSide('crm', clock);
    for (let i = 0; i < 5; i++) {
      crm.userCreate(contact(`Pat${i}`, 'Shared'));
      h.standin.user.createContact(ALICE, personJson(`Pat${i}`, 'Shared'));
    }
    const before = { ...h.standin.stats().byMethod };
    const google = h.side(token, { readOnly: true }).side;
    let ids = 0;
    const report = await runSync(
      { crm: readOnlySide(crm), google, state: new FakeState(), clock, newId: () => `l${++ids}` },
      { policy: 'newest-wins', dryRun: true },
    );
    assert.equal(google.groupMissing(), true);
    assert.equal(groupsNamed(h.standin, GROUP).length, 0, 'no group was created');
    assert.equal(report.counts.linked, 5);
    assert.equal(report.counts.addToGroup.google, 5);
    const after = { ...h.standin.stats().byMethod };
    const writes = Object.keys(after).filter(
      (m) => WRITE_METHODS.test(m) && (after[m] ?? 0) !== (before[m] ?? 0),
    );
    assert.deepEqual(writes, []);

    // The real first run then does what the preview said.
    const real = await runSync(
      { crm, google: h.side(token).side, state: new FakeState(), clock, newId: () => `r${++ids}` },
      { policy: 'newest-wins' },
    );
    assert.equal(real.counts.linked, 5);
    assert.equal(real.counts.addToGroup.google, 5);
    assert.equal(groupsNamed(h.standin, GROUP).length, 1);
    // The write check above can see writes: the real run's are counted under those method names.
    const wrote = h.standin.stats().byMethod;
    assert.ok(Object.keys(wrote).some((m) => WRITE_METHODS.test(m) && (wrote[m] ?? 0) > (after[m] ?? 0)));
  });
});
