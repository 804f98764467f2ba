// The keys that seal tenants' Creatio secrets: TOKEN_ENCRYPTION_KEYS (or the older single
// TOKEN_ENCRYPTION_KEY) itself, or the Secret Manager version named by TOKEN_ENCRYPTION_SECRET, which
// the functions get mounted as TOKEN_ENCRYPTION_KEYS. TOKEN_ENCRYPTION_KEY_ID names the current key in
// either case. They must be the functions' keys, or the functions cannot open what is stored here.
import type { SecretManagerOptions } from '../../shared/adapters/secretmanager/keyRing.js';
import { readSecretVersion } from '../../shared/adapters/secretmanager/keyRing.js';
import type { KeyRing } from '../../shared/keyring.js';
import { parseKeyRing } from '../../shared/keyring.js';
import { Sealer } from '../../shared/secrets.js';
import { UsageError } from './validate.js';

export type KeySource =
  { kind: 'ring'; ring: KeyRing } | { kind: 'secret'; version: string; currentId: string | undefined };

const SECRET_VERSION = /^projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/]+$/;

/** Checked before anything is written; reading the secret comes later (loadSealer). */
export function keySource(env: Record<string, string | undefined>): KeySource {
  const single = env.TOKEN_ENCRYPTION_KEY?.trim() || undefined;
  const ring = env.TOKEN_ENCRYPTION_KEYS?.trim() || undefined;
  const version = env.TOKEN_ENCRYPTION_SECRET?.trim() || undefined;
  const currentId = env.TOKEN_ENCRYPTION_KEY_ID?.trim() || undefined;
  if ([single, ring, version].filter((v) => v !== undefined).length > 1)
    throw new UsageError(
      'set one of TOKEN_ENCRYPTION_KEYS, TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_SECRET, not several',
    );
  if (version) {
    if (!SECRET_VERSION.test(version))
      throw new UsageError(
        'TOKEN_ENCRYPTION_SECRET must name a secret version: projects/P/secrets/contact-sync-token-key/versions/1',
      );
    return { kind: 'secret', version, currentId };
  }
  if (!single && !ring)
    throw new UsageError(
      'TOKEN_ENCRYPTION_KEYS (id:base64 of 32 bytes, ...), TOKEN_ENCRYPTION_KEY (base64 of 32 bytes) or ' +
        'TOKEN_ENCRYPTION_SECRET (their Secret Manager version) is required',
    );
  const parsed = parseKeyRing((ring ?? single)!, currentId);
  if (typeof parsed === 'string')
    throw new UsageError(
      single ? 'TOKEN_ENCRYPTION_KEY must be base64 of exactly 32 bytes' : `TOKEN_ENCRYPTION_KEYS: ${parsed}`,
    );
  return { kind: 'ring', ring: parsed };
}

export async function loadKeyRing(source: KeySource, options?: SecretManagerOptions): Promise<KeyRing> {
  if (source.kind === 'ring') return source.ring;
  const parsed = parseKeyRing(await readSecretVersion(source.version, options), source.currentId);
  if (typeof parsed === 'string') throw new UsageError(`the secret ${source.version}: ${parsed}`);
  return parsed;
}

export async function loadSealer(source: KeySource, options?: SecretManagerOptions): Promise<Sealer> {
  return new Sealer(await loadKeyRing(source, options));
}
