// The guard's pause, decided by a person: the held-back removals are listed; Confirm carries them
// out; Reject puts the departed records back, removes nothing, and syncing resumes.
import assert from 'node:assert/strict';
import { needsAttention } from '../../../shared/attention/needsAttention.js';
import { confirmRemovals, rejectRemovals } from '../../../shared/attention/removals.js';
import { JobWorld, TENANT, USER } from '../../fakes/job.js';
import { person } from '../../fakes/world.js';

async function pausedWorld() {
  const w = new JobWorld();
  await w.connect();
  const ids = Array.from({ length: 12 }, (_, i) => w.crm.userCreate(person(`Gus${i}`, 'Guard')));
  await w.job();
  assert.equal(w.google.members().length, 12);
  const gone = ids.slice(0, 10);
  gone.forEach((id) => w.crm.userSetGroup(id, false));
  const refused = await w.job();
  assert.equal(refused.ack && refused.result, 'refused');
  assert.equal(w.connections.rows.get(`${TENANT}/${USER}`)!.status, 'paused');
  return { w, gone };
}

const row = (w: JobWorld) => w.connections.rows.get(`${TENANT}/${USER}`)!;

describe('removals held back by the guard', () => {
  it('are listed with their names while the connection is paused', async () => {
    const { w } = await pausedWorld();
    const view = await needsAttention({ connections: w.connections, attention: w.attention }, TENANT, USER);
    assert.ok(view.removals);
    assert.equal(view.removals.records.length, 10);
    assert.ok(view.removals.records.every((r) => r.side === 'google' && /^Gus\d Guard$/.test(r.name)));
  });

  it('Confirm carries them out', async () => {
    const { w } = await pausedWorld();
    const accepted = await confirmRemovals(w.guardDeps, TENANT, USER);
    assert.equal(accepted.kind, 'accepted');
    const [done] = await w.runQueued();
    assert.equal(done!.ack && done!.result, 'done');
    assert.equal(w.google.members().length, 2);
    assert.equal(row(w).status, 'ok');
    const view = await needsAttention({ connections: w.connections, attention: w.attention }, TENANT, USER);
    assert.equal(view.removals, null);
  });

  it('Reject puts the departed records back in their group, removes nothing, and resumes', async () => {
    const { w, gone } = await pausedWorld();
    await rejectRemovals(w.guardDeps, TENANT, USER);
    const [done] = await w.runQueued();
    assert.equal(done!.ack && done!.result, 'done');
    assert.equal(w.google.members().length, 12, 'nothing removed in Google');
    const crmMembers = new Set(w.crm.members().map((r) => r.id));
    assert.ok(
      gone.every((id) => crmMembers.has(id)),
      'the departed CRM records are back in the group',
    );
    assert.equal(row(w).status, 'ok');
    assert.equal(row(w).restoreDepartures, false, 'consumed by the run');
    // Later runs sync normally: a single removal now goes through.
    w.crm.userSetGroup(gone[0]!, false);
    await w.job();
    assert.equal(w.google.members().length, 11);
  });

  it('Confirm and Reject refuse a connection that is not paused', async () => {
    const w = new JobWorld();
    await w.connect();
    await assert.rejects(rejectRemovals(w.guardDeps, TENANT, USER), { kind: 'conflict' });
    await assert.rejects(confirmRemovals(w.guardDeps, TENANT, USER), { kind: 'conflict' });
  });
});
