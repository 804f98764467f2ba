// Authentication, scopes, per-user quota (§9), fault injection and request statistics.
import assert from 'node:assert/strict';
import type { GoogleStandin } from '../../../../infra/standins/google/index.js';
import { SCOPE_CONTACTS_READONLY } from '../../../../infra/standins/google/index.js';
import { ALICE, BOB, api, http, person, start, type Api } from './helpers.js';

describe('Google stand-in: auth, quota, faults and stats', function () {
  this.timeout(20_000);
  let standin: GoogleStandin;
  let alice: Api;

  afterEach(() => standin.close());

  describe('authentication and scopes', () => {
    beforeEach(async () => {
      standin = await start();
      alice = api(standin, standin.issueAccessToken(ALICE));
    });

    it('§8 a People call without a Bearer token is 401 UNAUTHENTICATED with Google’s message', async () => {
      const res = await http(standin, 'GET', '/v1/people/me/connections', {
        query: { personFields: 'names' },
      });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.status, 'UNAUTHENTICATED');
      assert.match(
        res.body.error.message,
        /^Request is missing required authentication credential\. Expected OAuth 2 access token/,
      );
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    });

    it('§8 an unknown or expired access token is 401 with "invalid authentication credentials"', async () => {
      const bogus = await api(standin, 'ya29.not-a-token').get('/v1/people/me/connections', {
        personFields: 'names',
      });
      assert.equal(bogus.status, 401);
      assert.match(bogus.body.error.message, /^Request had invalid authentication credentials/);
      const shortLived = api(standin, standin.issueAccessToken(ALICE, { ttlSec: 60 }));
      assert.equal(
        (await shortLived.get('/v1/people/me/connections', { personFields: 'names' })).status,
        200,
      );
      standin.advance(61_000);
      assert.equal(
        (await shortLived.get('/v1/people/me/connections', { personFields: 'names' })).status,
        401,
      );
    });

    it('§1 contacts.readonly allows reads; writes need the contacts scope (403 ACCESS_TOKEN_SCOPE_INSUFFICIENT)', async () => {
      const reader = api(standin, standin.issueAccessToken(ALICE, { scopes: [SCOPE_CONTACTS_READONLY] }));
      assert.equal((await reader.get('/v1/people/me/connections', { personFields: 'names' })).status, 200);
      const write = await reader.post('/v1/people:createContact', person('Ada', 'Lovelace'));
      assert.equal(write.status, 403);
      assert.equal(write.body.error.status, 'PERMISSION_DENIED');
      assert.equal(write.body.error.details[0].reason, 'ACCESS_TOKEN_SCOPE_INSUFFICIENT');
      const groupWrite = await reader.post('/v1/contactGroups', { contactGroup: { name: 'X' } });
      assert.equal(groupWrite.status, 403, 'group mutations need the contacts scope too');
    });

    it('§11 accounts are separate: one account never sees another’s contacts', async () => {
      standin.user.createContact(ALICE, person('Ada', 'Lovelace'));
      const bob = api(standin, standin.issueAccessToken(BOB));
      const res = await bob.get('/v1/people/me/connections', { personFields: 'names' });
      assert.equal(res.body.connections, undefined);
    });
  });

  describe('§9 quota', () => {
    beforeEach(async () => {
      standin = await start({ quotaPerMinute: { read: 3, write: 2 } });
      alice = api(standin, standin.issueAccessToken(ALICE));
    });

    it('§9 exceeding the per-user read quota gives 429 RESOURCE_EXHAUSTED with RATE_LIMIT_EXCEEDED and Retry-After', async () => {
      for (let i = 0; i < 3; i++)
        assert.equal((await alice.get('/v1/people/me/connections', { personFields: 'names' })).status, 200);
      const res = await alice.get('/v1/people/me/connections', { personFields: 'names' });
      assert.equal(res.status, 429);
      assert.equal(res.body.error.status, 'RESOURCE_EXHAUSTED');
      const [info] = res.body.error.details;
      assert.equal(info['@type'], 'type.googleapis.com/google.rpc.ErrorInfo');
      assert.equal(info.reason, 'RATE_LIMIT_EXCEEDED');
      assert.equal(info.metadata.quota_limit, 'CriticalReadsPerMinutePerProjectPerUser');
      assert.equal(info.metadata.quota_metric, 'people.googleapis.com/critical_read_requests');
      assert.match(
        res.body.error.message,
        /Critical read requests \(Contact and Profile Reads\) per minute per user/,
      );
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    });

    it('§9 read and write quotas are counted separately and per account; the next minute starts afresh', async () => {
      for (let i = 0; i < 3; i++) await alice.get('/v1/contactGroups');
      assert.equal((await alice.get('/v1/contactGroups')).status, 429);
      assert.equal((await alice.post('/v1/people:createContact', person('A', 'B'))).status, 200);
      assert.equal((await alice.post('/v1/people:createContact', person('C', 'D'))).status, 200);
      const w = await alice.post('/v1/people:createContact', person('E', 'F'));
      assert.equal(w.status, 429);
      assert.equal(w.body.error.details[0].metadata.quota_limit, 'CriticalWritesPerMinutePerProjectPerUser');
      const bob = api(standin, standin.issueAccessToken(BOB));
      assert.equal((await bob.get('/v1/contactGroups')).status, 200);
      standin.advance(60_000);
      assert.equal((await alice.get('/v1/contactGroups')).status, 200);
    });
  });

  describe('fault hooks', () => {
    beforeEach(async () => {
      standin = await start();
      alice = api(standin, standin.issueAccessToken(ALICE));
    });

    it('§11 §9 a 429 fault answers Google’s rate-limit body with the given Retry-After, `times` times', async () => {
      standin.faults.add({ match: { method: 'connections.list' }, status: 429, retryAfterSec: 7, times: 2 });
      for (let i = 0; i < 2; i++) {
        const res = await alice.get('/v1/people/me/connections', { personFields: 'names' });
        assert.equal(res.status, 429);
        assert.equal(res.headers.get('retry-after'), '7');
        assert.equal(res.body.error.details[0].reason, 'RATE_LIMIT_EXCEEDED');
      }
      assert.equal((await alice.get('/v1/people/me/connections', { personFields: 'names' })).status, 200);
      assert.deepEqual(standin.faults.pending(), []);
    });

    it('§11 500 and 503 faults answer google.rpc errors; 502 answers the front end’s HTML page', async () => {
      standin.faults.add({ match: { path: '/v1/contactGroups' }, status: 500, times: 1 });
      standin.faults.add({ match: { path: /contactGroups$/ }, status: 503, times: 1 });
      standin.faults.add({ match: { method: 'GET' }, status: 502, times: 1 });
      const r500 = await alice.get('/v1/contactGroups');
      assert.deepEqual([r500.status, r500.body.error.status], [500, 'INTERNAL']);
      const r503 = await alice.get('/v1/contactGroups');
      assert.deepEqual([r503.status, r503.body.error.status], [503, 'UNAVAILABLE']);
      const r502 = await alice.get('/v1/contactGroups');
      assert.equal(r502.status, 502);
      assert.match(r502.headers.get('content-type') ?? '', /text\/html/);
    });

    it('§11 a drop fault destroys the socket without an answer', async () => {
      standin.faults.add({ match: { method: 'people.createContact' }, drop: true, times: 1 });
      await assert.rejects(alice.post('/v1/people:createContact', person('A', 'B')));
      assert.equal((await alice.post('/v1/people:createContact', person('A', 'B'))).status, 200);
    });

    it('§11 a dropAfter fault carries the request out, then destroys the socket without an answer', async () => {
      standin.faults.add({ match: { method: 'people.createContact' }, dropAfter: true, times: 1 });
      await assert.rejects(alice.post('/v1/people:createContact', person('Lost', 'Answer')));
      assert.equal(standin.user.listContacts(ALICE).length, 1);
      assert.throws(() => standin.faults.add({ times: 1 }), RangeError);
    });

    it('§11 a delay fault slows the matching request and then serves it normally', async () => {
      standin.faults.add({ match: { account: ALICE }, delayMs: 300, times: 1 });
      const started = Date.now();
      const res = await alice.get('/v1/contactGroups');
      assert.equal(res.status, 200);
      assert.ok(Date.now() - started >= 280);
    });

    it('§11 faults match by account: another account is unaffected', async () => {
      standin.faults.add({ match: { account: BOB }, status: 503, times: 5 });
      assert.equal((await alice.get('/v1/contactGroups')).status, 200);
      const bob = api(standin, standin.issueAccessToken(BOB));
      assert.equal((await bob.get('/v1/contactGroups')).status, 503);
    });
  });

  describe('stats and latency', () => {
    it('§11 stats count requests per method and per account, and reset', async () => {
      standin = await start();
      alice = api(standin, standin.issueAccessToken(ALICE));
      const bob = api(standin, standin.issueAccessToken(BOB));
      await alice.get('/v1/people/me/connections', { personFields: 'names' });
      await alice.get('/v1/people/me/connections', { personFields: 'names' });
      await alice.post('/v1/people:batchCreateContacts', {
        contacts: [{ contactPerson: person('A', 'B') }],
        readMask: '',
      });
      await bob.post('/v1/contactGroups/myContacts/members:modify', { resourceNamesToAdd: [] });
      const s = standin.stats();
      assert.equal(s.total, 4);
      assert.equal(s.byMethod['connections.list'], 2);
      assert.equal(s.byAccount[ALICE]!.byMethod['people.batchCreateContacts'], 1);
      assert.equal(s.byAccount[BOB]!.byMethod['contactGroups.members.modify'], 1);
      standin.resetStats();
      assert.equal(standin.stats().total, 0);
    });

    it('§11 latencyMs is added to every request', async () => {
      standin = await start({ latencyMs: 150 });
      alice = api(standin, standin.issueAccessToken(ALICE));
      const started = Date.now();
      await alice.get('/v1/contactGroups');
      assert.ok(Date.now() - started >= 140);
    });
  });
});
