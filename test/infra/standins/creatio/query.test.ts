import assert from 'node:assert/strict';
import { filter, start, supervisor, type OData, type Started } from './helpers.js';

const names = (r: { json: { value: { Name: string }[] } }): string[] => r.json.value.map((v) => v.Name);

describe('Creatio stand-in: query options (reference §3)', () => {
  let t: Started;
  let api: OData;
  let ids: Record<string, string>;

  before(async () => {
    t = await start();
    api = await supervisor(t.s);
    const account = t.s.ui.insert('Account', { Name: 'Our company' });
    const people: [string, Record<string, unknown>][] = [
      ['Ann Able', { Age: 30, Email: 'ann@example.com', AccountId: account.Id }],
      ['Bob Baker', { Age: 40, Email: 'bob@example.com', Confirmed: true }],
      ["Miles O'Brien", { Age: 50, Email: 'miles@example.com' }],
      ['Tom and Jerry (cartoon) or not', { Age: 60 }],
      ['Cy Clone', { Age: 40 }],
    ];
    ids = {};
    for (const [name, extra] of people) {
      ids[name] = t.s.ui.createContact({ Name: name, ...extra }).Id as string;
      t.clock.advance(60_000);
    }
  });
  after(async () => t.s.close());

  const q = (qs: string) => api.get(`Contact?${qs}`);
  const only = (expr: string) => q(`${filter(`(${expr}) and Name ne 'Supervisor'`)}&$select=Name`);

  it('§3 $filter eq and ne compare values', async () => {
    assert.deepEqual(names(await only('Age eq 40')), ['Bob Baker', 'Cy Clone']);
    assert.deepEqual(names(await only('Age ne 40')), [
      'Ann Able',
      "Miles O'Brien",
      'Tom and Jerry (cartoon) or not',
    ]);
  });

  it('§3 $filter gt, ge, lt, le compare values', async () => {
    assert.deepEqual(names(await only('Age gt 50')), ['Tom and Jerry (cartoon) or not']);
    assert.deepEqual(names(await only('Age ge 50')), ["Miles O'Brien", 'Tom and Jerry (cartoon) or not']);
    assert.deepEqual(names(await only('Age lt 40')), ['Ann Able']);
    assert.deepEqual(names(await only('Age le 40')), ['Ann Able', 'Bob Baker', 'Cy Clone']);
  });

  it('§3 $filter and, or, not with parentheses follow OData precedence', async () => {
    assert.deepEqual(names(await only("Age eq 40 and (Name eq 'Cy Clone' or Name eq 'Ann Able')")), [
      'Cy Clone',
    ]);
    assert.deepEqual(names(await only("Age eq 30 or Age eq 60 and Name eq 'nobody'")), ['Ann Able']);
    assert.deepEqual(names(await only('not (Age le 50)')), ['Tom and Jerry (cartoon) or not']);
  });

  it("§3 a string literal with '' is an escaped single quote", async () => {
    assert.deepEqual(names(await q(`${filter("Name eq 'Miles O''Brien'")}&$select=Name`)), ["Miles O'Brien"]);
  });

  it('§3 " and ", " or " and parentheses inside a string literal stay part of the literal', async () => {
    const r = await q(`${filter("Name eq 'Tom and Jerry (cartoon) or not'")}&$select=Name`);
    assert.deepEqual(names(r), ['Tom and Jerry (cartoon) or not']);
    const none = await q(`${filter("Name eq 'Tom' or Name eq 'x'' or Name ne ''y'")}&$select=Name`);
    assert.deepEqual(names(none), []);
  });

  it('§3 GUIDs are unquoted literals', async () => {
    const r = await q(`${filter(`Id eq ${ids['Bob Baker']}`)}&$select=Name`);
    assert.deepEqual(names(r), ['Bob Baker']);
  });

  it('§3 a quoted GUID compared with a Guid column answers 400 (incompatible types)', async () => {
    const r = await q(filter(`Id eq '${ids['Bob Baker']}'`));
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /incompatible types/);
  });

  it('§3 DateTime literals are unquoted ISO-8601 with Z', async () => {
    const from = new Date(Date.UTC(2024, 4, 23, 9, 2, 0)).toISOString();
    assert.deepEqual(names(await only(`ModifiedOn ge ${from}`)), [
      "Miles O'Brien",
      'Tom and Jerry (cartoon) or not',
      'Cy Clone',
    ]);
    assert.deepEqual(names(await only(`ModifiedOn gt ${from}`)), [
      'Tom and Jerry (cartoon) or not',
      'Cy Clone',
    ]);
  });

  it('§3 a DateTime literal with an offset is converted to UTC', async () => {
    const r = await only('ModifiedOn ge 2024-05-23T11:02:00+02:00');
    assert.deepEqual(names(r), ["Miles O'Brien", 'Tom and Jerry (cartoon) or not', 'Cy Clone']);
  });

  it('§3 (assumption) a "+" sent unencoded is a space, so the offset is lost and the literal refused', async () => {
    const r = await q('$filter=ModifiedOn ge 2024-05-23T11:03:00+02:00');
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /%2B/);
  });

  it('§3 a DateTime literal without a time zone answers 400', async () => {
    assert.equal((await q(filter('ModifiedOn ge 2024-05-23T00:00:00'))).status, 400);
  });

  it("§3 the OData 3 form datetime'…' answers 400", async () => {
    const r = await q(filter("ModifiedOn ge datetime'2024-05-23T00:00:00'"));
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /OData 3/);
  });

  it('§3 null compares with eq and ne; an empty lookup equals null', async () => {
    assert.deepEqual(names(await only('AccountId ne null')), ['Ann Able']);
    assert.equal((await only('AccountId eq null')).json.value.length, 4);
  });

  it('§3 true and false are Boolean literals, and a Boolean column alone is a condition', async () => {
    assert.deepEqual(names(await only('Confirmed eq true')), ['Bob Baker']);
    assert.deepEqual(names(await only('Confirmed')), ['Bob Baker']);
    assert.equal((await only('Confirmed eq false')).json.value.length, 4);
  });

  it('§3 a lookup path with / reads through the lookup (Account/Name)', async () => {
    assert.deepEqual(names(await only("Account/Name eq 'Our company'")), ['Ann Able']);
  });

  it('§3 (assumption) text compares case-insensitively, as SQL Server’s default collation', async () => {
    assert.deepEqual(names(await only("Email eq 'BOB@EXAMPLE.COM'")), ['Bob Baker']);
  });

  it('§3 $select returns only the named columns', async () => {
    const r = await q(`${filter("Name eq 'Ann Able'")}&$select=Id,Email`);
    assert.deepEqual(Object.keys(r.json.value[0]).sort(), ['Email', 'Id']);
    assert.equal(r.json['@odata.context'], `${t.s.odataUrl}/$metadata#Contact(Id,Email)`);
    assert.equal((await q('$select=Nope')).status, 400);
  });

  it('§3 $orderby sorts by several keys, asc and desc', async () => {
    const r = await q(`${filter("Name ne 'Supervisor'")}&$orderby=Age desc,Name asc&$select=Name`);
    assert.deepEqual(names(r), [
      'Tom and Jerry (cartoon) or not',
      "Miles O'Brien",
      'Bob Baker',
      'Cy Clone',
      'Ann Able',
    ]);
    const r2 = await q(`${filter("Name ne 'Supervisor'")}&$orderby=Age,Name desc&$select=Name`);
    assert.deepEqual(names(r2), [
      'Ann Able',
      'Cy Clone',
      'Bob Baker',
      "Miles O'Brien",
      'Tom and Jerry (cartoon) or not',
    ]);
  });

  it('§3 $top and $skip page through an ordered result', async () => {
    const base = `${filter("Name ne 'Supervisor'")}&$orderby=Name&$select=Name`;
    assert.deepEqual(names(await q(`${base}&$top=2`)), ['Ann Able', 'Bob Baker']);
    assert.deepEqual(names(await q(`${base}&$top=2&$skip=2`)), ['Cy Clone', "Miles O'Brien"]);
    assert.deepEqual(names(await q(`${base}&$skip=4`)), ['Tom and Jerry (cartoon) or not']);
    assert.equal((await q('$top=-1')).status, 400);
  });

  it('§3 $count=true adds @odata.count of all matches; with $top=0 it is a count only', async () => {
    const r = await q(`${filter('Age ge 40')}&$count=true&$top=1`);
    assert.equal(r.json['@odata.count'], 4);
    assert.equal(r.json.value.length, 1);
    const c = await q(`${filter('Age ge 40')}&$count=true&$top=0`);
    assert.equal(c.json['@odata.count'], 4);
    assert.deepEqual(c.json.value, []);
  });

  it('§3 /<Set>/$count answers the number as text, honouring $filter', async () => {
    const r = await api.get(`Contact/$count?${filter('Age ge 40')}`);
    assert.equal(r.status, 200);
    assert.equal(r.text, '4');
  });

  it('§3 a function such as contains is rejected naming it, never guessed', async () => {
    const r = await q(filter("contains(Name,'Ann')"));
    assert.ok(r.status === 400 || r.status === 501);
    assert.match(r.json.error.message, /contains/);
  });

  it('§3 $expand of a collection navigation (support unknown) is rejected naming it', async () => {
    const r = await q('$expand=ContactCommunicationCollectionByContact');
    assert.equal(r.status, 501);
    assert.match(r.json.error.message, /ContactCommunicationCollectionByContact/);
  });

  it('§3 lambda operators (any/all) are rejected naming them', async () => {
    const r = await q(filter("ContactCommunicationCollectionByContact/any(c: c/Number eq 'x')"));
    assert.equal(r.status, 501);
    assert.match(r.json.error.message, /any/);
  });

  it("§3 the 'in' operator (support unknown) is rejected naming it", async () => {
    const r = await q(filter("Name in ('Ann Able','Bob Baker')"));
    assert.equal(r.status, 501);
    assert.match(r.json.error.message, /'in'/);
  });

  it('§3 arithmetic operators are rejected naming them', async () => {
    const r = await q(filter('Age add 1 eq 41'));
    assert.equal(r.status, 501);
    assert.match(r.json.error.message, /add/);
  });

  it('§3 malformed $filter syntax answers 400', async () => {
    assert.equal((await q(filter("Name eq 'unterminated"))).status, 400);
    assert.equal((await q(filter('Name eq'))).status, 400);
    assert.equal((await q(filter('(Age eq 1'))).status, 400);
    assert.equal((await q(filter('Nope eq 1'))).status, 400);
  });

  it('§3 an unknown system query option answers 400; $search answers 501', async () => {
    assert.equal((await q('$frobnicate=1')).status, 400);
    assert.equal((await q('$search=ann')).status, 501);
  });

  it('§3 a reply holds at most maxRecordsPerReply rows, truncated silently with no nextLink', async () => {
    const small = await start({ maxRecordsPerReply: 3 });
    try {
      const api2 = await supervisor(small.s);
      for (let i = 0; i < 5; i++) small.s.ui.createContact({ Name: `P${i}` });
      const r = await api2.get('Contact?$count=true');
      assert.equal(r.json.value.length, 3);
      assert.equal(r.json['@odata.count'], 6);
      assert.equal(r.json['@odata.nextLink'], undefined);
      assert.equal((await api2.get('Contact?$top=10&$skip=4')).json.value.length, 2);
    } finally {
      await small.s.close();
    }
  });
});
