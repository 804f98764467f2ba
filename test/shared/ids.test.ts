import assert from 'node:assert/strict';
import { flat } from '../../shared/flat.js';
import { newId } from '../../shared/ids.js';

describe('ids and flat strings', () => {
  it('ids are random version-4 UUIDs, as Creatio expects for the rows we create', () => {
    const ids = Array.from({ length: 1000 }, newId);
    for (const id of ids)
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('a flattened string keeps its text, whatever the script', () => {
    for (const s of ['', 'plain', 'Müller 📞 +49', JSON.stringify({ n: 'Zoë \u2028 "q"', lone: '\ud800' })])
      assert.equal(flat(s), s);
  });
});
