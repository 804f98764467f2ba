// The CRM cursor keeps the contacts a run created, at their version, through storage and its limits.
import assert from 'node:assert/strict';
import { Seen, decodeCursor, encodeCursor } from '../../../../shared/adapters/creatio/cursor.js';

const A = '7c1d3f58-2d7a-4f5e-9d7e-0d3c2b1a0f01';
const B = '7c1d3f58-2d7a-4f5e-9d7e-0d3c2b1a0f02';

describe('Creatio cursor: contacts we created', () => {
  const W = Date.UTC(2024, 4, 23, 9);

  it('round-trips the created contacts with their latest version', () => {
    const created = new Seen();
    created.add('c', A, W + 1000);
    created.add('c', A, W + 5000);
    created.add('c', B, W + 2000);
    const s = encodeCursor({ watermark: W, fullAt: W, seen: new Seen(), created }, W - 60_000, {
      maxSeen: 10,
      maxCreated: 10,
    });
    const back = decodeCursor(s)!;
    assert.equal(back.created.latest('c', A), W + 5000);
    assert.equal(back.created.latest('c', B.toUpperCase()), W + 2000);
    assert.equal(back.created.latest('k', A), null, 'kinds do not mix');
  });

  it('drops versions before the overlap window and keeps only the newest past the limit', () => {
    const created = new Seen();
    created.add('c', A, W - 120_000);
    created.add('c', B, W + 1000);
    const s = encodeCursor({ watermark: W, fullAt: W, seen: new Seen(), created }, W - 60_000, {
      maxSeen: 10,
      maxCreated: 1,
    });
    const back = decodeCursor(s)!;
    assert.equal(back.created.latest('c', A), null);
    assert.equal(back.created.latest('c', B), W + 1000);
  });

  it('a cursor written before created contacts were kept still reads', () => {
    const old = JSON.stringify({ v: 2, wm: W, full: W, seen: [] });
    assert.equal(decodeCursor(old)!.created.size, 0);
  });
});
