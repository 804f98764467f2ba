// The request benchmark at a small size: every scenario costs exactly the least the API allows.
import assert from 'node:assert/strict';
import { googleRequestRows } from '../../../bench/googleRequests.js';

describe('Google request benchmark', function () {
  it('full and incremental syncs of 1,200 contacts make the minimum number of People API requests', async () => {
    const rows = await googleRequestRows([1200]);
    assert.equal(rows.length, 7);
    for (const r of rows) assert.equal(r.requests, r.minimum, `${r.scenario}: ${r.requests} > ${r.minimum}`);
    assert.deepEqual(
      rows.map((r) => r.minimum),
      [1 + 1 + 1 + 6, 2, 1, 1 + 1, 1, 1 + 1, 1 + 2],
    );
  });
});
