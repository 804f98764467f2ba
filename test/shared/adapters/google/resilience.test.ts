// Failures at the edge: 429 storms with Retry-After, 5xx, dropped connections, timeouts, refused
// credentials and garbage, each ending in a finished call or a SyncError of the right kind, bounded.
import assert from 'node:assert/strict';
import { OAuth2Client } from 'google-auth-library';
import { GooglePeopleSide } from '../../../../shared/adapters/google/index.js';
import { PeopleClient, DEFAULT_RETRY } from '../../../../shared/adapters/google/client.js';
import { anything } from '../../../../shared/adapters/google/schemas.js';
import { SCOPE_CONTACTS_READONLY } from '../../../../infra/standins/google/index.js';
import type { UpdateItem } from '../../../../shared/ports.js';
import type { SideRecord } from '../../../../shared/sync/index.js';
import { ALICE, calls, contact, harness, rejectsWith, seedMembers, type Harness } from './helpers.js';

/** A one-field edit of a record as read, from its etag. */
const noteEdit = (rec: SideRecord): UpdateItem => ({
  id: rec.id,
  version: rec.version,
  extra: null,
  fields: ['notes'],
  held: rec.contact,
  contact: { ...rec.contact, notes: 'n' },
});

describe('GooglePeopleSide: resilience', function () {
  let h: Harness;
  let rt: string;
  beforeEach(async () => {
    h = await harness();
    rt = await h.connect();
  });
  afterEach(() => h.close());

  it('a storm of 429s with Retry-After on reads and writes: the work finishes, every wait honours Retry-After', async () => {
    const { side, waits } = h.side(rt);
    const first = await side.readChanges(null, { full: false });
    seedMembers(h.standin, side.groupResourceName!, 30);
    h.standin.faults.add({ match: { account: ALICE }, status: 429, retryAfterSec: 3, times: 4 });
    const inc = await side.readChanges(first.cursor, { full: false });
    assert.equal(inc.records.length, 30);
    h.standin.faults.add({
      match: { method: 'people.batchCreateContacts' },
      status: 429,
      retryAfterSec: 2,
      times: 5,
    });
    const made = await side.create([
      { key: 'k', id: null, contact: contact('Ada', 'Lovelace'), marker: 'crm-1' },
    ]);
    assert.ok(made.get('k')?.ok);
    // A 429 is refused before processing: retrying the create made exactly one contact.
    assert.equal(
      h.standin.user.listContacts(ALICE).filter((p) => JSON.stringify(p).includes('crm-1')).length,
      1,
    );
    assert.equal(waits.length, 9);
    assert.ok(
      waits.slice(0, 4).every((w) => w >= 3000),
      JSON.stringify(waits),
    );
    assert.ok(
      waits.slice(4).every((w) => w >= 2000),
      JSON.stringify(waits),
    );
  });

  it('backoff grows exponentially (with jitter) when no Retry-After is given, and is bounded', async () => {
    const { side, waits } = h.side(rt, { random: () => 1 });
    h.standin.faults.add({ match: { method: 'contactGroups.list' }, status: 503, times: 4 });
    await side.readChanges(null, { full: false });
    assert.deepEqual(waits, [500, 1000, 2000, 4000]);
  });

  it('an endless 429 storm fails as throttled after the retry limit, with the server’s Retry-After', async () => {
    const { side, waits } = h.side(rt);
    h.standin.faults.add({ match: { account: ALICE }, status: 429, retryAfterSec: 1, times: 1000 });
    const e = await rejectsWith(side.readChanges(null, { full: false }), 'throttled');
    assert.equal(e.details.retryAfterMs, 1000);
    assert.equal(waits.length, DEFAULT_RETRY.maxRetries);
    assert.equal(calls(h.standin, 'contactGroups.list'), DEFAULT_RETRY.maxRetries + 1);
  });

  it('a Retry-After longer than we would wait fails at once as throttled', async () => {
    const { side, waits } = h.side(rt, { retry: { maxRetryAfterMs: 10_000 } });
    h.standin.faults.add({ match: { account: ALICE }, status: 429, retryAfterSec: 3600, times: 1 });
    const e = await rejectsWith(side.readChanges(null, { full: false }), 'throttled');
    assert.equal(e.details.retryAfterMs, 3_600_000);
    assert.deepEqual(waits, []);
  });

  it('the retry budget bounds the total wait', async () => {
    const { side, waits } = h.side(rt, { retry: { budgetMs: 5000 } });
    h.standin.faults.add({ match: { account: ALICE }, status: 429, retryAfterSec: 2, times: 100 });
    await rejectsWith(side.readChanges(null, { full: false }), 'throttled');
    assert.ok(waits.reduce((a, b) => a + b, 0) <= 5000);
  });

  it('5xx and dropped connections on reads and idempotent writes are retried', async () => {
    const { side } = h.side(rt);
    const first = await side.readChanges(null, { full: false });
    const made = await side.create([
      { key: 'k', id: null, contact: contact('Ada', 'Lovelace'), marker: null },
    ]);
    const id = (made.get('k') as { value: { id: string } }).value.id;
    h.standin.faults.add({ match: { method: 'connections.list' }, status: 502, times: 1 });
    h.standin.faults.add({ match: { method: 'connections.list' }, drop: true, times: 1 });
    h.standin.faults.add({ match: { method: 'contactGroups.members.modify' }, status: 500, times: 2 });
    h.standin.faults.add({ match: { method: 'people.batchUpdateContacts' }, status: 503, times: 1 });
    await side.readChanges(first.cursor, { full: false });
    assert.ok((await side.removeFromGroup([id])).get(id)?.ok);
    const rec = (await side.fetch([id])).records[0]!;
    const out = await side.update([noteEdit(rec)]);
    assert.ok(out.get(id)?.ok);
  });

  it('an update applied although its answer was lost is not applied twice: the retry comes back stale', async () => {
    const { side } = h.side(rt);
    await side.readChanges(null, { full: false });
    const made = await side.create([
      { key: 'k', id: null, contact: contact('Ada', 'Lovelace'), marker: null },
    ]);
    const id = (made.get('k') as { value: { id: string } }).value.id;
    const rec = (await side.fetch([id])).records[0]!;
    h.standin.faults.add({ match: { method: 'people.batchUpdateContacts' }, dropAfter: true, times: 1 });
    h.standin.resetStats();
    const out = await side.update([noteEdit(rec)]);
    assert.equal(out.get(id)?.ok, false);
    assert.equal((out.get(id) as { error: { kind: string } }).error.kind, 'stale');
    assert.equal(calls(h.standin, 'people.batchUpdateContacts'), 2);
    assert.equal((h.standin.user.getContact(ALICE, id)!.biographies as { value: string }[])[0]!.value, 'n');
  });

  it('a batch create with an unknown outcome (5xx, dropped, lost answer, timeout) is never re-sent', async () => {
    const { side } = h.side(rt, { timeoutMs: 150 });
    await side.readChanges(null, { full: false });
    const item = [{ key: 'k', id: null, contact: contact('Ada', 'Lovelace'), marker: 'crm-1' }];
    h.standin.resetStats();
    h.standin.faults.add({ match: { method: 'people.batchCreateContacts' }, status: 500, times: 1 });
    await rejectsWith(side.create(item), 'unavailable');
    h.standin.faults.add({ match: { method: 'people.batchCreateContacts' }, status: 503, times: 1 });
    await rejectsWith(side.create(item), 'unavailable');
    h.standin.faults.add({ match: { method: 'people.batchCreateContacts' }, drop: true, times: 1 });
    await rejectsWith(side.create(item), 'unavailable');
    h.standin.faults.add({ match: { method: 'people.batchCreateContacts' }, delayMs: 300, times: 1 });
    await rejectsWith(side.create(item), 'unavailable');
    h.standin.faults.add({ match: { method: 'people.batchCreateContacts' }, dropAfter: true, times: 1 });
    await rejectsWith(side.create(item), 'unavailable');
    assert.equal(calls(h.standin, 'people.batchCreateContacts'), 5);
    // Only the lost answer's create happened; the runner finds it again by its marker.
    assert.equal(h.standin.user.listContacts(ALICE).length, 1);
  });

  it('a revoked grant fails as auth-revoked; a refused token as auth; a missing scope as permission', async () => {
    const { side } = h.side(rt);
    await side.readChanges(null, { full: false });
    h.standin.revokeAccess(ALICE);
    await rejectsWith(side.fetch(['people/c1234567890123456789']), 'auth-revoked');

    const bogus = new OAuth2Client();
    bogus.setCredentials({ access_token: 'ya29.not-a-token' });
    const noRefresh = new GooglePeopleSide({
      auth: bogus,
      peopleApiUrl: h.standin.url,
      sleep: async () => {},
    });
    await rejectsWith(noRefresh.readChanges(null, { full: false }), 'auth');

    const readonly = new OAuth2Client();
    readonly.setCredentials({
      access_token: h.standin.issueAccessToken(ALICE, { scopes: [SCOPE_CONTACTS_READONLY] }),
    });
    const reader = new GooglePeopleSide({
      auth: readonly,
      peopleApiUrl: h.standin.url,
      sleep: async () => {},
    });
    await rejectsWith(reader.addToGroup(['people/c1234567890123456789']), 'permission');
  });

  it('an expired access token is refreshed and the call replayed', async () => {
    const { side } = h.side(rt);
    await side.readChanges(null, { full: false });
    h.standin.advance(2 * 3600 * 1000);
    h.standin.resetStats();
    const got = await side.fetch(['people/c1234567890123456789']);
    assert.deepEqual(got.missing, ['people/c1234567890123456789']);
    assert.equal(calls(h.standin, 'oauth.token'), 1);
    assert.equal(calls(h.standin, 'people.getBatchGet'), 2);
  });

  it('a response that is not what the API promises is bad-response, and a defect of ours is not retried', async () => {
    const bogus = new OAuth2Client();
    bogus.setCredentials({ access_token: h.standin.issueAccessToken(ALICE) });
    const client = new PeopleClient({
      auth: bogus,
      peopleApiUrl: h.standin.url,
      sleep: async () => {},
      clock: { now: () => 0 },
      retry: DEFAULT_RETRY,
      timeoutMs: 5000,
      random: () => 0,
    });
    const { listGroupsSchema } = await import('../../../../shared/adapters/google/schemas.js');
    await rejectsWith(
      client.call('x', 'read', listGroupsSchema, async () => ({ data: { contactGroups: 'nope' } })),
      'bad-response',
    );
    let tries = 0;
    await rejectsWith(
      client.call('x', 'read', anything, async () => {
        tries += 1;
        throw new TypeError('bug');
      }),
      'internal',
    );
    assert.equal(tries, 1);
  });
});
