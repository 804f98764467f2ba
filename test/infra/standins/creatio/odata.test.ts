import assert from 'node:assert/strict';
import { EMPTY_GUID, SUPERVISOR_CONTACT_ID } from '../../../../infra/standins/creatio/index.js';
import { login, odata, start, useStandin } from './helpers.js';

const ID = '405947d0-2ffb-4ded-8675-0475f19f5a81';

describe('Creatio stand-in: OData 4 resources (reference §1, §5)', () => {
  const env = useStandin();

  it('§1 a collection reply is {"@odata.context": "<root>/$metadata#Contact", "value": [...]}', async () => {
    const r = await env.api.get('Contact');
    assert.equal(r.status, 200);
    assert.equal(r.json['@odata.context'], `${env.t.s.odataUrl}/$metadata#Contact`);
    assert.ok(Array.isArray(r.json.value));
    assert.equal(r.json['@odata.nextLink'], undefined);
  });

  it('§1 a single entity has its properties at top level and a context ending in /$entity', async () => {
    const r = await env.api.get(`Contact(${SUPERVISOR_CONTACT_ID})`);
    assert.equal(r.status, 200);
    assert.equal(r.json['@odata.context'], `${env.t.s.odataUrl}/$metadata#Contact/$entity`);
    assert.equal(r.json.Id, SUPERVISOR_CONTACT_ID);
    assert.equal(r.json.Name, 'Supervisor');
    assert.equal(r.json.value, undefined);
  });

  it('§1 GET of a missing key answers 404 with the OData error envelope', async () => {
    const r = await env.api.get(`Contact(${ID})`);
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, '');
    assert.equal(typeof r.json.error.message, 'string');
    assert.equal(typeof r.json.error.innererror, 'object');
  });

  it('§1 the root without /0 (/odata) serves the same API', async () => {
    const session = await login(env.t.s);
    const r = await fetch(`${env.t.s.url}/odata/Contact(${SUPERVISOR_CONTACT_ID})`, {
      headers: { Cookie: session.cookie, BPMCSRF: session.csrf },
    });
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { Name: string }).Name, 'Supervisor');
  });

  it('§1 GET <root>/ lists the entity sets and $metadata answers XML', async () => {
    const r = await env.api.get('');
    assert.deepEqual((r.json.value as { name: string }[]).map((v) => v.name).sort(), [
      'Account',
      'AddressType',
      'City',
      'CommunicationType',
      'Contact',
      'ContactAddress',
      'ContactAnniversary',
      'ContactCommunication',
      'ContactFolder',
      'ContactInFolder',
      'Country',
      'Department',
      'FolderType',
      'Region',
    ]);
    const m = await env.api.get('$metadata');
    assert.match(m.headers.get('content-type')!, /xml/);
    assert.match(m.text, /<EntitySet Name="ContactInFolder"/);
  });

  it('§1 an unknown entity set answers 404', async () => {
    assert.equal((await env.api.get('Contacts')).status, 404);
  });

  it('§1 empty lookups read as the all-zero GUID', async () => {
    const r = await env.api.post('Contact', { Name: 'No Account' });
    assert.equal(r.json.AccountId, EMPTY_GUID);
    assert.equal((await env.api.get(`Contact(${r.json.Id})`)).json.OwnerId, EMPTY_GUID);
  });

  it('§1 an all-zero GUID written to a lookup stores it empty', async () => {
    const r = await env.api.post('Contact', { Name: 'Zero', AccountId: EMPTY_GUID });
    assert.equal(r.status, 201);
    assert.equal(
      (await env.api.get(`Contact?$filter=AccountId eq null and Name eq 'Zero'`)).json.value.length,
      1,
    );
  });

  it('§1 POST answers 201 with the entity, a Location header and 7 fractional digits in times', async () => {
    const r = await env.api.post('Contact', { Name: 'Ada Lovelace' });
    assert.equal(r.status, 201);
    assert.equal(r.json['@odata.context'], `${env.t.s.odataUrl}/$metadata#Contact/$entity`);
    assert.equal(r.headers.get('location'), `${env.t.s.odataUrl}/Contact(${r.json.Id})`);
    assert.match(r.json.ModifiedOn, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
    assert.match(r.json.CreatedOn, /\.\d{7}Z$/);
  });

  it('§5 GET shows ModifiedOn in UTC with Z and milliseconds', async () => {
    const id = (await env.api.post('Contact', { Name: 'Ada' })).json.Id;
    const r = await env.api.get(`Contact(${id})?$select=ModifiedOn`);
    assert.equal(r.json.ModifiedOn, '2024-05-23T09:00:00.000Z');
  });

  it('§5 stored times keep sub-millisecond ticks: GET truncates, the POST echo shows them', async () => {
    env.t.clock.set(Date.UTC(2024, 4, 23, 9, 0, 0) + 683.867);
    const r = await env.api.post('Contact', { Name: 'Ticks' });
    assert.equal(r.json.ModifiedOn, '2024-05-23T09:00:00.6838670Z');
    const g = await env.api.get(`Contact(${r.json.Id})?$select=ModifiedOn`);
    assert.equal(g.json.ModifiedOn, '2024-05-23T09:00:00.683Z');
    const again = await env.api.get(`Contact?$filter=ModifiedOn gt ${g.json.ModifiedOn}&$select=Id`);
    assert.deepEqual(
      again.json.value.map((v: { Id: string }) => v.Id),
      [r.json.Id],
      'gt on the value read back returns the row again',
    );
  });

  it('§1 a client-supplied Id is honoured', async () => {
    const r = await env.api.post('Contact', { Id: ID, Name: 'Fixed Id' });
    assert.equal(r.status, 201);
    assert.equal(r.json.Id, ID);
    assert.equal((await env.api.get(`Contact(${ID})`)).json.Name, 'Fixed Id');
  });

  it('§1 (assumption) a duplicate Id answers a 500 OData error and writes nothing', async () => {
    await env.api.post('Contact', { Id: ID, Name: 'First' });
    const r = await env.api.post('Contact', { Id: ID, Name: 'Second', Email: 'second@example.com' });
    assert.equal(r.status, 500);
    assert.match(r.json.error.message, /duplicate key/);
    assert.equal((await env.api.get(`Contact(${ID})`)).json.Name, 'First');
  });

  it('§1 PATCH answers 204 and DELETE answers 204; the entity is then gone', async () => {
    const id = (await env.api.post('Contact', { Name: 'Temp' })).json.Id;
    const p = await env.api.patch(`Contact(${id})`, { JobTitle: 'CTO' });
    assert.equal(p.status, 204);
    assert.equal(p.text, '');
    assert.equal((await env.api.get(`Contact(${id})`)).json.JobTitle, 'CTO');
    assert.equal((await env.api.del(`Contact(${id})`)).status, 204);
    assert.equal((await env.api.get(`Contact(${id})`)).status, 404);
  });

  it('(OData 4) a PATCH with Prefer: return=representation answers 200 with the entity as saved, in a batch too', async () => {
    const id = (await env.api.post('Contact', { Name: 'Temp' })).json.Id;
    env.t.clock.advance(1000);
    const p = await env.api.call(
      'PATCH',
      `Contact(${id})`,
      { JobTitle: 'CTO' },
      { Prefer: 'return=representation' },
    );
    assert.equal(p.status, 200);
    assert.equal(p.json.JobTitle, 'CTO');
    assert.equal(Date.parse(p.json.ModifiedOn), env.t.clock.now());
    const b = await env.api.batch([
      {
        id: '1',
        method: 'PATCH',
        url: `Contact(${id})`,
        headers: { 'Content-Type': 'application/json', Prefer: 'return=representation' },
        body: { JobTitle: 'CEO' },
      },
    ]);
    assert.equal(b.json.responses[0].status, 200);
    assert.equal(b.json.responses[0].body.JobTitle, 'CEO');
  });

  it('§1 PATCH and DELETE of a missing key answer 404', async () => {
    assert.equal((await env.api.patch(`Contact(${ID})`, { JobTitle: 'x' })).status, 404);
    assert.equal((await env.api.del(`Contact(${ID})`)).status, 404);
  });

  it('§1 a property that does not exist answers 400 with the OData error envelope', async () => {
    const r = await env.api.post('Contact', { Name: 'X', Nickname: 'x' });
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /Nickname/);
  });

  it('§1 a value of the wrong type answers 400', async () => {
    assert.equal((await env.api.post('Contact', { Name: 'X', AccountId: 'not-a-guid' })).status, 400);
    assert.equal((await env.api.post('Contact', { Name: 42 })).status, 400);
  });

  it('§6.1 BirthDate is a date-time at midnight UTC; empty dates and date-times are 0001-01-01', async () => {
    const r = await env.api.post('Contact', { Name: 'Born', BirthDate: '1990-02-28T00:00:00Z' });
    assert.equal(r.json.BirthDate, '1990-02-28T00:00:00Z');
    assert.equal((await env.api.get(`Contact(${r.json.Id})`)).json.BirthDate, '1990-02-28T00:00:00Z');
    assert.equal(
      (await env.api.post('Contact', { Name: 'Bad', BirthDate: '1990-02-28T10:00:00Z' })).status,
      400,
    );
    const bare = await env.api.post('Contact', { Name: 'Name only' });
    assert.equal(bare.json.BirthDate, '0001-01-01T00:00:00Z');
    const got = (await env.api.get(`Contact(${bare.json.Id})`)).json;
    assert.deepEqual(
      [got.BirthDate, got.AccountId, got.JobTitle, got.Age, got.Confirmed],
      ['0001-01-01T00:00:00Z', '00000000-0000-0000-0000-000000000000', '', 0, false],
    );
    const row = await env.api.post('ContactCommunication', {
      ContactId: bare.json.Id,
      CommunicationTypeId: 'ee1c85c3-cfcb-df11-9b2a-001d60e938c6',
      Number: 'x@example.com',
    });
    assert.equal(row.json.DateSetNonActual, '0001-01-01T00:00:00Z');
    // What Creatio shows as empty, written back, is empty again.
    for (const empty of ['0001-01-01T00:00:00Z', null]) {
      await env.api.patch(`Contact(${r.json.Id})`, { BirthDate: empty, AccountId: EMPTY_GUID });
      const back = (await env.api.get(`Contact(${r.json.Id})`)).json;
      assert.deepEqual([back.BirthDate, back.AccountId], ['0001-01-01T00:00:00Z', EMPTY_GUID]);
      await env.api.patch(`Contact(${r.json.Id})`, { BirthDate: '1990-02-28' });
    }
  });

  it('§1 the key may also be a path segment (Contact/<guid>), as in the batch examples', async () => {
    const r = await env.api.get(`Contact/${SUPERVISOR_CONTACT_ID}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.Name, 'Supervisor');
  });

  it('§1 a quoted key is not a valid Edm.Guid and answers 400', async () => {
    assert.equal((await env.api.get(`Contact('${SUPERVISOR_CONTACT_ID}')`)).status, 400);
  });

  it('§1 <Set>(<key>)/<Field> answers the value and /$value the raw text', async () => {
    const r = await env.api.get(`Contact(${SUPERVISOR_CONTACT_ID})/Name`);
    assert.equal(r.json.value, 'Supervisor');
    const raw = await env.api.get(`Contact(${SUPERVISOR_CONTACT_ID})/Name/$value`);
    assert.equal(raw.text, 'Supervisor');
  });

  it('§6.2 (assumption) a ContactCommunication pointing at a missing Contact is refused', async () => {
    const r = await env.api.post('ContactCommunication', { ContactId: ID, Number: 'x@example.com' });
    assert.equal(r.status, 500);
    assert.match(r.json.error.message, /FOREIGN KEY/);
  });

  it('§6.1 CreatedById and ModifiedById name the acting user’s contact', async () => {
    const r = await env.api.post('Contact', { Name: 'Stamped' });
    assert.equal(r.json.CreatedById, SUPERVISOR_CONTACT_ID);
    assert.equal(r.json.ModifiedById, SUPERVISOR_CONTACT_ID);
  });

  it('§1 PUT is not modelled and answers 501 naming it', async () => {
    const r = await env.api.call('PUT', `Contact(${SUPERVISOR_CONTACT_ID})`, { Name: 'x' });
    assert.equal(r.status, 501);
    assert.match(r.json.error.message, /PUT/);
  });

  it('§1 an OData call with a non-JSON body answers 400', async () => {
    const session = await login(env.t.s);
    const r = await fetch(`${env.t.s.odataUrl}/Contact`, {
      method: 'POST',
      headers: { Cookie: session.cookie, BPMCSRF: session.csrf, 'Content-Type': 'application/json' },
      body: '{"Name":',
    });
    assert.equal(r.status, 400);
  });

  it('§1 the api is also reachable for another configured user', async () => {
    const other = await start({
      users: [
        { userName: 'Supervisor', password: 'Supervisor' },
        { userName: 'Sales', password: 'pw' },
      ],
    });
    try {
      const r = await odata(other.s, await login(other.s, 'Sales', 'pw')).post('Contact', {
        Name: 'By Sales',
      });
      assert.equal(r.status, 201);
      assert.notEqual(r.json.CreatedById, SUPERVISOR_CONTACT_ID);
    } finally {
      await other.s.close();
    }
  });
});
