// The token encryption key of the local stack. Generated once and kept in the state directory (.local/,
// git-ignored) so that a restart opens what an earlier run sealed; TOKEN_ENCRYPTION_KEY wins if set.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keySource } from '../deploy/tenantKey.js';

export const KEY_FILE = 'token-encryption-key';

export interface KeyChoice {
  /** Base64 of 32 bytes, as TOKEN_ENCRYPTION_KEY expects it. */
  key: string;
  origin: 'environment' | 'kept' | 'generated';
  /** Where it is kept (absent when it came from the environment). */
  file?: string;
}

export function encryptionKey(stateDir: string, env: Record<string, string | undefined>): KeyChoice {
  const fromEnv = env.TOKEN_ENCRYPTION_KEY?.trim();
  if (fromEnv) {
    keySource({ TOKEN_ENCRYPTION_KEY: fromEnv });
    return { key: fromEnv, origin: 'environment' };
  }
  const file = join(stateDir, KEY_FILE);
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    try {
      keySource({ TOKEN_ENCRYPTION_KEY: key });
    } catch {
      // The content is a secret: name the file, never what is in it.
      throw new Error(`${file} does not hold base64 of 32 bytes; delete it to have a new key generated`);
    }
    return { key, origin: 'kept', file };
  }
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key, origin: 'generated', file };
}
