// Sealing secrets at rest (Google refresh tokens, tenants' Creatio passwords): AES-256-GCM with a
// random 96-bit nonce; the authentication tag makes any tampering fail to open. The key comes from
// configuration (TOKEN_ENCRYPTION_KEYS, see keyring.ts), never from the data it protects.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SyncError } from './errors.js';

import type { KeyRing } from './keyring.js';
import { LEGACY_KEY_ID } from './keyring.js';

// v2 names the key that sealed it, so a retired key is reported by id; v1 (no id) predates rotation.
const VERSION = 'v2';
const LEGACY = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class Sealer {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly currentKeyId: string;

  /** A single key is the key ring of that key alone, with id "0". */
  constructor(keys: Buffer | KeyRing) {
    const ring: KeyRing = Buffer.isBuffer(keys)
      ? { current: LEGACY_KEY_ID, keys: [{ id: LEGACY_KEY_ID, key: keys }] }
      : keys;
    for (const k of ring.keys)
      if (k.key.length !== 32) throw new SyncError('config', 'the token encryption key must be 32 bytes');
    this.keys = new Map(ring.keys.map((k) => [k.id, k.key]));
    if (!this.keys.has(ring.current))
      throw new SyncError('config', 'the current token encryption key is missing');
    this.currentKeyId = ring.current;
  }

  static fromBase64(b64: string): Sealer {
    return new Sealer(Buffer.from(b64, 'base64'));
  }

  /** `context` binds the ciphertext to where it is stored, so it cannot be moved to another record. */
  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      VERSION,
      this.currentKeyId,
      iv.toString('base64url'),
      body.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    const [version] = parts;
    // v1 carries no key id: each key is tried, and the tag accepts only the one that sealed it.
    const [keyIds, rest] =
      version === VERSION && parts.length === 5
        ? [[parts[1]!], parts.slice(2)]
        : version === LEGACY && parts.length === 4
          ? [
              [this.currentKeyId, ...[...this.keys.keys()].filter((id) => id !== this.currentKeyId)],
              parts.slice(1),
            ]
          : [null, []];
    const [ivText, body, tagText] = rest;
    if (!keyIds || !ivText || body === undefined || !tagText)
      throw new SyncError('config', 'a sealed secret is malformed');
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    // A short tag would be accepted by GCM and make forgery far easier: only the full 16 bytes open.
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
      throw new SyncError('config', 'a sealed secret is malformed');
    for (const id of keyIds) {
      const key = this.keys.get(id);
      if (!key)
        throw new SyncError('config', `a sealed secret needs token key ${id}, which is not configured`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        // the next key, if any
      }
    }
    throw new SyncError('config', 'a sealed secret cannot be opened with the configured key');
  }

  /** Whether `sealed` was sealed with the current key (else `reseal` moves it there). */
  isCurrent(sealed: string): boolean {
    const parts = sealed.split('.');
    return parts[0] === VERSION && parts[1] === this.currentKeyId;
  }

  /** The same secret sealed with the current key; throws like `open` when it cannot be opened. */
  reseal(sealed: string, context: string): string {
    return this.seal(this.open(sealed, context), context);
  }
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');
