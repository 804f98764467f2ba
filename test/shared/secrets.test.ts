// Sealed secrets at rest: the key that sealed a value is named in it; older values without a key id
// still open; only a full 16-byte tag and a 12-byte IV are accepted; re-sealing moves a value to the
// current key.
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { SyncError } from '../../shared/errors.js';
import { Sealer } from '../../shared/secrets.js';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };
const isConfig = (pattern: RegExp) => (e: unknown) =>
  e instanceof SyncError && e.kind === 'config' && pattern.test(e.message);

/** What the sealer wrote before key ids: v1.iv.body.tag. */
function sealV1(key: Buffer, plain: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv, body, cipher.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

describe('sealed secrets', () => {
  it('name the key that sealed them and open with any configured key', () => {
    const old = new Sealer({ current: 'k1', keys: [k1] });
    const both = new Sealer({ current: 'k2', keys: [k1, k2] });
    const sealed = old.seal('token', 'ctx');
    assert.match(sealed, /^v2\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    assert.equal(both.open(sealed, 'ctx'), 'token');
    assert.equal(both.isCurrent(sealed), false);
    const moved = both.reseal(sealed, 'ctx');
    assert.match(moved, /^v2\.k2\./);
    assert.equal(both.isCurrent(moved), true);
    assert.throws(() => old.open(moved, 'ctx'), isConfig(/needs token key k2, which is not configured/));
    assert.throws(() => both.open(sealed, 'other-ctx'), isConfig(/cannot be opened/));
  });

  it('open values sealed before key ids with whichever configured key sealed them', () => {
    const legacy = sealV1(k1.key, 'token', 'ctx');
    assert.equal(new Sealer({ current: 'k2', keys: [k2, k1] }).open(legacy, 'ctx'), 'token');
    assert.equal(new Sealer(k1.key).open(legacy, 'ctx'), 'token');
    assert.throws(
      () => new Sealer({ current: 'k2', keys: [k2] }).open(legacy, 'ctx'),
      isConfig(/cannot be opened/),
    );
  });

  it('refuse a truncated 4-byte tag or a short IV, which GCM without a fixed tag length accepts', () => {
    const sealer = new Sealer(k1.key);
    const [v, id, iv, body, tag] = sealer.seal('token', 'ctx').split('.');
    const short = Buffer.from(tag!, 'base64url').subarray(0, 4).toString('base64url');
    assert.throws(() => sealer.open([v, id, iv, body, short].join('.'), 'ctx'), isConfig(/malformed/));
    const shortIv = Buffer.from(iv!, 'base64url').subarray(0, 8).toString('base64url');
    assert.throws(() => sealer.open([v, id, shortIv, body, tag].join('.'), 'ctx'), isConfig(/malformed/));
    // The same 4-byte tag in the pre-key-id format is refused too.
    const legacy = sealV1(k1.key, 'token', 'ctx').split('.');
    legacy[3] = Buffer.from(legacy[3]!, 'base64url').subarray(0, 4).toString('base64url');
    assert.throws(() => sealer.open(legacy.join('.'), 'ctx'), isConfig(/malformed/));
  });
});
