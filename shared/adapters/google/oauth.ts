// Google OAuth for connecting an account: consent URL with PKCE, code exchange, a self-refreshing
// client for the sync, and revocation. A dead grant (invalid_grant) is 'auth-revoked', so that the
// connection asks its user to reconnect instead of being retried.
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { z } from 'zod';
import type { GoogleConfig } from '../../config.js';
import { SyncError } from '../../errors.js';
import { describeFailure } from './client.js';

export const GOOGLE_SCOPES = ['https://www.googleapis.com/auth/contacts', 'openid', 'email'] as const;

export interface GoogleAccount {
  /** Google's stable account id. */
  sub: string;
  email: string;
}

export interface GoogleOAuthOptions {
  /** Asked only when the token endpoint sends no id_token with an email. */
  userInfoUrl?: string;
  tokenInfoUrl?: string;
  timeoutMs?: number;
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  email: z.string().min(1).optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
});
const userInfoSchema = z.object({ sub: z.string().min(1), email: z.string().min(1) });
const tokensSchema = z.object({
  access_token: z.string().min(1).nullish(),
  refresh_token: z.string().min(1).nullish(),
  id_token: z.string().min(1).nullish(),
});

function oauthError(op: string, e: unknown, deadGrant: 'auth-revoked' | 'auth'): SyncError {
  const f = describeFailure(e, Date.now());
  const kind =
    f.oauthError === 'invalid_grant'
      ? deadGrant
      : f.oauthError === 'invalid_client' || f.oauthError === 'unauthorized_client'
        ? 'config'
        : f.network || (f.status !== null && f.status >= 500)
          ? 'unavailable'
          : f.status === null
            ? 'internal'
            : 'auth';
  const what = f.oauthError ?? (f.status !== null ? `HTTP ${f.status}` : 'no response');
  return new SyncError(kind, `google oauth ${op}: ${what}`, {
    side: 'google',
    ...(f.status !== null ? { status: f.status } : {}),
    cause: f,
  });
}

/** The claims of an id_token received straight from the token endpoint over TLS (OIDC §3.1.3.7). */
function idTokenClaims(idToken: string, clientId: string): z.infer<typeof claimsSchema> | null {
  const payload = idToken.split('.')[1];
  if (!payload) return null;
  try {
    const parsed = claimsSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    if (!parsed.success) return null;
    const aud = parsed.data.aud;
    if (aud !== undefined && !(Array.isArray(aud) ? aud : [aud]).includes(clientId)) return null;
    return parsed.data;
  } catch {
    return null;
  }
}

export class GoogleOAuth {
  constructor(
    private readonly config: GoogleConfig,
    private readonly options: GoogleOAuthOptions = {},
  ) {}

  private client(): OAuth2Client {
    const { oauth } = this.config;
    return new OAuth2Client({
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
      redirectUri: oauth.redirectUrl,
      endpoints: {
        oauth2AuthBaseUrl: oauth.authUrl,
        oauth2TokenUrl: oauth.tokenUrl,
        oauth2RevokeUrl: oauth.revokeUrl,
        ...(this.options.tokenInfoUrl ? { tokenInfoUrl: this.options.tokenInfoUrl } : {}),
      },
      // A rejected access token is refreshed once and the call replayed, even before its expiry.
      forceRefreshOnFailure: true,
    });
  }

  /** Offline access with forced consent, so that Google issues a refresh token every time. */
  authorizationUrl(input: { state: string; codeChallenge: string; loginHint?: string }): string {
    return this.client().generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: [...GOOGLE_SCOPES],
      state: input.state,
      code_challenge: input.codeChallenge,
      code_challenge_method: CodeChallengeMethod.S256,
      ...(input.loginHint ? { login_hint: input.loginHint } : {}),
    });
  }

  async createPkce(): Promise<{ verifier: string; challenge: string }> {
    const { codeVerifier, codeChallenge } = await this.client().generateCodeVerifierAsync();
    if (!codeChallenge) throw new SyncError('internal', 'google oauth: no PKCE challenge');
    return { verifier: codeVerifier, challenge: codeChallenge };
  }

  async exchangeCode(
    code: string,
    verifier: string,
  ): Promise<{ refreshToken: string; account: GoogleAccount }> {
    const client = this.client();
    let raw: unknown;
    try {
      raw = (await client.getToken({ code, codeVerifier: verifier })).tokens;
    } catch (e) {
      // Here invalid_grant means a bad or used code, not a revoked grant: the user starts over.
      throw oauthError('code exchange', e, 'auth');
    }
    const tokens = tokensSchema.safeParse(raw);
    if (!tokens.success) throw new SyncError('bad-response', 'google oauth code exchange: unexpected tokens');
    const { refresh_token, access_token, id_token } = tokens.data;
    if (!refresh_token)
      throw new SyncError('auth', 'google oauth code exchange: no refresh token was granted');
    const claims = id_token ? idTokenClaims(id_token, this.config.oauth.clientId) : null;
    if (claims?.email)
      return { refreshToken: refresh_token, account: { sub: claims.sub, email: claims.email } };
    if (!access_token) throw new SyncError('auth', 'google oauth code exchange: no access token');
    return { refreshToken: refresh_token, account: await this.userInfo(client, access_token) };
  }

  private async userInfo(client: OAuth2Client, accessToken: string): Promise<GoogleAccount> {
    client.setCredentials({ access_token: accessToken });
    let data: unknown;
    try {
      const res = await client.request({
        url: this.options.userInfoUrl ?? 'https://openidconnect.googleapis.com/v1/userinfo',
        retry: false,
        timeout: this.options.timeoutMs ?? 30_000,
      });
      data = res.data;
    } catch (e) {
      throw oauthError('userinfo', e, 'auth');
    }
    const info = userInfoSchema.safeParse(data);
    if (!info.success) throw new SyncError('bad-response', 'google oauth userinfo: unexpected shape');
    return { sub: info.data.sub, email: info.data.email };
  }

  /** A client for the People API that fetches and refreshes its access token by itself. */
  authorizedClient(refreshToken: string): OAuth2Client {
    const client = this.client();
    client.setCredentials({ refresh_token: refreshToken });
    return client;
  }

  /** Checks the grant is alive by refreshing once; a dead one fails as 'auth-revoked'. */
  async checkGrant(refreshToken: string): Promise<void> {
    try {
      await this.authorizedClient(refreshToken).getAccessToken();
    } catch (e) {
      throw oauthError('refresh', e, 'auth-revoked');
    }
  }

  /** Disconnect: a grant Google no longer knows counts as revoked. */
  async revoke(refreshToken: string): Promise<void> {
    try {
      await this.client().revokeToken(refreshToken);
    } catch (e) {
      const f = describeFailure(e, Date.now());
      if (f.oauthError === 'invalid_token') return;
      throw oauthError('revoke', e, 'auth');
    }
  }
}
