// OAuth state: clients, authorization codes, grants (one per account and client), refresh and
// access tokens, and the RS256 key that signs ID tokens.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { Clock } from './clock.js';
import type { OAuthClientConfig } from './options.js';
import { profileIdFor } from './store.js';

export const SCOPE_CONTACTS = 'https://www.googleapis.com/auth/contacts';
export const SCOPE_CONTACTS_READONLY = 'https://www.googleapis.com/auth/contacts.readonly';
export const SCOPE_EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
export const SCOPE_PROFILE = 'https://www.googleapis.com/auth/userinfo.profile';
export const ISSUER = 'https://accounts.google.com';
/** Reference: Google's codes are short-lived; the exact lifetime is not documented. */
const CODE_TTL_MS = 10 * 60 * 1000;
const MAX_CODES = 10_000;
const MAX_ACCESS_TOKENS = 200_000;

export interface AccessToken {
  token: string;
  email: string;
  clientId?: string;
  scopes: string[];
  expiresAt: number;
  grantKey?: string;
}

export interface AuthCode {
  clientId: string;
  redirectUri: string;
  email: string;
  scopes: string[];
  challenge?: string;
  challengeMethod?: 'S256' | 'plain';
  nonce?: string;
  issueRefresh: boolean;
  expiresAt: number;
}

interface Grant {
  email: string;
  clientId: string;
  scopes: Set<string>;
  refreshTokens: Map<string, string[]>;
  accessTokens: Set<string>;
}

interface RefreshToken {
  grantKey: string;
  scopes: string[];
}

const token = (prefix: string, bytes: number): string => prefix + randomBytes(bytes).toString('base64url');
const grantKeyOf = (email: string, clientId: string): string => `${email}\u0000${clientId}`;
const b64url = (v: string | Buffer): string => Buffer.from(v).toString('base64url');

/** `email` and `profile` shorthands expand the way Google reports granted scopes. */
export function normalizeScopes(raw: string): string[] {
  const out: string[] = [];
  const add = (s: string): void => {
    if (s && !out.includes(s)) out.push(s);
  };
  for (const s of raw.split(/[\s,]+/)) {
    add(s);
    if (s === 'email') add(SCOPE_EMAIL);
    if (s === 'profile') add(SCOPE_PROFILE);
  }
  return out;
}

export const hasEmailScope = (scopes: readonly string[]): boolean =>
  scopes.includes('email') || scopes.includes(SCOPE_EMAIL);
const wantsIdToken = (scopes: readonly string[]): boolean =>
  scopes.includes('openid') || hasEmailScope(scopes);

export class OAuthState {
  readonly clients = new Map<string, OAuthClientConfig>();
  private readonly codes = new Map<string, AuthCode>();
  private readonly grants = new Map<string, Grant>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly consent = new Map<string, 'allow' | 'deny'>();
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly kid = randomBytes(20).toString('hex');

