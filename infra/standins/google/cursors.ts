// Sync tokens and page tokens.
//
// Sync tokens are stateless and HMAC-signed: they carry the change-sequence position and the
// issue time, so expiry is a pure function of the clock. Page tokens point at a snapshot of the
// listing taken on the first page, which makes paging O(page) and keeps a listing stable while
// the account changes underneath it (changes made meanwhile surface in the next sync instead).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { expiredSyncToken, invalidArgument } from './errors.js';

export type TokenKind = 'people' | 'groups';

export class SyncTokens {
  private readonly key = randomBytes(32);

  constructor(
    private readonly ttlMs: number,
    private readonly mode: '400' | '410',
  ) {}

  issue(kind: TokenKind, email: string, position: number, now: number): string {
    const payload = Buffer.from(JSON.stringify({ k: kind, e: email, p: position, t: now })).toString(
      'base64url',
    );
    return `${payload}.${this.mac(payload)}`;
  }

  /** Returns the position, or throws Google's invalid-argument / expired-token errors. */
  check(kind: TokenKind, email: string, token: string, now: number): number {
    const [payload, mac] = token.split('.');
    const invalid = invalidArgument('Request contains an invalid argument.');
    if (!payload || !mac) throw invalid;
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid;
    let parsed: { k?: unknown; e?: unknown; p?: unknown; t?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof parsed;
    } catch {
      throw invalid;
    }
    if (
      parsed.k !== kind ||
      parsed.e !== email ||
      typeof parsed.p !== 'number' ||
      typeof parsed.t !== 'number'
    ) {
      throw invalid;
    }
    if (now - parsed.t > this.ttlMs) throw expiredSyncToken(this.mode);
    return parsed.p;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url').slice(0, 22);
  }
}

export interface Snapshot {
  kind: TokenKind;
  email: string;
  /** The request's parameters (pageToken excluded) in canonical form. */
  fingerprint: string;
  items: string[];
  /** Change-log position a sync token issued at the end of this listing stands for. */
  position: number;
  isSync: boolean;
}

const MAX_PAGE_TOKENS = 20_000;
/** Resource names held by live snapshots; 25k-contact listings must not pile up without bound. */
const MAX_RETAINED_ITEMS = 5_000_000;

export class PageTokens {
  private readonly pages = new Map<string, { snapshot: Snapshot; offset: number }>();
  private readonly refs = new Map<Snapshot, number>();
  private retained = 0;

  issue(snapshot: Snapshot, offset: number): string {
    const refs = this.refs.get(snapshot) ?? 0;
    if (refs === 0) this.retained += snapshot.items.length;
    this.refs.set(snapshot, refs + 1);
    // Oldest tokens go first; a client paging within a sane time never meets the bounds.
    while (
      this.pages.size > 0 &&
      (this.pages.size >= MAX_PAGE_TOKENS || this.retained > MAX_RETAINED_ITEMS)
    ) {
      const oldest = this.pages.keys().next();
      if (oldest.done) break;
      this.drop(oldest.value);
    }
    const token = randomBytes(24).toString('base64url');
    this.pages.set(token, { snapshot, offset });
    return token;
  }

  private drop(token: string): void {
    const page = this.pages.get(token);
    if (!page) return;
    this.pages.delete(token);
    const refs = (this.refs.get(page.snapshot) ?? 1) - 1;
    if (refs > 0) {
      this.refs.set(page.snapshot, refs);
      return;
    }
    this.refs.delete(page.snapshot);
    this.retained -= page.snapshot.items.length;
  }

  /**
   * Resolves a page token for a request. Reference §3 (current text): every other parameter must
   * equal the first call's, pageSize included; any difference is INVALID_ARGUMENT.
   */
  resolve(
    token: string,
    kind: TokenKind,
    email: string,
    fingerprint: string,
  ): { snapshot: Snapshot; offset: number } {
    const page = this.pages.get(token);
    if (!page || page.snapshot.kind !== kind || page.snapshot.email !== email) {
      throw invalidArgument('Page token is not valid.');
    }
    if (page.snapshot.fingerprint !== fingerprint) {
      throw invalidArgument(
        'Parameters provided with a page token must match the call that provided the page token.',
      );
    }
    return page;
  }
}
