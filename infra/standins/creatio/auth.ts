// Authentication (reference §2): forms login with BPMLOADER/.ASPXAUTH/BPMCSRF/UserName cookies and
// a sliding UserSessionTimeout, and OAuth 2.0 client credentials from the identity service.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from './clock.js';
import { userContactId } from './constants.js';
import type { Actor } from './entities.js';
import { emptyReply, jsonReply, textReply, type Reply } from './reply.js';

export interface UserDef {
  userName: string;
  password: string;
  timeZoneOffsetMinutes?: number;
}

export interface OAuthClientDef {
  clientId: string;
  clientSecret: string;
  /** The Creatio user the integrated application acts as; default: the first configured user. */
  userName?: string;
}

export type ExpiredSignal = '401' | 'redirect' | 'html';

interface Session {
  userName: string;
  csrf: string;
  lastSeen: number;
  expired: boolean;
}

interface TokenRecord {
  userName: string;
  expiresAt: number;
}

export type AuthOutcome =
  { ok: true; actor: Actor; via: 'cookie' | 'bearer' } | { ok: false; reply: Reply; reason: string };

const SESSION_SWEEP_AT = 1000;
const randomToken = (bytes: number): string => randomBytes(bytes).toString('base64url');

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

export class AuthState {
  private readonly sessions = new Map<string, Session>();
  private readonly tokens = new Map<string, TokenRecord>();

  constructor(
    private readonly users: readonly UserDef[],
    private readonly clients: readonly OAuthClientDef[],
    private readonly clock: Clock,
    private readonly cfg: {
      sessionTimeoutMinutes: number;
      accessTokenTtlSec: number;
      expiredSignal: ExpiredSignal;
      csrfRequired: boolean;
    },
  ) {}

  actorFor(userName: string): Actor {
    const u = this.findUser(userName);
    if (!u) throw new Error(`unknown user ${userName}`);
    return {
      userName: u.userName,
      contactId: userContactId(u.userName),
      timeZoneOffsetMinutes: u.timeZoneOffsetMinutes ?? 0,
    };
  }

  private findUser(userName: string): UserDef | undefined {
    // User names compare case-insensitively, as the database does.
    const lc = userName.toLowerCase();
    return this.users.find((u) => u.userName.toLowerCase() === lc);
  }

  /** POST /ServiceModel/AuthService.svc/Login. Failures are HTTP 200 with Code 1 (reference §2.1). */
  login(body: unknown): Reply {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const user = typeof b.UserName === 'string' ? this.findUser(b.UserName) : undefined;
    if (!user || typeof b.UserPassword !== 'string' || b.UserPassword !== user.password) {
      return jsonReply(200, {
        Code: 1,
        Message: 'Either the user name or the password is incorrect.',
        Exception: null,
        PasswordChangeUrl: null,
        RedirectUrl: null,
      });
    }
    this.sweep();
    const ticket = randomToken(48);
    const csrf = randomToken(16);
    const now = this.clock.now();
    this.sessions.set(ticket, { userName: user.userName, csrf, lastSeen: now, expired: false });
    const cookieExpiry = new Date(now + 30 * 24 * 3600_000).toUTCString();
    return jsonReply(
      200,
      { Code: 0, Message: '', Exception: null, PasswordChangeUrl: null, RedirectUrl: null },
      {
        'Set-Cookie': [
          `BPMLOADER=${randomToken(12)}; path=/; HttpOnly`,
          `.ASPXAUTH=${ticket}; path=/; HttpOnly`,
          `BPMCSRF=${csrf}; path=/`,
          `UserName=${encodeURIComponent(user.userName)}; expires=${cookieExpiry}; path=/; HttpOnly`,
        ],
      },
    );
  }

  /** Ends the cookie session (our assumption: answers 200 whether or not a session was found). */
  logout(headers: IncomingHttpHeaders): Reply {
    const ticket = parseCookies(headers.cookie).get('.ASPXAUTH');
    if (ticket) this.sessions.delete(ticket);
    return emptyReply(200, {
      'Set-Cookie': ['.ASPXAUTH=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/; HttpOnly'],
    });
  }

