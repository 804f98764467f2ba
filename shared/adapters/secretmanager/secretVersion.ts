// Reading one secret version through Secret Manager's REST API (v1 `versions/*:access`), once at start.
// google-auth-library supplies the credentials (the function's service account in production); the
// payload is checked against its CRC32C so a corrupted key fails here, not as unopenable tokens later.
import type { GoogleAuth } from 'google-auth-library';
import { z } from 'zod';
import { SyncError } from '../../errors.js';
import { crc32c } from './crc32c.js';

const accessResponse = z.object({
  name: z.string(),
  payload: z.object({
    data: z.string(),
    dataCrc32c: z.union([z.string(), z.number()]).optional(),
  }),
});

/** The part of GoogleAuth used here, so tests can hand in a local stand-in. */
export type SecretAuth = Pick<GoogleAuth, 'getClient'>;

export async function accessSecretVersion(
  auth: SecretAuth,
  baseUrl: string,
  version: string,
): Promise<Buffer> {
  const url = `${baseUrl.replace(/\/+$/, '')}/v1/${version}:access`;
  let body: unknown;
  try {
    const client = await auth.getClient();
    body = (await client.request({ url, method: 'GET', retry: true, timeout: 30_000 })).data;
  } catch (e) {
    const status = (e as { status?: unknown; response?: { status?: unknown } }).response?.status;
    // The secret's name is configuration, not personal data: it helps whoever fixes the deployment.
    throw new SyncError('config', `Secret Manager refused ${version} (HTTP ${String(status ?? 'error')})`, {
      cause: e,
    });
  }
  const parsed = accessResponse.safeParse(body);
  if (!parsed.success) throw new SyncError('config', `Secret Manager answered ${version} unreadably`);
  const data = Buffer.from(parsed.data.payload.data, 'base64');
  const expected = parsed.data.payload.dataCrc32c;
  if (expected !== undefined && BigInt(expected) !== BigInt(crc32c(data)))
    throw new SyncError('config', `the payload of ${version} fails its checksum`);
  return data;
}

/** The secret may hold the 32 key bytes themselves or their base64 text. */
export function encryptionKeyFrom(payload: Buffer): Buffer {
  if (payload.length === 32) return payload;
  const text = payload.toString('utf8').trim();
  const decoded = Buffer.from(text, 'base64');
  if (decoded.length === 32 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return decoded;
  throw new SyncError('config', 'the token encryption secret must hold 32 bytes or their base64');
}
