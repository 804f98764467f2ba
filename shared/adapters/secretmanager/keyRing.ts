// Reading the token key ring from one Secret Manager version with Google's own client
// (@google-cloud/secret-manager). The functions never call this: the platform mounts the same secret as
// TOKEN_ENCRYPTION_KEYS (--set-secrets). The tenant CLI does, so that it seals with the functions' keys.
// The payload is checked against its CRC32C, so a corrupted ring fails here, not as unopenable tokens.
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { SyncError } from '../../errors.js';
import { crc32c } from './crc32c.js';

/** The client's constructor options (tests: `fallback: true` REST against a loopback endpoint). */
export type SecretManagerOptions = ConstructorParameters<typeof SecretManagerServiceClient>[0];

export async function readSecretVersion(
  version: string,
  options: SecretManagerOptions = {},
): Promise<string> {
  const client = new SecretManagerServiceClient(options);
  try {
    let response;
    try {
      [response] = await client.accessSecretVersion({ name: version }, { timeout: 30_000 });
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      // The secret's name is configuration, not personal data: it helps whoever fixes the deployment.
      throw new SyncError('config', `Secret Manager refused ${version} (code ${String(code ?? 'unknown')})`, {
        cause: e,
      });
    }
    const data = response.payload?.data;
    if (data === undefined || data === null)
      throw new SyncError('config', `Secret Manager returned no payload for ${version}`);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'base64') : Buffer.from(data);
    const expected = response.payload?.dataCrc32c;
    if (expected !== undefined && expected !== null && BigInt(String(expected)) !== BigInt(crc32c(bytes)))
      throw new SyncError('config', `the payload of ${version} fails its checksum`);
    return bytes.toString('utf8');
  } finally {
    await client.close();
  }
}
