// Sealing secrets at rest (Google refresh tokens, tenants' Creatio passwords): AES-256-GCM with a
// random 96-bit nonce; the authentication tag makes any tampering fail to open. The key comes from
// configuration (TOKEN_ENCRYPTION_KEY or Secret Manager), never from the data it protects.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SyncError } from './errors.js';

const VERSION = 'v1';

export class Sealer {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new SyncError('config', 'the token encryption key must be 32 bytes');
    this.key = key;
  }

  static fromBase64(b64: string): Sealer {
    return new Sealer(Buffer.from(b64, 'base64'));
  }

  /** `context` binds the ciphertext to where it is stored, so it cannot be moved to another record. */
  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64url'),
      body.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  open(sealed: string, context: string): string {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== VERSION || !iv || !body || !tag)
      throw new SyncError('config', 'a sealed secret is malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SyncError('config', 'a sealed secret cannot be opened with the configured key');
    }
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
