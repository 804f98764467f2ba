// Sizes unofficial pages report for Google Contacts (reference §5 "Size limits"): 1,024 characters a
// value, 500 values and 128 KB a contact. A bigger contact is refused with 400 INVALID_ARGUMENT.
import assert from 'node:assert/strict';
import type { GoogleStandin } from '../../../../infra/standins/google/index.js';
import { ALICE, api, person, start, type Api } from './helpers.js';

describe('Google stand-in: contact sizes', function () {
  this.timeout(20_000);
  let standin: GoogleStandin;
  let alice: Api;

  beforeEach(async () => {
    standin = await start();
    alice = api(standin, standin.issueAccessToken(ALICE));
  });
  afterEach(() => standin.close());

  const refused = (res: { status: number; body: { error: { status: string; details: unknown[] } } }) => {
    assert.equal(res.status, 400);
    assert.equal(res.body.error.status, 'INVALID_ARGUMENT');
    assert.match(JSON.stringify(res.body.error.details), /google\.rpc\.BadRequest/);
  };

  it('a value of 1,024 characters is stored; 1,025 is refused naming the field', async () => {
    const ok = await alice.post('/v1/people:createContact', person('a'.repeat(1024), 'Long'));
    assert.equal(ok.status, 200, ok.text);
    const res = await alice.post('/v1/people:createContact', person('a'.repeat(1025), 'Long'));
    refused(res);
    assert.match(res.body.error.message, /person\.names\[0\]\.givenName/);
  });

  it('a biography over 1,024 characters is refused on update, and the contact keeps its notes', async () => {
    const created = await alice.post(
      '/v1/people:createContact',
      person('Ada', 'Lovelace', { biographies: [{ value: 'short' }] }),
    );
    const { resourceName, etag } = created.body;
    const res = await alice.patch(
      `/v1/${resourceName}:updateContact`,
      { etag, biographies: [{ value: 'b'.repeat(1025) }] },
      { updatePersonFields: 'biographies' },
    );
    refused(res);
    const got = await alice.get(`/v1/${resourceName}`, { personFields: 'biographies' });
    assert.equal(got.body.biographies[0].value, 'short');
  });

  it('more than 500 values in a contact are refused', async () => {
    const emails = Array.from({ length: 501 }, (_, i) => ({ value: `a${i}@example.com` }));
    refused(
      await alice.post('/v1/people:createContact', person('Many', 'Mails', { emailAddresses: emails })),
    );
  });

  it('a contact over 128 KB is refused', async () => {
    const urls = Array.from({ length: 200 }, (_, i) => ({
      value: `https://example.com/${i}/${'u'.repeat(1000)}`,
    }));
    refused(await alice.post('/v1/people:createContact', person('Big', 'Urls', { urls })));
  });

  it('in a batch create, one oversized contact refuses the whole batch and names its index', async () => {
    const res = await alice.post('/v1/people:batchCreateContacts', {
      contacts: [
        { contactPerson: person('Fine', 'One') },
        { contactPerson: person('x'.repeat(2000), 'Two') },
      ],
      readMask: 'names',
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.status, 'INVALID_ARGUMENT');
    assert.match(
      JSON.stringify(res.body.error.details),
      /contacts\[1\]\.contact_person\.names\[0\]\.givenName/,
    );
    const list = await alice.get('/v1/people/me/connections', { personFields: 'names' });
    assert.equal(list.body.connections, undefined);
  });
});
