// The key that seals tenants' Creatio secrets: TOKEN_ENCRYPTION_KEY itself, or the Secret Manager
// version named by TOKEN_ENCRYPTION_SECRET, read with the same adapter the functions use. It must be
// the functions' key, or they cannot open what is stored here.
import { GoogleAuth } from 'google-auth-library';
import type { SecretAuth } from '../../shared/adapters/secretmanager/secretVersion.js';
import { accessSecretVersion, encryptionKeyFrom } from '../../shared/adapters/secretmanager/secretVersion.js';
import { Sealer } from '../../shared/secrets.js';
import { UsageError } from './validate.js';

export type KeySource = { kind: 'key'; key: Buffer } | { kind: 'secret'; version: string; apiUrl: string };

const SECRET_VERSION = /^projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/]+$/;
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/** Checked before anything is written; reading the secret comes later (loadSealer). */
export function keySource(env: Record<string, string | undefined>): KeySource {
  const b64 = env.TOKEN_ENCRYPTION_KEY?.trim() || undefined;
  const version = env.TOKEN_ENCRYPTION_SECRET?.trim() || undefined;
  if (b64 && version) throw new UsageError('set TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_SECRET, not both');
  if (version) {
    if (!SECRET_VERSION.test(version))
      throw new UsageError(
        'TOKEN_ENCRYPTION_SECRET must name a secret version: projects/P/secrets/contact-sync-token-key/versions/1',
      );
    return {
      kind: 'secret',
      version,
      apiUrl: env.SECRET_MANAGER_API_URL || 'https://secretmanager.googleapis.com',
    };
  }
  if (!b64)
    throw new UsageError(
      'TOKEN_ENCRYPTION_KEY (base64 of 32 bytes) or TOKEN_ENCRYPTION_SECRET (its Secret Manager version) is required',
    );
  // Buffer.from skips characters outside the alphabet; check the shape so a typo is not a new key.
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(b64) ? Buffer.from(b64, 'base64') : null;
  if (!key || key.length !== 32)
    throw new UsageError('TOKEN_ENCRYPTION_KEY must be base64 of exactly 32 bytes');
  return { kind: 'key', key };
}

export async function loadSealer(source: KeySource, auth?: SecretAuth): Promise<Sealer> {
  if (source.kind === 'key') return new Sealer(source.key);
  const payload = await accessSecretVersion(
    auth ?? new GoogleAuth({ scopes: [CLOUD_PLATFORM] }),
    source.apiUrl,
    source.version,
  );
  return new Sealer(encryptionKeyFrom(payload));
}
