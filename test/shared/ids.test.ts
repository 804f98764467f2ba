import assert from 'node:assert/strict';
import { newId } from '../../shared/ids.js';

describe('ids', () => {
  it('are random version-4 UUIDs, as Creatio expects for the rows we create', () => {
    const ids = Array.from({ length: 1000 }, newId);
    for (const id of ids)
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set(ids).size, ids.length);
  });
});
