// The preview: what the next sync would do, as a job whose result is stored, writing nothing on
// either side and nothing of the sync state; its counts are the next real run's counts.
import assert from 'node:assert/strict';
import { getPreview, requestPreview, runPreview } from '../../../shared/preview/preview.js';
import { JobWorld, TENANT, USER } from '../../fakes/job.js';
import { person } from '../../fakes/world.js';

const WRITES = ['create', 'update', 'addToGroup', 'removeFromGroup'];

async function preview(w: JobWorld) {
  const queued = await requestPreview(w.previewDeps, TENANT, USER);
  assert.equal(queued.state, 'queued');
  const [job] = w.previews.published.splice(0);
  assert.ok(job);
  const crmCalls = w.crm.calls.length;
  const googleCalls = w.google.calls.length;
  const links = JSON.stringify([...(w.connections.states.get(`${TENANT}/${USER}`)?.links.values() ?? [])]);
  const row = JSON.stringify(w.connections.rows.get(`${TENANT}/${USER}`));
  const done = await runPreview(w.previewDeps, job);
  assert.equal(done.state, 'ready');
  // Nothing written anywhere but the preview document.
  const wrote = (calls: string[]) => calls.filter((c) => WRITES.includes(c));
  assert.deepEqual(wrote(w.crm.calls.slice(crmCalls)), []);
  assert.deepEqual(wrote(w.google.calls.slice(googleCalls)), []);
  assert.equal(
    JSON.stringify([...(w.connections.states.get(`${TENANT}/${USER}`)?.links.values() ?? [])]),
    links,
  );
  assert.equal(JSON.stringify(w.connections.rows.get(`${TENANT}/${USER}`)), row);
  return (await getPreview(w.previewDeps, TENANT, USER))!;
}

describe('preview', () => {
  it('of a new connection shows the pairings and creates the first run then makes, and writes nothing', async () => {
    const w = new JobWorld();
    await w.connect();
    for (let i = 0; i < 5; i++) {
      w.crm.userCreate(person(`Pat${i}`, 'Shared'));
      w.google.userCreate(person(`Pat${i}`, 'Shared'), false);
    }
    w.crm.userCreate(person('Only', 'Crm'));
    w.google.userCreate(person('Only', 'Google'));
    const p = await preview(w);
    assert.equal(p.counts.linked, 7);
    assert.equal(p.counts['addToGroup.google'], 5);
    assert.equal(p.counts['create.google'], 1);
    assert.equal(p.counts['create.crm'], 1);
    assert.equal(p.items.filter((i) => i.kind === 'link').length, 5);
    assert.ok(p.items.some((i) => i.kind === 'create' && i.side === 'google' && i.name === 'Only Crm'));
    assert.equal(p.total, p.items.length);

    const run = await w.job();
    assert.equal(run.ack && run.result, 'done');
    const summary = w.connections.rows.get(`${TENANT}/${USER}`)!.recentRuns[0]!;
    assert.deepEqual(summary.counts, p.counts, 'the preview is what the run did');
  });

  it('of an incremental run with edits and a removal equals the run that follows', async () => {
    const w = new JobWorld();
    await w.connect();
    const ids = Array.from({ length: 4 }, (_, i) => w.crm.userCreate(person(`Kim${i}`, 'Step')));
    await w.job();
    w.crm.userEdit(ids[0]!, { jobTitle: 'Boss' });
    w.crm.userSetGroup(ids[1]!, false);
    w.google.userEdit((await w.partnerOf(ids[2]!))!, { company: 'Acme' });
    w.crm.userCreate(person('New', 'Comer'));
    const p = await preview(w);
    assert.equal(p.counts['update.google'], 1);
    assert.equal(p.counts['update.crm'], 1);
    assert.equal(p.counts['removeFromGroup.google'], 1);
    assert.equal(p.counts['create.google'], 1);
    await w.job();
    assert.deepEqual(w.connections.rows.get(`${TENANT}/${USER}`)!.recentRuns[0]!.counts, p.counts);
  });

  it('a finished job never overwrites a newer request', async () => {
    const w = new JobWorld();
    await w.connect();
    await requestPreview(w.previewDeps, TENANT, USER);
    const [old] = w.previews.published.splice(0);
    const newer = await requestPreview(w.previewDeps, TENANT, USER);
    assert.equal((await runPreview(w.previewDeps, old!)).state, 'superseded');
    assert.equal((await getPreview(w.previewDeps, TENANT, USER))!.previewId, newer.previewId);
  });
});
