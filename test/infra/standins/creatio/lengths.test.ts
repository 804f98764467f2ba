// Column sizes (README "Column sizes"): a value longer than its column is refused, never stored cut.
import assert from 'node:assert/strict';
import { filter, useStandin } from './helpers.js';

describe('Creatio stand-in: column sizes', () => {
  const env = useStandin();

  it('a GivenName over 50 characters is a 500 SQL truncation error and nothing is stored', async () => {
    const r = await env.api.post('Contact', { GivenName: 'x'.repeat(51), Surname: 'Long' });
    assert.equal(r.status, 500);
    assert.match(r.json.error.message, /String or binary data would be truncated in column 'GivenName'/);
    assert.equal(r.json.error.innererror.type, 'System.Data.SqlClient.SqlException');
    const found = await env.api.get(`Contact?${filter("Surname eq 'Long'")}&$select=Id`);
    assert.deepEqual(found.json.value, []);
  });

  it('exactly the column size is stored; sizes count UTF-16 units (an astral character counts two)', async () => {
    const ok = await env.api.post('Contact', { GivenName: 'y'.repeat(50), Name: 'n'.repeat(250) });
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    const astral = await env.api.post('Contact', { GivenName: '😀'.repeat(26) });
    assert.equal(astral.status, 500);
  });

  it('a PATCH over the size fails and leaves the row as it was', async () => {
    const c = await env.api.post('Contact', { JobTitle: 'Buyer' });
    const r = await env.api.patch(`Contact(${c.json.Id})`, { JobTitle: 'j'.repeat(251) });
    assert.equal(r.status, 500);
    const got = await env.api.get(`Contact(${c.json.Id})?$select=JobTitle`);
    assert.equal(got.json.JobTitle, 'Buyer');
  });

  it('Notes has no limit; detail rows have sizes of their own', async () => {
    const c = await env.api.post('Contact', { Notes: 'n'.repeat(100_000) });
    assert.equal(c.status, 201);
    const zip = await env.api.post('ContactAddress', { ContactId: c.json.Id, Zip: '1'.repeat(51) });
    assert.equal(zip.status, 500);
    const num = await env.api.post('ContactCommunication', { ContactId: c.json.Id, Number: '2'.repeat(251) });
    assert.equal(num.status, 500);
  });

  it('$metadata shows each text column size as MaxLength', async () => {
    const xml = (await env.api.get('$metadata')).text;
    assert.match(xml, /<Property Name="GivenName" Type="Edm.String" Nullable="false" MaxLength="50"\/>/);
    assert.match(xml, /<Property Name="Notes" Type="Edm.String" Nullable="false"\/>/);
  });
});
