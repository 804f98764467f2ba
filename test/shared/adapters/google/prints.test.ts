// The account's email prints (shared/adapters/google/prints.ts) and what they spare: lookups of emails
// no contact carries cost no request, and a side read moments ago may rest while the CRM's bounded
// read continues. Requests are counted by the stand-in.
import assert from 'node:assert/strict';
import { AccountPrints, MAX_PRINTS } from '../../../../shared/adapters/google/prints.js';
import { REST_MAX_MS } from '../../../../shared/adapters/google/side.js';
import { ALICE, apiCalls, contact, harness, personJson, type Harness } from './helpers.js';

const keys = (emails: string[], inDoubt: string[] = []) => ({ ids: [], markers: [], emails, inDoubt });

describe('AccountPrints', () => {
  it('holds an email however it is spelt, and packs to a form it reads back', () => {
    const p = new AccountPrints();
    p.addEmails(['  Grace.Hopper@Example.com ', '']);
    const back = AccountPrints.unpack(p.pack()!)!;
    assert.equal(back.mayHold('grace.hopper@example.com'), true);
    assert.equal(back.mayHold('ada@example.com'), false);
    assert.equal(p.pack()!.length, 6, 'the empty email is no print');
  });

  it('an unreadable packed form is no set at all', () => {
    assert.equal(AccountPrints.unpack('abc'), null);
    assert.equal(AccountPrints.unpack('abc$ef'), null);
    assert.notEqual(AccountPrints.unpack(''), null);
  });

  it('past its bound it packs to nothing: too many to carry', () => {
    const p = new AccountPrints();
    p.addEmails(Array.from({ length: MAX_PRINTS }, (_, i) => `p${i}@example.com`));
    assert.notEqual(p.pack(), null);
    p.addEmails(['one.more@example.com']);
    assert.equal(p.pack(), null);
  });
});

describe('GooglePeopleSide: lookups by the account prints', function () {
  let h: Harness;
  let rt: string;
  beforeEach(async () => {
    h = await harness();
    rt = await h.connect();
  });
  afterEach(() => h.close());

  /** A first run, then a second run's side after an incremental read (or a rest). */
  async function secondRun(rest = false) {
    const first = h.side(rt).side;
    const read = await first.readChanges(null, { full: false });
    const run2 = h.side(rt).side;
    const changes = await run2.readChanges(first.settleCursor(read.cursor), { full: false, rest });
    return { run2, changes };
  }

  it('emails no contact of the account carries cost no request, however many', async () => {
    h.standin.user.createContact(ALICE, personJson('Grace', 'Hopper'));
    const { run2 } = await secondRun();
    h.standin.resetStats();
    const found = await run2.lookup(keys(Array.from({ length: 40 }, (_, i) => `new${i}@example.com`)));
    assert.deepEqual(found, []);
    assert.deepEqual(apiCalls(h), {});
  });

  it('an email a contact gained after the listing, seen by the incremental read, is looked for', async () => {
    const { run2: between, changes } = await secondRun();
    void between;
    const grace = h.standin.user.createContact(ALICE, personJson('Grace', 'Hopper')).resourceName as string;
    const run3 = h.side(rt).side;
    await run3.readChanges(changes.cursor, { full: false });
    h.standin.resetStats();
    const found = await run3.lookup(keys(['grace.hopper@example.com', 'nobody@example.com']));
    assert.deepEqual(
      found.map((r) => r.id),
      [grace],
    );
    assert.equal(
      apiCalls(h)['people.searchContacts'],
      2,
      'a warm-up and one search: the other email is ruled out',
    );
  });

  it('a rested side finds the contacts its last run wrote by their emails', async () => {
    const first = h.side(rt).side;
    const read = await first.readChanges(null, { full: false });
    const made = await first.create([
      { key: 'k', id: null, contact: contact('Made', 'ByUs'), marker: 'crm-1' },
    ]);
    const id = made.get('k')!.ok ? (made.get('k') as { value: { id: string } }).value.id : '';
    const run2 = h.side(rt).side;
    h.standin.resetStats();
    const rested = await run2.readChanges(first.settleCursor(read.cursor), { full: false, rest: true });
    assert.deepEqual(apiCalls(h), {}, 'rested: no request');
    assert.equal(rested.complete, false);
    const found = await run2.lookup(keys(['made.byus@example.com', 'other@example.com']));
    assert.deepEqual(
      found.map((r) => r.id),
      [id],
    );
  });

  it('a create in doubt is looked for by its emails, though no read has shown them', async () => {
    const { run2 } = await secondRun();
    // Written, its answer lost: our prints never heard of it.
    const lost = h.standin.user.createContact(ALICE, personJson('Lost', 'Answer')).resourceName as string;
    const found = await run2.lookup(keys(['lost.answer@example.com'], ['lost.answer@example.com']));
    assert.deepEqual(
      found.map((r) => r.id),
      [lost],
    );
  });

  it('a side rests only within the schedule interval of its last read', async () => {
    const first = h.side(rt).side;
    const read = await first.readChanges(null, { full: false });
    const cursor = first.settleCursor(read.cursor);
    const at = Date.UTC(2026, 0, 1);
    for (const [age, requests] of [
      [REST_MAX_MS, 0],
      [REST_MAX_MS + 1, 1],
    ] as const) {
      const side = h.side(rt, { clock: { now: () => at + age } }).side;
      h.standin.resetStats();
      await side.readChanges(cursor, { full: false, rest: true });
      assert.equal(apiCalls(h)['connections.list'] ?? 0, requests, `${age} ms after the read`);
    }
  });

  it('a rest after a run that found the account full refuses its creates without asking', async () => {
    await h.close();
    h = await harness({ maxContacts: 1 });
    rt = await h.connect();
    const item = (n: string) => ({ key: n, id: null, contact: contact(n, 'Full'), marker: null });
    const first = h.side(rt, { maxContacts: 1 }).side;
    const read = await first.readChanges(null, { full: false });
    const made = await first.create([item('A'), item('B')]);
    const outcome = (k: string) => {
      const r = made.get(k)!;
      return r.ok ? 'ok' : r.error.kind;
    };
    assert.deepEqual([outcome('A'), outcome('B')], ['ok', 'full']);
    const cursor = first.settleCursor(read.cursor);
    const rested = h.side(rt, { maxContacts: 1 }).side;
    h.standin.resetStats();
    await rested.readChanges(cursor, { full: false, rest: true });
    const refused = await rested.create([item('C')]);
    assert.equal(refused.get('C')?.ok, false);
    assert.deepEqual(apiCalls(h), {}, 'known full moments ago: not asked');
    const read3 = h.side(rt, { maxContacts: 1 }).side;
    await read3.readChanges(cursor, { full: false });
    h.standin.resetStats();
    await read3.create([item('D')]);
    assert.equal(apiCalls(h)['people.batchCreateContacts'], 1, 'a run that reads asks again');
  });

  it('a cursor without prints (or past their bound) is read, and lookups list the account as before', async () => {
    const first = h.side(rt).side;
    const read = await first.readChanges(null, { full: false });
    const { prints, ...old } = JSON.parse(first.settleCursor(read.cursor)) as Record<string, unknown>;
    assert.equal(typeof prints, 'string');
    const run2 = h.side(rt).side;
    h.standin.resetStats();
    await run2.readChanges(JSON.stringify(old), { full: false, rest: true });
    await run2.lookup(keys(Array.from({ length: 40 }, (_, i) => `new${i}@example.com`)));
    assert.deepEqual(apiCalls(h), { 'connections.list': 2 }, 'the incremental read and one listing');
  });
});