  /** POST /connect/token, client credentials only (reference §2.2). */
  token(contentType: string | undefined, rawBody: string, authorization: string | undefined): Reply {
    const oauthError = (error: string, description: string) =>
      jsonReply(
        400,
        { error, error_description: description },
        { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
      );
    if (!contentType || !contentType.toLowerCase().startsWith('application/x-www-form-urlencoded'))
      return oauthError('invalid_request', 'The token request must be application/x-www-form-urlencoded.');
    const form = new URLSearchParams(rawBody);
    let clientId = form.get('client_id') ?? undefined;
    let clientSecret = form.get('client_secret') ?? undefined;
    if (authorization?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        clientId = decodeURIComponent(decoded.slice(0, colon));
        clientSecret = decodeURIComponent(decoded.slice(colon + 1));
      }
    }
    const grant = form.get('grant_type');
    if (!grant) return oauthError('invalid_request', 'grant_type is missing.');
    const client = this.clients.find((c) => c.clientId === clientId && c.clientSecret === clientSecret);
    if (!client)
      return jsonReply(400, { error: 'invalid_client' }, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    if (grant !== 'client_credentials')
      return oauthError('unsupported_grant_type', `grant_type '${grant}' is not supported.`);
    const accessToken = randomToken(32);
    const userName = client.userName ?? this.users[0]!.userName;
    this.tokens.set(accessToken, {
      userName,
      expiresAt: this.clock.now() + this.cfg.accessTokenTtlSec * 1000,
    });
    return jsonReply(
      200,
      {
        access_token: accessToken,
        expires_in: this.cfg.accessTokenTtlSec,
        token_type: 'Bearer',
        scope: `ApplicationAccess_${applicationId(client.clientId)}`,
      },
      { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
    );
  }

  /** Authenticates an OData call; a failure carries the reply Creatio would give. */
  authenticate(headers: IncomingHttpHeaders, originalUrl: string): AuthOutcome {
    const authz = headers.authorization;
    const now = this.clock.now();
    if (authz && /^Bearer /i.test(authz)) {
      const rec = this.tokens.get(authz.slice(7).trim());
      if (!rec || now >= rec.expiresAt) {
        if (rec) this.tokens.delete(authz.slice(7).trim());
        return {
          ok: false,
          reason: rec ? 'token expired' : 'unknown token',
          reply: emptyReply(401, {
            'WWW-Authenticate': `Bearer error="invalid_token", error_description="${rec ? 'The token expired' : 'The token is not valid'}"`,
          }),
        };
      }
      return { ok: true, via: 'bearer', actor: this.actorFor(rec.userName) };
    }
    const ticket = parseCookies(headers.cookie).get('.ASPXAUTH');
    const session = ticket ? this.sessions.get(ticket) : undefined;
    if (!ticket) return { ok: false, reason: 'not authenticated', reply: emptyReply(401) };
    if (!session || session.expired || now - session.lastSeen >= this.cfg.sessionTimeoutMinutes * 60_000) {
      if (session) session.expired = true;
      return { ok: false, reason: 'session expired', reply: this.expiredReply(originalUrl) };
    }
    if (this.cfg.csrfRequired) {
      const header = headers.bpmcsrf;
      if (typeof header !== 'string' || header !== session.csrf)
        return { ok: false, reason: 'BPMCSRF missing or wrong', reply: emptyReply(403) };
    }
    session.lastSeen = now;
    return { ok: true, via: 'cookie', actor: this.actorFor(session.userName) };
  }

  private expiredReply(originalUrl: string): Reply {
    switch (this.cfg.expiredSignal) {
      case 'redirect':
        return emptyReply(302, {
          Location: `/Login/NuiLogin.aspx?ReturnUrl=${encodeURIComponent(originalUrl)}`,
        });
      case 'html':
        return loginPage();
      default:
        return emptyReply(401);
    }
  }

  /** Forces every cookie session and bearer token to count as expired. */
  expireAll(): void {
    for (const s of this.sessions.values()) s.expired = true;
    this.tokens.clear();
  }

  private sweep(): void {
    if (this.sessions.size < SESSION_SWEEP_AT) return;
    const now = this.clock.now();
    for (const [k, s] of this.sessions)
      if (s.expired || now - s.lastSeen >= this.cfg.sessionTimeoutMinutes * 60_000) this.sessions.delete(k);
  }
}

/** A stable 32-hex-digit application id per client (the real scope suffix format is unknown). */
export const applicationId = (clientId: string): string =>
  createHash('sha1').update(clientId).digest('hex').slice(0, 32);

export function loginPage(): Reply {
  return textReply(
    200,
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Creatio</title></head><body class="login-page">' +
      '<form id="loginForm" method="post" action="/ServiceModel/AuthService.svc/Login">' +
      '<input id="loginEdit-el" name="UserName" type="text"><input id="passwordEdit-el" name="UserPassword" type="password">' +
      '<button id="t-comp18-textEl" type="submit">Log in</button></form></body></html>',
    'text/html; charset=utf-8',
  );
}
