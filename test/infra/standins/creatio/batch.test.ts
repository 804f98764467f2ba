import assert from 'node:assert/strict';
import { SUPERVISOR_CONTACT_ID } from '../../../../infra/standins/creatio/index.js';
import { useStandin } from './helpers.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';

describe('Creatio stand-in: $batch (reference §4)', () => {
  const env = useStandin();

  it('§4 a JSON batch answers {"responses":[{id,status,headers,body}]} in request order', async () => {
    const r = await env.api.batch([
      {
        id: '1',
        method: 'POST',
        url: 'Contact',
        body: { Id: A, Name: 'Batch One' },
        headers: { 'Content-Type': 'application/json' },
      },
      { id: '2', method: 'PATCH', url: `Contact(${A})`, body: { JobTitle: 'Lead' } },
      { id: '3', method: 'GET', url: `Contact(${A})?$select=Name,JobTitle` },
      { id: '4', method: 'GET', url: `Contact?$filter=Id eq ${A}&$select=Id` },
    ]);
    assert.equal(r.status, 200);
    const res = r.json.responses as {
      id: string;
      status: number;
      headers: Record<string, string>;
      body?: Record<string, unknown>;
    }[];
    assert.deepEqual(
      res.map((x) => [x.id, x.status]),
      [
        ['1', 201],
        ['2', 204],
        ['3', 200],
        ['4', 200],
      ],
    );
    assert.equal(res[0]!.body!.Name, 'Batch One');
    assert.equal(typeof res[0]!.headers, 'object');
    assert.equal(res[2]!.body!.JobTitle, 'Lead');
    assert.deepEqual(res[3]!.body!.value, [{ Id: A }]);
  });

  it('§4 sub-request urls may use the key as a segment (City/<guid>) or be root-relative', async () => {
    const r = await env.api.batch([
      { id: 'a', method: 'GET', url: `Contact/${SUPERVISOR_CONTACT_ID}` },
      { id: 'b', method: 'GET', url: `/0/odata/Contact(${SUPERVISOR_CONTACT_ID})?$select=Name` },
    ]);
    assert.deepEqual(
      r.json.responses.map((x: { status: number; body: { Name: string } }) => [x.status, x.body.Name]),
      [
        [200, 'Supervisor'],
        [200, 'Supervisor'],
      ],
    );
  });

  it('§4 more than 100 sub-requests answers 400 and runs none', async () => {
    const requests = Array.from({ length: 101 }, (_, i) => ({
      id: String(i),
      method: 'POST',
      url: 'Contact',
      body: { Name: `N${i}` },
    }));
    const r = await env.api.batch(requests);
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /100/);
    assert.equal(env.t.s.ui.rows('Contact', "$filter=Name eq 'N0'").length, 0);
  });

  it('§4 exactly 100 sub-requests are accepted', async () => {
    const requests = Array.from({ length: 100 }, (_, i) => ({
      id: String(i),
      method: 'GET',
      url: `Contact/$count`,
    }));
    const r = await env.api.batch(requests);
    assert.equal(r.status, 200);
    assert.equal(r.json.responses.length, 100);
  });

  it('§4 processing stops at the first 4xx/5xx sub-response', async () => {
    const r = await env.api.batch([
      { id: '1', method: 'POST', url: 'Contact', body: { Id: A, Name: 'Before' } },
      { id: '2', method: 'PATCH', url: `Contact(${B})`, body: { Name: 'missing' } },
      { id: '3', method: 'POST', url: 'Contact', body: { Id: C, Name: 'After' } },
    ]);
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.json.responses.map((x: { id: string; status: number }) => [x.id, x.status]),
      [
        ['1', 201],
        ['2', 404],
      ],
    );
    assert.ok(env.t.s.ui.get('Contact', A), 'the request before the failure was applied');
    assert.equal(env.t.s.ui.get('Contact', C), undefined, 'the request after the failure was not run');
  });

  it('§4 with Prefer: continue-on-error every sub-request is answered', async () => {
    const r = await env.api.batch(
      [
        { id: '1', method: 'PATCH', url: `Contact(${B})`, body: { Name: 'missing' } },
        { id: '2', method: 'POST', url: 'Contact', body: { Id: C, Name: 'After' } },
        { id: '3', method: 'GET', url: 'Contact?$filter=contains(Name,%27x%27)' },
        { id: '4', method: 'GET', url: `Contact(${C})?$select=Name` },
      ],
      'continue-on-error',
    );
    assert.deepEqual(
      r.json.responses.map((x: { status: number }) => x.status),
      [404, 201, 501, 200],
    );
    assert.equal(r.headers.get('preference-applied'), 'continue-on-error');
  });

  it('§4/§8 every sub-request counts as one API call', async () => {
    env.t.s.resetStats();
    await env.api.batch([
      { id: '1', method: 'GET', url: 'Contact?$top=1' },
      { id: '2', method: 'GET', url: 'ContactInFolder?$top=1' },
      { id: '3', method: 'POST', url: 'Contact', body: { Name: 'x' } },
    ]);
    const s = env.t.s.stats();
    assert.equal(s.batch.requests, 1);
    assert.equal(s.batch.subRequests, 3);
    assert.equal(s.apiCalls, 3);
    assert.equal(s.odata.get.Contact, 1);
    assert.equal(s.odata.get.ContactInFolder, 1);
    assert.equal(s.odata.post.Contact, 1);
  });

  it('§4 an atomicityGroup is a change set: one failure rolls the whole group back', async () => {
    const r = await env.api.batch(
      [
        {
          id: '1',
          atomicityGroup: 'g',
          method: 'POST',
          url: 'Contact',
          body: { Id: A, Name: 'In group', Email: 'g@example.com' },
        },
        { id: '2', atomicityGroup: 'g', method: 'PATCH', url: `Contact(${B})`, body: { Name: 'missing' } },
        { id: '3', method: 'POST', url: 'Contact', body: { Id: C, Name: 'Outside' } },
      ],
      'continue-on-error',
    );
    assert.deepEqual(
      r.json.responses.map((x: { id: string; status: number }) => [x.id, x.status]),
      [
        ['1', 424],
        ['2', 404],
        ['3', 201],
      ],
    );
    assert.equal(env.t.s.ui.get('Contact', A), undefined);
    assert.equal(env.t.s.ui.rows('ContactCommunication', "$filter=Number eq 'g@example.com'").length, 0);
    assert.ok(env.t.s.ui.get('Contact', C));
  });

  it('§4 (not modelled) multipart/mixed batches answer 501', async () => {
    const r = await env.api.call('POST', '$batch', undefined, {
      'Content-Type': 'multipart/mixed; boundary=b',
    });
    assert.equal(r.status, 501);
  });

  it('§4 a body without a requests array answers 400', async () => {
    const r = await env.api.call('POST', '$batch', { nope: [] });
    assert.equal(r.status, 400);
  });
});
