// The token-encryption keys: one current key that seals, and older ones that still open what they
// sealed until `npm run tenant -- reseal` has moved everything to the current one. Written as
// `id:base64,id:base64` (TOKEN_ENCRYPTION_KEYS, or the Secret Manager secret mounted as it) with
// TOKEN_ENCRYPTION_KEY_ID naming the current one; a bare base64 key (the older single
// TOKEN_ENCRYPTION_KEY) is the key with id "0".

export interface SealingKey {
  id: string;
  key: Buffer;
}

export interface KeyRing {
  current: string;
  keys: readonly SealingKey[];
}

export const LEGACY_KEY_ID = '0';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** A key ring, or what is wrong with the text (never quoting it: it is the secret). */
export function parseKeyRing(text: string, currentId?: string): KeyRing | string {
  const keys: SealingKey[] = [];
  const entries = text
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) return 'no key is given';
  for (const [i, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? LEGACY_KEY_ID : entry.slice(0, colon);
    const b64 = colon < 0 ? entry : entry.slice(colon + 1);
    if (!KEY_ID.test(id)) return `key ${i + 1}: its id must be 1-32 letters, digits, '_' or '-'`;
    const key = BASE64.test(b64) ? Buffer.from(b64, 'base64') : null;
    if (!key || key.length !== 32) return `key ${id}: must be base64 of exactly 32 bytes`;
    if (keys.some((k) => k.id === id)) return `key id ${id} is given twice`;
    keys.push({ id, key });
  }
  const current = currentId?.trim() || (keys.length === 1 ? keys[0]!.id : undefined);
  if (current === undefined)
    return 'several keys are given: TOKEN_ENCRYPTION_KEY_ID must name the current one';
  if (!keys.some((k) => k.id === current)) return `the current key ${current} is not among the keys`;
  return { current, keys };
}

export const currentKey = (ring: KeyRing): Buffer => ring.keys.find((k) => k.id === ring.current)!.key;
