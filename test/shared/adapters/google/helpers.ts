// The Google adapter against the in-process stand-in, through the real googleapis and
// google-auth-library clients. Only fictional people and example.com addresses appear here.
import assert from 'node:assert/strict';
import type { GoogleConfig } from '../../../../shared/config.js';
import { SyncError } from '../../../../shared/errors.js';
import {
  GoogleOAuth,
  GooglePeopleSide,
  type GooglePeopleSideOptions,
} from '../../../../shared/adapters/google/index.js';
import type { Contact } from '../../../../shared/sync/index.js';
import { emptyContact } from '../../../../shared/sync/index.js';
import {
  startGoogleStandin,
  type GoogleStandin,
  type GoogleStandinOptions,
  type PersonJson,
} from '../../../../infra/standins/google/index.js';

export const ALICE = 'alice@example.com';
export const CLIENT = {
  clientId: 'contact-sync-test.apps.googleusercontent.com',
  clientSecret: 'contact-sync-test-secret',
  redirectUris: ['http://127.0.0.1:9/oauth/callback'],
};
export const GROUP = "bpm'online";

export function googleConfig(standin: GoogleStandin): GoogleConfig {
  return {
    peopleApiUrl: standin.url,
    oauth: {
      authUrl: standin.endpoints.oauth2AuthBaseUrl,
      tokenUrl: standin.endpoints.oauth2TokenUrl,
      revokeUrl: standin.endpoints.oauth2RevokeUrl,
      clientId: CLIENT.clientId,
      clientSecret: CLIENT.clientSecret,
      redirectUrl: CLIENT.redirectUris[0]!,
    },
  };
}

export interface Harness {
  standin: GoogleStandin;
  oauth: GoogleOAuth;
  /** Follows a consent URL in the stand-in's "browser" and returns where it redirects to. */
  consent(url: string): Promise<URL>;
  /** A refresh token for the account, through the real consent and code exchange. */
  connect(email?: string): Promise<string>;
  /** A side whose backoff waits are recorded, not slept, on a fake clock. */
  side(refreshToken: string, options?: Partial<GooglePeopleSideOptions>): TestSide;
  close(): Promise<void>;
}

export interface TestSide {
  side: GooglePeopleSide;
  waits: number[];
}

export async function harness(options: GoogleStandinOptions = {}): Promise<Harness> {
  const standin = await startGoogleStandin({ oauthClients: [CLIENT], ...options });
  const oauth = new GoogleOAuth(googleConfig(standin), {
    userInfoUrl: standin.endpoints.userInfoUrl,
    tokenInfoUrl: standin.endpoints.tokenInfoUrl,
  });
  const consent = async (url: string): Promise<URL> => {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
    assert.equal(res.status, 302);
    return new URL(res.headers.get('location')!);
  };
  return {
    standin,
    oauth,
    consent,
    async connect(email = ALICE) {
      const p = await oauth.createPkce();
      const back = await consent(
        oauth.authorizationUrl({ state: 'st', codeChallenge: p.challenge, loginHint: email }),
      );
      const { refreshToken } = await oauth.exchangeCode(back.searchParams.get('code')!, p.verifier);
      return refreshToken;
    },
    side(refreshToken, o = {}) {
      const waits: number[] = [];
      let now = Date.UTC(2026, 0, 1);
      const side = new GooglePeopleSide({
        auth: oauth.authorizedClient(refreshToken),
        peopleApiUrl: standin.url,
        sleep: async (ms) => {
          waits.push(ms);
          now += ms;
        },
        clock: { now: () => now },
        random: () => 0.5,
        timeoutMs: 5000,
        ...o,
      });
      return { side, waits };
    },
    close: () => standin.close(),
  };
}

export const contact = (given: string, family: string, patch: Partial<Contact> = {}): Contact => ({
  ...emptyContact(),
  givenName: given,
  familyName: family,
  emails: [{ address: `${given}.${family}@example.com`.toLowerCase(), type: 'work' }],
  ...patch,
});

export const personJson = (given: string, family: string, extra: PersonJson = {}): PersonJson => ({
  names: [{ givenName: given, familyName: family }],
  emailAddresses: [{ value: `${given}.${family}@example.com`.toLowerCase(), type: 'work' }],
  ...extra,
});

export const MY_CONTACTS = 'contactGroups/myContacts';

/** People API requests only: a new run's client also fetches its access token once. */
export const apiCalls = (h: Harness) =>
  Object.fromEntries(Object.entries(h.standin.stats().byMethod).filter(([m]) => !m.startsWith('oauth.')));

export const membership = (group: string) => ({
  contactGroupMembership: { contactGroupResourceName: group },
});

/** Contacts the user made in the Google UI, in our group. */
export function seedMembers(standin: GoogleStandin, group: string, n: number, email = ALICE): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = standin.user.createContact(
      email,
      personJson(`Given${i}`, `Family${i}`, { memberships: [membership(group), membership(MY_CONTACTS)] }),
    );
    ids.push(p.resourceName as string);
  }
  return ids;
}

export const groupsNamed = (standin: GoogleStandin, name: string, email = ALICE) =>
  standin.user.listGroups(email).filter((g) => g.name === name);

export const calls = (standin: GoogleStandin, method: string): number =>
  standin.stats().byMethod[method] ?? 0;

export async function rejectsWith(p: Promise<unknown>, kind: SyncError['kind']): Promise<SyncError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof SyncError, `expected SyncError(${kind}), got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  return caught;
}
