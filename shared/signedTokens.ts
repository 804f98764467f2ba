// Connect tickets and OAuth states: `<id>.<mac>`, where the MAC (HMAC-SHA256, keyed by HKDF from the
// token encryption key, bound to the token's kind) proves we issued the id, and the one-time store
// makes it expire and work once. A forged token is refused before the store is touched at all.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { SyncError } from './errors.js';
import type { Clock, OneTimeKind, OneTimeStore } from './ports.js';
import { randomToken } from './secrets.js';

export type TokenKind = OneTimeKind;

const INFO = 'contact-sync/one-time-token/v1';
const ID = /^[A-Za-z0-9_-]{32}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;

export class TokenSigner {
  private constructor(private readonly key: Buffer) {}

  /** A key of its own, so a MAC can never be confused with anything the encryption key protects. */
  static fromEncryptionKey(encryptionKey: Buffer): TokenSigner {
    return new TokenSigner(Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), INFO, 32)));
  }

  sign(kind: TokenKind, id: string): string {
    return `${id}.${this.mac(kind, id)}`;
  }

  /** The id, when the token is well formed and its MAC is ours for this kind; otherwise null. */
  verify(kind: TokenKind, token: string): string | null {
    const [tokenId, mac, extra] = token.split('.');
    if (extra !== undefined || !tokenId || !mac || !ID.test(tokenId) || !MAC.test(mac)) return null;
    const expected = Buffer.from(this.mac(kind, tokenId));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given) ? tokenId : null;
  }

  private mac(kind: TokenKind, id: string): string {
    return createHmac('sha256', this.key).update(`${kind}:${id}`).digest('base64url');
  }
}

export interface OneTimeTokenDeps {
  signer: TokenSigner;
  oneTime: OneTimeStore;
  clock: Clock;
}

/** Issue a signed single-use token carrying `payload` (kept server-side, never in the token). */
export async function issueToken(
  deps: OneTimeTokenDeps,
  kind: TokenKind,
  payload: Record<string, string>,
  ttlMs: number,
): Promise<string> {
  const tokenId = randomToken(24);
  await deps.oneTime.put(kind, tokenId, payload, deps.clock.now() + ttlMs);
  return deps.signer.sign(kind, tokenId);
}

/** Verify and spend a token: its payload once, or a 'bad-request' naming why it was refused. */
export function takeToken(
  deps: OneTimeTokenDeps,
  kind: TokenKind,
  token: string,
): Promise<Record<string, string>> {
  return useToken(deps, kind, token, 'take');
}

/** Verify a token without spending it: its payload, or the same refusals as takeToken. */
export function peekToken(
  deps: OneTimeTokenDeps,
  kind: TokenKind,
  token: string,
): Promise<Record<string, string>> {
  return useToken(deps, kind, token, 'peek');
}

async function useToken(
  deps: OneTimeTokenDeps,
  kind: TokenKind,
  token: string,
  how: 'take' | 'peek',
): Promise<Record<string, string>> {
  const what = { ticket: 'connect link', state: 'sign-in state', signin: 'sign-in link' }[kind];
  const tokenId = deps.signer.verify(kind, token);
  if (tokenId === null) throw new SyncError('bad-request', `the ${what} is not valid`);
  const found = await deps.oneTime[how](kind, tokenId, deps.clock.now());
  if (found.ok) return found.payload;
  const why = {
    unknown: 'is not valid',
    expired: 'has expired: start again',
    used: 'was already used: start again',
  }[found.reason];
  throw new SyncError('bad-request', `the ${what} ${why}`);
}
