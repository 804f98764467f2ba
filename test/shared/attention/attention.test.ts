// What needs a person: ambiguous matches with both sides' records, refused writes with the reason,
// conflicts with both values and the winner; answering an ambiguous match links the chosen pair on
// the next sync, without a duplicate.
import assert from 'node:assert/strict';
import { chooseMatch, needsAttention } from '../../../shared/attention/needsAttention.js';
import { JobWorld, TENANT, USER } from '../../fakes/job.js';
import { person } from '../../fakes/world.js';

const deps = (w: JobWorld) => ({ connections: w.connections, attention: w.attention, clock: w.clock });

async function ambiguousWorld() {
  const w = new JobWorld();
  await w.connect();
  const crmId = w.crm.userCreate(person('Twin', 'Mail'));
  const g1 = w.google.userCreate(person('Twin', 'Mail'), false);
  const g2 = w.google.userCreate(person('Twin', 'Mail', { givenName: 'Twain' }), false);
  const first = await w.job();
  assert.equal(first.ack && first.result, 'done');
  return { w, crmId, g1, g2 };
}

describe('what needs a person', () => {
  it('lists an ambiguous match with the records on both sides, names and emails', async () => {
    const { w, crmId, g1, g2 } = await ambiguousWorld();
    const view = await needsAttention(deps(w), TENANT, USER);
    assert.equal(view.ambiguous.length, 1);
    const records = view.ambiguous[0]!.records;
    assert.deepEqual(
      records.map((r) => `${r.side}:${r.id}`).sort(),
      [`crm:${crmId}`, `google:${g1}`, `google:${g2}`].sort(),
    );
    assert.ok(records.every((r) => r.emails.includes('twin.mail@example.com')));
    assert.deepEqual(records.map((r) => r.name).sort(), ['Twain Mail', 'Twin Mail', 'Twin Mail']);
    assert.equal(w.google.alive().length, 2, 'nothing was created while the match is open');
  });

  it('choosing the pair links it on the next sync, with no duplicate, and the item goes away', async () => {
    const { w, crmId, g1, g2 } = await ambiguousWorld();
    const [item] = (await needsAttention(deps(w), TENANT, USER)).ambiguous;
    await chooseMatch(deps(w), {
      tenantId: TENANT,
      userId: USER,
      key: item!.key,
      pair: { crmId, googleId: g2 },
    });
    assert.equal((await needsAttention(deps(w), TENANT, USER)).choicesPending, 1);
    const second = await w.job();
    assert.equal(second.ack && second.result, 'done');
    assert.equal(await w.partnerOf(crmId), g2);
    assert.equal(w.google.alive().length, 2, 'no Google contact was created');
    assert.equal(w.crm.alive().length, 1, 'no CRM contact was created');
    assert.deepEqual(
      w.google.members().map((r) => r.id),
      [g2],
    );
    assert.ok(!w.google.members().some((r) => r.id === g1));
    const after = await needsAttention(deps(w), TENANT, USER);
    assert.equal(after.ambiguous.length, 0);
    assert.equal(after.choicesPending, 0);
    // The applied choice is not replayed: a later run leaves the pair as it is.
    const third = await w.job();
    assert.equal(third.ack && third.result, 'done');
    assert.equal(await w.partnerOf(crmId), g2);
  });

  it('skipping leaves the records apart and stops asking', async () => {
    const { w, crmId } = await ambiguousWorld();
    const [item] = (await needsAttention(deps(w), TENANT, USER)).ambiguous;
    await chooseMatch(deps(w), { tenantId: TENANT, userId: USER, key: item!.key, pair: null });
    await w.job();
    assert.equal(await w.partnerOf(crmId), null);
    assert.equal(w.google.alive().length, 2);
    assert.equal((await needsAttention(deps(w), TENANT, USER)).ambiguous.length, 0);
  });

  it('refuses a pair that is not part of the match, and an unknown match', async () => {
    const { w, crmId, g1 } = await ambiguousWorld();
    const [item] = (await needsAttention(deps(w), TENANT, USER)).ambiguous;
    await assert.rejects(
      chooseMatch(deps(w), {
        tenantId: TENANT,
        userId: USER,
        key: item!.key,
        pair: { crmId: g1, googleId: crmId },
      }),
      { kind: 'bad-request' },
    );
    await assert.rejects(chooseMatch(deps(w), { tenantId: TENANT, userId: USER, key: 'crm:x', pair: null }), {
      kind: 'not-found',
    });
  });

  it('lists a write the other side refused, with its reason', async () => {
    const w = new JobWorld();
    await w.connect();
    w.google.refuseCreate = (c) => (c.familyName === 'Refused' ? 'Invalid birthday' : null);
    const id = w.crm.userCreate(person('Rita', 'Refused'));
    w.crm.userCreate(person('Otto', 'Fine'));
    await w.job();
    const view = await needsAttention(deps(w), TENANT, USER);
    assert.equal(view.refused.length, 1);
    assert.equal(view.refused[0]!.record.name, 'Rita Refused');
    assert.equal(view.refused[0]!.record.side, 'google');
    assert.match(view.refused[0]!.reason, /validation: Invalid birthday/);
    assert.ok(!view.refused.some((r) => r.record.id === id && r.record.side === 'crm'));
  });

  it('lists a conflict the policy decided: the field, both values and the winner', async () => {
    const w = new JobWorld();
    await w.connect();
    const crmId = w.crm.userCreate(person('Carl', 'Clash', { jobTitle: 'Engineer' }));
    await w.job();
    const googleId = (await w.partnerOf(crmId))!;
    w.crm.userEdit(crmId, { jobTitle: 'Manager' });
    w.tick();
    w.google.userEdit(googleId, { jobTitle: 'Director' });
    await w.job();
    const view = await needsAttention(deps(w), TENANT, USER);
    assert.equal(view.conflicts.length, 1);
    const c = view.conflicts[0]!;
    assert.equal(c.crmId, crmId);
    assert.equal(c.googleId, googleId);
    assert.equal(c.name, 'Carl Clash');
    assert.deepEqual(c.decisions, [
      { field: 'jobTitle', crm: 'Manager', google: 'Director', winner: 'google' },
    ]);
  });
});
