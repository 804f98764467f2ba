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
    // Login, one member page with the contacts' columns, one batch for their rows: the floor.
    assert.deepEqual([full.requests, full.apiCalls], [3, full.minimum]);
    // Login, one member page, the address change query, one batch for the 3 changed contacts.
    assert.deepEqual([incremental.requests, incremental.subRequests, incremental.apiCalls], [4, 3, 5]);
    // The API's floor (docs/benchmark.md): one member page, one address change query, the changed
    // contacts' two row sets (their columns: the Contact query the product adds).
    assert.equal(incremental.minimum, 4);
  });

  it('refuses sizes it cannot run within bounds', async () => {
    await assert.rejects(creatioRequestRows([25_001]), RangeError);
    await assert.rejects(creatioRequestRows([0]), RangeError);
  });
});
