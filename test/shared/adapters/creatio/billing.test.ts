// What the Creatio side says it was billed (billedCalls) against what the stand-in billed (reference §8:
// every OData call outside $batch and every sub-request): equal through reads, writes, a renewed
// session and retried outages; logins are not OData calls. And the 24-hour full read as deferrable
// work: when it is due, what the last one cost, and a due one put off.
import assert from 'node:assert/strict';
import { contact, useEnv } from './helpers.js';

const DAY_MS = 24 * 3600_000;

describe('Creatio side: billed calls', function () {
  this.timeout(60_000);
  const env = useEnv();

  const seed = (n: number) => {
    const { e } = env;
    for (let i = 0; i < n; i++) {
      const c = e.s.ui.createContact({ GivenName: `G${i}`, Surname: 'Billed', Email: `g${i}@example.com` });
      e.s.ui.addToFolder(e.folderId, c.Id as string);
    }
  };

  it('counts what the stand-in bills through a full read, creates, updates and memberships', async () => {
    const { e } = env;
    seed(5);
    e.s.resetStats();
    const side = e.side();
    const read = await side.readChanges(null, { full: false });
    assert.equal(side.billedCalls(), e.s.stats().apiCalls);
    const made = await side.create([
      {
        key: 'a',
        id: null,
        contact: contact({ givenName: 'New', emails: [{ address: 'new@example.com', type: 'work' }] }),
        marker: null,
      },
      {
        key: 'b',
        id: null,
        contact: contact({ givenName: 'Two', phones: [{ number: '+1 555 0100', type: 'mobile' }] }),
        marker: null,
      },
    ]);
    const a = made.get('a')!;
    assert.ok(a.ok);
    await side.update([
      {
        id: a.value.id,
        version: a.value.version,
        extra: a.value.extra ?? null,
        fields: ['jobTitle'],
        held: contact({}),
        contact: contact({
          givenName: 'New',
          emails: [{ address: 'new@example.com', type: 'work' }],
          jobTitle: 'Buyer',
        }),
      },
    ]);
    await side.removeFromGroup([read.records[0]!.id]);
    await side.addToGroup([read.records[0]!.id]);
    const st = e.s.stats();
    assert.ok(st.batch.subRequests > 0 && st.batch.requests < st.batch.subRequests, JSON.stringify(st.batch));
    assert.equal(side.billedCalls(), st.apiCalls);
    assert.equal(st.login, 1, 'the login happened and is not an OData call');
  });

  it('does not count a call refused for an expired session, nor the login that renews it', async () => {
    const { e } = env;
    seed(2);
    const side = e.side();
    const first = await side.readChanges(null, { full: false });
    e.s.resetStats();
    const before = side.billedCalls();
    e.clock.advance(61 * 60_000); // past UserSessionTimeout
    // An incremental read always asks the server (records already read in a run are not fetched again).
    await side.readChanges(first.cursor, { full: false });
    assert.equal(side.stats().renewals, 1);
    assert.ok(e.s.stats().unauthorized >= 1);
    assert.equal(side.billedCalls() - before, e.s.stats().apiCalls);
  });

  it('does not count tries answered with an outage, which Creatio never ran', async () => {
    const { e } = env;
    seed(2);
    e.s.faults.add({ match: { method: 'GET', path: '/0/odata/ContactInFolder' }, status: 503, times: 2 });
    e.s.faults.add({ match: { method: 'POST', path: '/0/odata/$batch' }, status: 502, times: 1 });
    e.s.resetStats();
    const side = e.side();
    await side.readChanges(null, { full: false });
    assert.equal(e.s.stats().faultsInjected, 3);
    assert.equal(side.billedCalls(), e.s.stats().apiCalls);
  });

  describe('the 24-hour full read as deferrable work', () => {
    it('is not due on a first read nor before 24 hours; then costs what the last one did', async () => {
      const { e } = env;
      seed(3);
      const side = e.side();
      assert.equal(side.periodicFullRead(null, e.clock.now()), null, 'a first read is not deferrable');
      const full = await side.readChanges(null, { full: false });
      const cost = side.billedCalls();
      assert.ok(cost > 0);
      assert.equal(side.periodicFullRead(full.cursor, e.clock.now() + DAY_MS - 1), null);
      assert.deepEqual(side.periodicFullRead(full.cursor, e.clock.now() + DAY_MS), { expectedCalls: cost });
      // An incremental run carries the figure on.
      e.clock.advance(60_000);
      const next = await e.side().readChanges(full.cursor, { full: false });
      assert.equal(next.complete, false);
      assert.deepEqual(side.periodicFullRead(next.cursor, e.clock.now() + DAY_MS), { expectedCalls: cost });
    });

    it('a due full read told to wait reads only what changed, and stays due', async () => {
      const { e } = env;
      seed(3);
      const full = await e.side().readChanges(null, { full: false });
      e.clock.advance(DAY_MS + 60_000);
      const side = e.side();
      assert.ok(side.periodicFullRead(full.cursor, e.clock.now()));
      const waited = await side.readChanges(full.cursor, { full: false, deferFullRead: true });
      assert.equal(waited.complete, false);
      assert.ok(side.periodicFullRead(waited.cursor, e.clock.now()), 'still due on the next run');
      const ran = await e.side().readChanges(waited.cursor, { full: false });
      assert.equal(ran.complete, true, 'without the budget holding it, the full read runs');
    });
  });
});
