import assert from 'node:assert/strict';
import { filter, useStandin } from './helpers.js';

describe('Creatio stand-in: Department lookup and the Date header', () => {
  const env = useStandin();

  it('§6.1 Contact.DepartmentId points at a Department set that can be created, read and filtered by Name', async () => {
    const { api } = env;
    const dep = await api.post('Department', { Name: 'Sales' });
    assert.equal(dep.status, 201);
    const c = await api.post('Contact', { Name: 'Ann Able', DepartmentId: dep.json.Id });
    assert.equal(c.status, 201);
    const found = await api.get(`Department?${filter("Name eq 'sales'")}&$select=Id,Name`);
    assert.deepEqual(found.json.value, [{ Id: dep.json.Id, Name: 'Sales' }]);
    const byPath = await api.get(`Contact?${filter("Department/Name eq 'Sales'")}&$select=Id`);
    assert.deepEqual(
      byPath.json.value.map((r: { Id: string }) => r.Id),
      [c.json.Id],
    );
  });

  it('§6.1 a DepartmentId that names no Department is refused like any other missing lookup', async () => {
    const r = await env.api.post('Contact', {
      Name: 'Bob Baker',
      DepartmentId: '5f0c5d3e-0000-4000-8000-000000000001',
    });
    assert.equal(r.status, 500);
    assert.match(r.json.error.message, /FOREIGN KEY/);
  });

  it('§5 the Date header follows the stand-in clock, not the wall clock', async () => {
    const { t, api } = env;
    const first = await api.get('Contact?$top=1&$select=Id');
    assert.equal(Date.parse(first.headers.get('date') ?? ''), t.clock.now());
    t.clock.advance(30 * 60_000 + 1500); // within the session timeout
    const later = await api.get('Contact?$top=1&$select=Id');
    // HTTP dates have whole seconds.
    assert.equal(Date.parse(later.headers.get('date') ?? ''), Math.floor(t.clock.now() / 1000) * 1000);
    const failed = await api.get('Nothing');
    assert.equal(failed.status, 404);
    assert.equal(Date.parse(failed.headers.get('date') ?? ''), Math.floor(t.clock.now() / 1000) * 1000);
  });
});
