// connections.list paging and sync tokens, checked against reference §3 and §4.
import assert from 'node:assert/strict';
import type { GoogleStandin } from '../../../../infra/standins/google/index.js';
import { ALICE, api, listAll, person, start, type Api } from './helpers.js';

const EXPIRED_BODY = {
  error: {
    code: 400,
    message: 'Sync token is expired. Clear local cache and retry call without the sync token.',
    status: 'FAILED_PRECONDITION',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'EXPIRED_SYNC_TOKEN',
        domain: 'people.googleapis.com',
      },
    ],
  },
};

const DAY = 24 * 3600 * 1000;

function seed(standin: GoogleStandin, n: number, email = ALICE): string[] {
  const names: string[] = [];
  for (let i = 0; i < n; i++)
    names.push(String(standin.user.createContact(email, person(`P${i}`, `Seed${i}`)).resourceName));
  return names;
}

async function fullSync(client: Api, query: Record<string, string | number | boolean> = {}) {
  const all = await listAll(client, { personFields: 'names,metadata', requestSyncToken: true, ...query });
  const token = all.pages.at(-1)!.body.nextSyncToken as string;
  return { ...all, token };
}

describe('Google stand-in: connections.list and sync tokens', function () {
  this.timeout(60_000);
  let standin: GoogleStandin;
  let alice: Api;

  afterEach(() => standin.close());

  describe('with the default options', () => {
    beforeEach(async () => {
      standin = await start();
      alice = api(standin, standin.issueAccessToken(ALICE));
    });

    it('§2 the default page size is 100 and every contact is listed exactly once across pages', async () => {
      const names = seed(standin, 250);
      const { people, pages } = await listAll(alice, { personFields: 'names' });
      assert.deepEqual(
        pages.map((p) => (p.body.connections ?? []).length),
        [100, 100, 50],
      );
      assert.deepEqual(people.map((p) => p.resourceName).sort(), [...names].sort());
      assert.equal(pages[0]!.body.totalItems, 250);
    });

    it('§2 pageSize must be 1–1000: 1000 is accepted, 1001 and negatives are a 400', async () => {
      seed(standin, 3);
      assert.equal(
        (await alice.get('/v1/people/me/connections', { personFields: 'names', pageSize: 1000 })).status,
        200,
      );
      assert.equal(
        (await alice.get('/v1/people/me/connections', { personFields: 'names', pageSize: 1001 })).status,
        400,
      );
      assert.equal(
        (await alice.get('/v1/people/me/connections', { personFields: 'names', pageSize: -1 })).status,
        400,
      );
    });

    it('§3 personFields is required on connections.list', async () => {
      const res = await alice.get('/v1/people/me/connections');
      assert.equal(res.status, 400);
      assert.equal(res.body.error.status, 'INVALID_ARGUMENT');
    });

    it('§3 nextSyncToken appears only on the last page', async () => {
      seed(standin, 5);
      const { pages } = await listAll(alice, { personFields: 'names', pageSize: 2, requestSyncToken: true });
      assert.equal(pages.length, 3);
      assert.equal(pages[0]!.body.nextSyncToken, undefined);
      assert.equal(pages[1]!.body.nextSyncToken, undefined);
      assert.equal(typeof pages[2]!.body.nextSyncToken, 'string');
      assert.equal(pages[2]!.body.nextPageToken, undefined);
    });

    it('§3 nextSyncToken appears only when requestSyncToken=true', async () => {
      seed(standin, 2);
      const res = await alice.get('/v1/people/me/connections', { personFields: 'names' });
      assert.equal(res.body.nextSyncToken, undefined);
    });

    it('§3 with a sync token only contacts changed since come back', async () => {
      const [a, b] = seed(standin, 3);
      const { token } = await fullSync(alice);
      standin.user.updateContact(ALICE, a!, { names: [{ givenName: 'Changed' }] });
      await alice.post(`/v1/contactGroups/starred/members:modify`, { resourceNamesToAdd: [b] });
      const inc = await alice.get('/v1/people/me/connections', {
        personFields: 'names,metadata',
        requestSyncToken: true,
        syncToken: token,
      });
      assert.equal(inc.status, 200, inc.text);
      assert.deepEqual(
        inc.body.connections.map((p: { resourceName: string }) => p.resourceName).sort(),
        [a, b].sort(),
      );
      assert.equal(typeof inc.body.nextSyncToken, 'string');
      const none = await alice.get('/v1/people/me/connections', {
        personFields: 'names,metadata',
        requestSyncToken: true,
        syncToken: inc.body.nextSyncToken,
      });
      assert.equal(none.body.connections, undefined, 'nothing changed since, so no connections key at all');
    });

    it('§3 deleted contacts come back as metadata.deleted tombstones, only on sync requests', async () => {
      const [a] = seed(standin, 2);
      const { token } = await fullSync(alice);
      await alice.del(`/v1/${a}:deleteContact`);
      const inc = await alice.get('/v1/people/me/connections', {
        personFields: 'names,metadata',
        syncToken: token,
        requestSyncToken: true,
      });
      const [tomb] = inc.body.connections;
      assert.equal(tomb.resourceName, a);
      assert.equal(tomb.metadata.deleted, true);
      assert.equal(tomb.metadata.sources[0].type, 'CONTACT');
      assert.equal(typeof tomb.etag, 'string');
      assert.equal(tomb.names, undefined);
      const full = await listAll(alice, { personFields: 'names,metadata' });
      assert.ok(!full.people.some((p) => p.resourceName === a), 'a full listing never shows tombstones');
    });

    it('§3 without metadata in personFields a deletion cannot be recognised (no metadata.deleted)', async () => {
      const [a] = seed(standin, 1);
      const { token } = await fullSync(alice, { personFields: 'names' });
      standin.user.deleteContact(ALICE, a!);
      const inc = await alice.get('/v1/people/me/connections', {
        personFields: 'names',
        syncToken: token,
        requestSyncToken: true,
      });
      assert.deepEqual(Object.keys(inc.body.connections[0]).sort(), ['etag', 'resourceName']);
    });

    it('§3 a user edit in the Contacts UI shows up in sync like an API write', async () => {
      const { token } = await fullSync(alice);
      const created = standin.user.createContact(ALICE, person('Ui', 'Made'));
      const inc = await alice.get('/v1/people/me/connections', {
        personFields: 'names,metadata',
        syncToken: token,
        requestSyncToken: true,
      });
      assert.equal(inc.body.connections[0].resourceName, created.resourceName);
      assert.equal(inc.body.connections[0].etag, created.etag);
    });

    it('§4 a token older than 7 days gives the reported 400 body exactly', async () => {
      alice = api(standin, standin.issueAccessToken(ALICE, { ttlSec: 30 * 24 * 3600 }));
      seed(standin, 1);
      const { token } = await fullSync(alice);
      standin.advance(7 * DAY - 1000);
      assert.equal(
        (
          await alice.get('/v1/people/me/connections', {
            personFields: 'names',
            syncToken: token,
            requestSyncToken: true,
          })
        ).status,
        200,
      );
      standin.advance(2000);
      const res = await alice.get('/v1/people/me/connections', {
        personFields: 'names',
        syncToken: token,
        requestSyncToken: true,
      });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, EXPIRED_BODY);
    });

    it('§3 a page token is bound to the first call: a different pageSize is a 400 INVALID_ARGUMENT', async () => {
      seed(standin, 5);
      const first = await alice.get('/v1/people/me/connections', { personFields: 'names', pageSize: 2 });
      const pageToken = first.body.nextPageToken;
      const same = await alice.get('/v1/people/me/connections', {
        personFields: 'names',
        pageSize: 2,
        pageToken,
      });
      assert.equal(same.status, 200);
      const otherSize = await alice.get('/v1/people/me/connections', {
        personFields: 'names',
        pageSize: 3,
        pageToken,
      });
      assert.equal(otherSize.status, 400);
      assert.equal(otherSize.body.error.status, 'INVALID_ARGUMENT');
      const otherFields = await alice.get('/v1/people/me/connections', {
        personFields: 'names,emailAddresses',
        pageSize: 2,
        pageToken,
      });
      assert.equal(otherFields.status, 400);
    });

    it('§3 on incremental pages the syncToken must be resent with every pageToken', async () => {
      seed(standin, 1);
      const { token } = await fullSync(alice);
      seed(standin, 3);
      const first = await alice.get('/v1/people/me/connections', {
        personFields: 'names',
        pageSize: 2,
        syncToken: token,
        requestSyncToken: true,
      });
      const pageToken = first.body.nextPageToken;
      const withoutSync = await alice.get('/v1/people/me/connections', {
        personFields: 'names',
        pageSize: 2,
        requestSyncToken: true,
        pageToken,
      });
      assert.equal(withoutSync.status, 400);
      const withSync = await alice.get('/v1/people/me/connections', {
        personFields: 'names',
        pageSize: 2,
        syncToken: token,
        requestSyncToken: true,
        pageToken,
      });
      assert.equal(withSync.status, 200);
      assert.equal(typeof withSync.body.nextSyncToken, 'string');
    });

    it('§3 sortOrder LAST_MODIFIED_DESCENDING and FIRST_NAME_ASCENDING are honoured', async () => {
      standin.user.createContact(ALICE, person('Cy', 'A'));
      standin.user.createContact(ALICE, person('Al', 'B'));
      standin.user.createContact(ALICE, person('Bo', 'C'));
      const given = (res: { body: { connections: { names: { givenName: string }[] }[] } }) =>
        res.body.connections.map((p) => p.names[0]!.givenName);
      assert.deepEqual(
        given(
          await alice.get('/v1/people/me/connections', {
            personFields: 'names',
            sortOrder: 'LAST_MODIFIED_DESCENDING',
          }),
        ),
        ['Bo', 'Al', 'Cy'],
      );
      assert.deepEqual(
        given(
          await alice.get('/v1/people/me/connections', {
            personFields: 'names',
            sortOrder: 'FIRST_NAME_ASCENDING',
          }),
        ),
        ['Al', 'Bo', 'Cy'],
      );
      assert.equal(
        (await alice.get('/v1/people/me/connections', { personFields: 'names', sortOrder: 'BY_MOOD' }))
          .status,
        400,
      );
    });

    it('§3 list results cap emailAddresses at 100 per person; people.get returns them all', async () => {
      const emails = Array.from({ length: 101 }, (_, i) => ({ value: `e${i}@example.com` }));
      const created = standin.user.createContact(ALICE, { emailAddresses: emails });
      const listed = await alice.get('/v1/people/me/connections', { personFields: 'emailAddresses' });
      assert.equal(listed.body.connections[0].emailAddresses.length, 100);
      const got = await alice.get(`/v1/${String(created.resourceName)}`, { personFields: 'emailAddresses' });
      assert.equal(got.body.emailAddresses.length, 101);
    });

    it('§5 an account with 25,000 contacts lists in 25 pages of 1000 in bounded time', async function () {
      this.timeout(60_000);
      for (let i = 0; i < 25_000; i++)
        standin.user.createContact(
          ALICE,
          person(`Given${i}`, `Family${i}`, { emailAddresses: [{ value: `p${i}@example.com` }] }),
        );
      const started = Date.now();
      const { people, pages } = await listAll(
        alice,
        { personFields: 'names,emailAddresses,metadata', pageSize: 1000, requestSyncToken: true },
        30,
      );
      const elapsed = Date.now() - started;
      assert.equal(people.length, 25_000);
      assert.equal(pages.length, 25);
      assert.ok(elapsed < 15_000, `full listing took ${elapsed} ms`);
      const token = pages.at(-1)!.body.nextSyncToken;
      const t2 = Date.now();
      const inc = await alice.get('/v1/people/me/connections', {
        personFields: 'names',
        syncToken: token,
        requestSyncToken: true,
      });
      assert.equal(inc.body.connections, undefined);
      assert.ok(Date.now() - t2 < 2000, 'an empty incremental sync over 25k contacts stays cheap');
    });
  });

  describe('with options', () => {
    it('§4 in 410 mode an expired token gives HTTP 410 with the same reason', async () => {
      standin = await start({ expiredTokenMode: '410', syncTokenTtlMs: 60_000 });
      alice = api(standin, standin.issueAccessToken(ALICE, { ttlSec: 10 * 24 * 3600 }));
      const { token } = await fullSync(alice);
      standin.advance(61_000);
      const res = await alice.get('/v1/people/me/connections', {
        personFields: 'names',
        syncToken: token,
        requestSyncToken: true,
      });
      assert.equal(res.status, 410);
      assert.equal(res.body.error.code, 410);
      assert.equal(res.body.error.details[0].reason, 'EXPIRED_SYNC_TOKEN');
    });

    it('§3 writes appear in sync results only after the propagation delay, and the token never skips them', async () => {
      standin = await start({ propagationDelayMs: 60_000 });
      alice = api(standin, standin.issueAccessToken(ALICE));
      const { token } = await fullSync(alice);
      const created = standin.user.createContact(ALICE, person('Late', 'Arrival'));
      const early = await alice.get('/v1/people/me/connections', {
        personFields: 'names,metadata',
        syncToken: token,
        requestSyncToken: true,
      });
      assert.equal(early.body.connections, undefined, 'a young write is withheld');
      standin.advance(61_000);
      const late = await alice.get('/v1/people/me/connections', {
        personFields: 'names,metadata',
        syncToken: early.body.nextSyncToken,
        requestSyncToken: true,
      });
      assert.deepEqual(
        late.body.connections.map((p: { resourceName: string }) => p.resourceName),
        [created.resourceName],
      );
    });

    it('§3 a full listing taken during the propagation window issues a token positioned before the young write', async () => {
      standin = await start({ propagationDelayMs: 60_000 });
      alice = api(standin, standin.issueAccessToken(ALICE));
      const created = standin.user.createContact(ALICE, person('Young', 'Write'));
      const { people, token } = await fullSync(alice);
      assert.equal(people.length, 1, 'a full listing shows current state');
      standin.advance(61_000);
      const inc = await alice.get('/v1/people/me/connections', {
        personFields: 'names',
        syncToken: token,
        requestSyncToken: true,
      });
      assert.deepEqual(
        inc.body.connections.map((p: { resourceName: string }) => p.resourceName),
        [created.resourceName],
      );
    });
  });
});