  constructor(
    private readonly clock: Clock,
    private readonly accessTtlSec: number,
    clients: OAuthClientConfig[],
  ) {
    for (const c of clients) this.clients.set(c.clientId, c);
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  setConsent(email: string, decision: 'allow' | 'deny'): void {
    this.consent.set(email.toLowerCase(), decision);
  }

  consentFor(email: string): 'allow' | 'deny' {
    return this.consent.get(email.toLowerCase()) ?? 'allow';
  }

  hasGrant(email: string, clientId: string): boolean {
    return this.grants.has(grantKeyOf(email, clientId));
  }

  grantScopes(email: string, clientId: string): string[] {
    return [...(this.grants.get(grantKeyOf(email, clientId))?.scopes ?? [])];
  }

  /** The user consents on the authorize page: record the grant and mint a single-use code. */
  consentAndIssueCode(
    c: Omit<AuthCode, 'expiresAt' | 'issueRefresh'> & { offline: boolean; forceConsent: boolean },
  ): string {
    const key = grantKeyOf(c.email, c.clientId);
    let grant = this.grants.get(key);
    // Reference §10: a refresh token comes only with real consent, which prompt=consent forces.
    const issueRefresh = c.offline && (c.forceConsent || !grant || grant.refreshTokens.size === 0);
    if (!grant) {
      grant = {
        email: c.email,
        clientId: c.clientId,
        scopes: new Set(),
        refreshTokens: new Map(),
        accessTokens: new Set(),
      };
      this.grants.set(key, grant);
    }
    for (const s of c.scopes) grant.scopes.add(s);
    if (this.codes.size >= MAX_CODES) this.purgeCodes();
    const code = token('4/0A', 48);
    this.codes.set(code, {
      clientId: c.clientId,
      redirectUri: c.redirectUri,
      email: c.email,
      scopes: c.scopes,
      challenge: c.challenge,
      challengeMethod: c.challengeMethod,
      nonce: c.nonce,
      issueRefresh,
      expiresAt: this.clock.now() + CODE_TTL_MS,
    });
    return code;
  }

  /** Single use: the code is gone after the first redemption attempt, successful or not. */
  takeCode(code: string): AuthCode | undefined {
    const rec = this.codes.get(code);
    this.codes.delete(code);
    if (!rec || rec.expiresAt <= this.clock.now()) return undefined;
    return rec;
  }

  private purgeCodes(): void {
    const now = this.clock.now();
    for (const [code, rec] of this.codes) if (rec.expiresAt <= now) this.codes.delete(code);
  }

  private purgeAccessTokens(): void {
    const now = this.clock.now();
    for (const [t, rec] of this.accessTokens) if (rec.expiresAt <= now) this.accessTokens.delete(t);
  }

  issueAccessToken(
    email: string,
    scopes: string[],
    opts: { clientId?: string; grantKey?: string; ttlSec?: number } = {},
  ): AccessToken {
    if (this.accessTokens.size >= MAX_ACCESS_TOKENS) this.purgeAccessTokens();
    const rec: AccessToken = {
      token: token('ya29.a0', 96),
      email: email.toLowerCase(),
      clientId: opts.clientId,
      scopes: [...scopes],
      expiresAt: this.clock.now() + (opts.ttlSec ?? this.accessTtlSec) * 1000,
      grantKey: opts.grantKey,
    };
    this.accessTokens.set(rec.token, rec);
    if (opts.grantKey) this.grants.get(opts.grantKey)?.accessTokens.add(rec.token);
    return rec;
  }

  /** Live access token, or undefined when unknown, revoked or expired by the stand-in clock. */
  accessToken(t: string): AccessToken | undefined {
    const rec = this.accessTokens.get(t);
    if (!rec) return undefined;
    if (rec.expiresAt <= this.clock.now()) return undefined;
    return rec;
  }

  issueRefreshToken(email: string, clientId: string, scopes: string[]): string {
    const key = grantKeyOf(email, clientId);
    const rt = token('1//0g', 72);
    this.refreshTokens.set(rt, { grantKey: key, scopes: [...scopes] });
    this.grants.get(key)?.refreshTokens.set(rt, scopes);
    return rt;
  }

  refreshToken(rt: string): (RefreshToken & { email: string; clientId: string }) | undefined {
    const rec = this.refreshTokens.get(rt);
    const grant = rec && this.grants.get(rec.grantKey);
    if (!rec || !grant) return undefined;
    return { ...rec, email: grant.email, clientId: grant.clientId };
  }

  grantKey(email: string, clientId: string): string {
    return grantKeyOf(email, clientId);
  }

  private revokeGrant(key: string): void {
    const grant = this.grants.get(key);
    if (!grant) return;
    for (const rt of grant.refreshTokens.keys()) this.refreshTokens.delete(rt);
    for (const at of grant.accessTokens) this.accessTokens.delete(at);
    this.grants.delete(key);
  }

  /** POST /revoke: a refresh token or an access token; either revokes the whole grant. */
  revoke(t: string): boolean {
    const rt = this.refreshTokens.get(t);
    if (rt) {
      this.revokeGrant(rt.grantKey);
      return true;
    }
    const at = this.accessTokens.get(t);
    if (at) {
      this.accessTokens.delete(t);
      if (at.grantKey) this.revokeGrant(at.grantKey);
      return true;
    }
    return false;
  }

  /** The user removes the app's access in their Google account: every grant and token goes. */
  revokeAccount(email: string): number {
    const target = email.toLowerCase();
    let count = 0;
    for (const [key, grant] of [...this.grants]) {
      if (grant.email !== target) continue;
      this.revokeGrant(key);
      count += 1;
    }
    for (const [t, rec] of [...this.accessTokens]) {
      if (rec.email !== target) continue;
      this.accessTokens.delete(t);
      count += 1;
    }
    return count;
  }

  idToken(email: string, clientId: string, accessToken: string, nonce?: string): string {
    const iat = Math.floor(this.clock.now() / 1000);
    const half = createHash('sha256').update(accessToken).digest().subarray(0, 16);
    const payload: Record<string, unknown> = {
      iss: ISSUER,
      azp: clientId,
      aud: clientId,
      sub: profileIdFor(email),
      email,
      email_verified: true,
      at_hash: b64url(half),
      iat,
      exp: iat + 3600,
    };
    if (nonce) payload.nonce = nonce;
    const header = { alg: 'RS256', kid: this.kid, typ: 'JWT' };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const signature = sign('RSA-SHA256', Buffer.from(signingInput), this.privateKey);
    return `${signingInput}.${b64url(signature)}`;
  }

  wantsIdToken(scopes: readonly string[]): boolean {
    return wantsIdToken(scopes);
  }

  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { keys: [{ ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }

  pemCerts(): Record<string, string> {
    return { [this.kid]: this.publicKey.export({ format: 'pem', type: 'spki' }).toString() };
  }
}
