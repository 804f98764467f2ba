// The real client libraries against the stand-in, pointed at it the way reference §10 describes:
// `endpoints` on OAuth2Client and `rootUrl` on the People service.
import assert from 'node:assert/strict';
import { CodeChallengeMethod, OAuth2Client, type Credentials } from 'google-auth-library';
import { google, type people_v1 } from 'googleapis';
import { SCOPE_CONTACTS, type GoogleStandin } from '../../../../infra/standins/google/index.js';
import { ALICE, person, start } from './helpers.js';

const CLIENT = {
  clientId: 'lib-test.apps.googleusercontent.com',
  clientSecret: 'lib-secret',
  redirectUris: ['http://127.0.0.1:9/cb'],
};

describe('Google stand-in: real googleapis and google-auth-library clients', function () {
  this.timeout(30_000);
  let standin: GoogleStandin;

  beforeEach(async () => {
    standin = await start({ oauthClients: [CLIENT] });
  });
  afterEach(() => standin.close());

  const oauthClient = (extra: { forceRefreshOnFailure?: boolean } = {}) =>
    new OAuth2Client({
      clientId: CLIENT.clientId,
      clientSecret: CLIENT.clientSecret,
      redirectUri: CLIENT.redirectUris[0],
      endpoints: {
        oauth2AuthBaseUrl: standin.endpoints.oauth2AuthBaseUrl,
        oauth2TokenUrl: standin.endpoints.oauth2TokenUrl,
        oauth2RevokeUrl: standin.endpoints.oauth2RevokeUrl,
        tokenInfoUrl: standin.endpoints.tokenInfoUrl,
        oauth2FederatedSignonPemCertsUrl: standin.endpoints.oauth2FederatedSignonPemCertsUrl,
        oauth2FederatedSignonJwkCertsUrl: standin.endpoints.oauth2FederatedSignonJwkCertsUrl,
      },
      ...extra,
    });

  /** googleapis bundles its own google-auth-library copy; the client is structurally the same. */
  const peopleApi = (auth: OAuth2Client): people_v1.People =>
    google.people({
      version: 'v1',
      auth: auth as unknown as people_v1.Options['auth'],
      rootUrl: standin.endpoints.peopleRootUrl,
    });

  /** The browser leg: follow generateAuthUrl to the redirect and read the code. */
  async function consent(client: OAuth2Client, codeChallenge: string | undefined): Promise<string> {
    assert.ok(codeChallenge);
    const url = client.generateAuthUrl({
      access_type: 'offline',
      scope: [SCOPE_CONTACTS, 'openid', 'email'],
      state: 'st',
      login_hint: ALICE,
      code_challenge_method: CodeChallengeMethod.S256,
      code_challenge: codeChallenge,
    });
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
    assert.equal(res.status, 302);
    const code = new URL(res.headers.get('location')!).searchParams.get('code');
    assert.ok(code);
    return code;
  }

  async function connected(): Promise<{ client: OAuth2Client; tokens: Credentials }> {
    const client = oauthClient();
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const code = await consent(client, codeChallenge);
    const { tokens } = await client.getToken({ code, codeVerifier });
    client.setCredentials(tokens);
    return { client, tokens };
  }

  it('§10 OAuth2Client: generateAuthUrl + PKCE + getToken, and the tokens event fires', async () => {
    const client = oauthClient();
    const events: Credentials[] = [];
    client.on('tokens', (t) => events.push(t));
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const { tokens } = await client.getToken({ code: await consent(client, codeChallenge), codeVerifier });
    assert.ok(tokens.access_token && tokens.refresh_token && tokens.id_token);
    assert.ok(typeof tokens.expiry_date === 'number' && tokens.expiry_date > Date.now());
    assert.equal(events.length, 1);
  });

  it('§10 OAuth2Client: verifyIdToken accepts the stand-in’s id_token via its certs endpoint', async () => {
    const { client, tokens } = await connected();
    const ticket = await client.verifyIdToken({ idToken: tokens.id_token!, audience: CLIENT.clientId });
    assert.equal(ticket.getPayload()?.email, ALICE);
  });

  it('§10 OAuth2Client: getTokenInfo (POST with Bearer) reports email and scopes', async () => {
    const { client, tokens } = await connected();
    const info = await client.getTokenInfo(tokens.access_token!);
    assert.equal(info.email, ALICE);
    assert.ok(info.scopes.includes(SCOPE_CONTACTS));
  });

  it('§10 a revoked refresh token fails the refresh with err.message invalid_grant and the §10 description', async () => {
    const { client, tokens } = await connected();
    await client.revokeToken(tokens.refresh_token!);
    const fresh = oauthClient();
    fresh.setCredentials({ refresh_token: tokens.refresh_token });
    await assert.rejects(
      fresh.refreshAccessToken(),
      (err: Error & { response?: { data?: { error_description?: string } } }) => {
        assert.equal(err.message, 'invalid_grant');
        assert.equal(err.response?.data?.error_description, 'Token has been expired or revoked.');
        return true;
      },
    );
  });

  it('§10 on a 401 the library refreshes once and replays the call (forceRefreshOnFailure)', async () => {
    const { tokens } = await connected();
    const client = oauthClient({ forceRefreshOnFailure: true });
    client.setCredentials({
      access_token: 'ya29.stale',
      refresh_token: tokens.refresh_token,
      expiry_date: Date.now() + 3_600_000,
    });
    standin.resetStats();
    const res = await peopleApi(client).contactGroups.list({});
    assert.equal(res.status, 200);
    const s = standin.stats();
    assert.equal(s.byMethod['oauth.token'], 1);
    assert.equal(s.byMethod['contactGroups.list'], 2);
  });

  it('§3 googleapis: createContact, paged connections.list and an incremental sync', async () => {
    const { client } = await connected();
    const people = peopleApi(client);
    for (let i = 0; i < 5; i++) {
      await people.people.createContact({ personFields: 'names', requestBody: person(`Lib${i}`, 'Client') });
    }
    const seen: string[] = [];
    let pageToken: string | undefined;
    let syncToken: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await people.people.connections.list({
        resourceName: 'people/me',
        personFields: 'names,metadata',
        pageSize: 2,
        requestSyncToken: true,
        pageToken,
      });
      seen.push(...(res.data.connections ?? []).map((p) => p.resourceName!));
      pageToken = res.data.nextPageToken ?? undefined;
      if (!pageToken) {
        syncToken = res.data.nextSyncToken ?? undefined;
        break;
      }
    }
    assert.equal(seen.length, 5);
    assert.ok(syncToken);
    const target = seen[0]!;
    const current = await people.people.get({ resourceName: target, personFields: 'names' });
    await people.people.updateContact({
      resourceName: target,
      updatePersonFields: 'names',
      requestBody: { etag: current.data.etag, names: [{ givenName: 'Renamed' }] },
    });
    const inc = await people.people.connections.list({
      resourceName: 'people/me',
      personFields: 'names,metadata',
      requestSyncToken: true,
      syncToken,
    });
    assert.deepEqual(
      inc.data.connections?.map((p) => p.names?.[0]?.givenName),
      ['Renamed'],
    );
  });

  it('§4 googleapis: an expired sync token surfaces as GaxiosError 400 with reason EXPIRED_SYNC_TOKEN', async () => {
    const { client } = await connected();
    const people = peopleApi(client);
    const full = await people.people.connections.list({
      resourceName: 'people/me',
      personFields: 'names',
      requestSyncToken: true,
    });
    standin.advance(8 * 24 * 3600 * 1000);
    // The library's own expiry check uses wall time, so hand it a fresh token for the new clock.
    client.setCredentials({ access_token: standin.issueAccessToken(ALICE) });
    await assert.rejects(
      people.people.connections.list({
        resourceName: 'people/me',
        personFields: 'names',
        requestSyncToken: true,
        syncToken: full.data.nextSyncToken!,
      }),
      (
        err: Error & {
          status?: number;
          response?: { data?: { error?: { details?: { reason?: string }[] } } };
        },
      ) => {
        assert.equal(err.status, 400);
        assert.equal(
          err.message,
          'Sync token is expired. Clear local cache and retry call without the sync token.',
        );
        assert.equal(err.response?.data?.error?.details?.[0]?.reason, 'EXPIRED_SYNC_TOKEN');
        return true;
      },
    );
  });

  it('§10 googleapis retries a GET on 503 by itself but never a POST', async () => {
    const { client } = await connected();
    const people = peopleApi(client);
    standin.faults.add({ match: { method: 'contactGroups.list' }, status: 503, times: 2 });
    standin.resetStats();
    const res = await people.contactGroups.list({});
    assert.equal(res.status, 200);
    assert.equal(standin.stats().byMethod['contactGroups.list'], 3);
    standin.faults.add({ match: { method: 'people.createContact' }, status: 503, times: 1 });
    await assert.rejects(
      people.people.createContact({ requestBody: person('No', 'Retry') }),
      (err: Error & { status?: number }) => err.status === 503,
    );
    assert.equal(standin.stats().byMethod['people.createContact'], 1);
  });

  it('§7 googleapis: group create, duplicate 409 and members.modify', async () => {
    const { client } = await connected();
    const people = peopleApi(client);
    const g = await people.contactGroups.create({ requestBody: { contactGroup: { name: "bpm'online" } } });
    await assert.rejects(
      people.contactGroups.create({ requestBody: { contactGroup: { name: "bpm'online" } } }),
      (err: Error & { status?: number }) => err.status === 409,
    );
    const p = await people.people.createContact({ requestBody: person('In', 'Group') });
    const mod = await people.contactGroups.members.modify({
      resourceName: g.data.resourceName!,
      requestBody: { resourceNamesToAdd: [p.data.resourceName!, 'people/c1'] },
    });
    assert.deepEqual(mod.data.notFoundResourceNames, ['people/c1']);
    const got = await people.contactGroups.get({ resourceName: g.data.resourceName!, maxMembers: 10 });
    assert.deepEqual(got.data.memberResourceNames, [p.data.resourceName]);
  });
});
