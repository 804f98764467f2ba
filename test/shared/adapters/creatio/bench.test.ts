// The request benchmark runs and reports sane numbers (small sizes; the CLI runs the large ones).
import assert from 'node:assert/strict';
import { creatioRequestRows } from '../../../bench/creatioRequests.js';

describe('Creatio request benchmark', function () {
  this.timeout(60_000);

  it('counts a full read and an incremental run, each at or above the minimum', async () => {
    const rows = await creatioRequestRows([300]);
    assert.deepEqual(
      rows.map((r) => r.scenario),
      ['full read', 'incremental, 1% changed'],
    );
    for (const r of rows) {
      assert.equal(r.contacts, 300);
      assert.ok(r.apiCalls >= r.minimum, JSON.stringify(r));
      assert.ok(r.requests >= r.minimumRequests);
    }
    const [full, incremental] = rows as [(typeof rows)[0], (typeof rows)[0]];
    // Login, one member page, one batch for the contacts.
    assert.equal(full.requests, 3);
    // Login, one member page, one batch of change queries, one batch for the 3 changed contacts.
    assert.deepEqual([incremental.requests, incremental.subRequests, incremental.apiCalls], [4, 6, 7]);
    // The API's floor (docs/benchmark.md): one member page and one ModifiedOn query; the changed
    // contacts' columns come with that query.
    assert.equal(incremental.minimum, 2);
  });

  it('refuses sizes it cannot run within bounds', async () => {
    await assert.rejects(creatioRequestRows([25_001]), RangeError);
    await assert.rejects(creatioRequestRows([0]), RangeError);
  });
});
