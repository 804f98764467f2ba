// The two ways into Creatio (reference §2): a forms login whose cookies we keep ourselves (BPMCSRF
// echoed as a header), or an OAuth 2.0 client-credentials bearer token refreshed before it expires.
// Either way a refused session is renewed once by the caller (http.ts), then the call fails.
import type { Clock } from '../../ports.js';
import { SyncError } from '../../errors.js';
import { isWebPage, statusError } from './errors.js';
import type { RawReply, Transport } from './transport.js';
import { loginReply, parse, tokenReply } from './wire.js';

export type CreatioAuth =
  | { mode: 'cookie'; userName: string; password: string }
  | { mode: 'oauth'; clientId: string; clientSecret: string; tokenUrl: string };

export interface Authenticator {
  /** Headers that authenticate the next call; signs in first when there is no live session. */
  headers(): Promise<Record<string, string>>;
  /** Keeps cookies the server renews on any reply. */
  absorb(reply: RawReply): void;
  /** Whether a reply says the session or token is no longer valid. */
  expired(reply: RawReply): boolean;
  /** Forget the session or token so the next `headers()` signs in again. */
  invalidate(): void;
  readonly signIns: number;
}

const failedLogin = () => new SyncError('auth', 'Creatio refused the login', { side: 'crm' });

export class CookieAuth implements Authenticator {
  private jar = new Map<string, string>();
  private live = false;
  signIns = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly userName: string,
    private readonly password: string,
    private readonly transport: Transport,
  ) {}

  async headers(): Promise<Record<string, string>> {
    if (!this.live) await this.login();
    const out: Record<string, string> = {
      Cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '),
      ForceUseSession: 'true',
    };
    const csrf = this.jar.get('BPMCSRF');
    if (csrf !== undefined) out.BPMCSRF = csrf;
    return out;
  }

  private async login(): Promise<void> {
    this.jar = new Map();
    this.signIns += 1;
    const reply = await this.transport.send(
      `${this.baseUrl}/ServiceModel/AuthService.svc/Login`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', ForceUseSession: 'true' },
        body: JSON.stringify({ UserName: this.userName, UserPassword: this.password }),
        redirect: 'manual',
      },
      { idempotent: true, what: 'the login' },
    );
    // A wrong password is HTTP 200 with Code ≠ 0; a 403 means the service path is wrong.
    if (reply.status === 403 || reply.status === 401) throw failedLogin();
    if (reply.status !== 200) throw statusError(reply.status, 'the login');
    let body: unknown;
    try {
      body = JSON.parse(reply.text);
    } catch {
      throw new SyncError('bad-response', 'Creatio answered the login with something other than JSON', {
        side: 'crm',
      });
    }
    if (parse(loginReply, body, 'the login').Code !== 0) throw failedLogin();
    this.absorb(reply);
    if (!this.jar.has('.ASPXAUTH') && this.jar.size === 0)
      throw new SyncError('bad-response', 'Creatio set no session cookie at login', { side: 'crm' });
    this.live = true;
  }

  absorb(reply: RawReply): void {
    for (const line of reply.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = /;\s*expires=([^;]+)/i.exec(line);
      if (value === '' || (expired && Date.parse(expired[1]!) < Date.parse('2000-01-01')))
        this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  expired(reply: RawReply): boolean {
    if (reply.status === 401) return true;
    if (reply.status >= 300 && reply.status < 400)
      return /\/Login\//i.test(reply.headers.get('location') ?? '');
    // An expired forms session may also answer 200 with the HTML login page instead of JSON.
    if (reply.status === 200) return isWebPage(reply);
    return false;
  }

  invalidate(): void {
    this.live = false;
  }
}

/** Refresh this long before the announced expiry, so a token never dies in flight. */
const REFRESH_EARLY_MS = 60_000;

export class OAuthAuth implements Authenticator {
  private token: { value: string; expiresAt: number } | null = null;
  signIns = 0;

  constructor(
    private readonly tokenUrl: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly clock: Clock,
    private readonly transport: Transport,
  ) {}

  async headers(): Promise<Record<string, string>> {
    if (!this.token || this.clock.now() >= this.token.expiresAt - REFRESH_EARLY_MS) await this.fetchToken();
    return { Authorization: `Bearer ${this.token!.value}` };
  }

  private async fetchToken(): Promise<void> {
    this.token = null;
    this.signIns += 1;
    const reply = await this.transport.send(
      this.tokenUrl,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: this.clientId,
          client_secret: this.clientSecret,
        }).toString(),
        redirect: 'manual',
      },
      { idempotent: true, what: 'the token request' },
    );
    if (reply.status === 400 || reply.status === 401 || reply.status === 403) throw failedLogin();
    if (reply.status !== 200) throw statusError(reply.status, 'the token request');
    let body: unknown;
    try {
      body = JSON.parse(reply.text);
    } catch {
      throw new SyncError('bad-response', 'The token endpoint answered something other than JSON', {
        side: 'crm',
      });
    }
    const t = parse(tokenReply, body, 'the token request');
    this.token = { value: t.access_token, expiresAt: this.clock.now() + t.expires_in * 1000 };
  }

  absorb(): void {}

  expired(reply: RawReply): boolean {
    return reply.status === 401;
  }

  invalidate(): void {
    this.token = null;
  }
}
