// What the runner gathers before it plans (shared/runSync.ts `prepare`): the links of candidates,
// the partners of sleeping pairs, records a person chose, what a full listing no longer shows, and a
// second, full read when a create stayed in doubt too long. Each row is a situation users make.
import assert from 'node:assert/strict';
import { World, person } from '../../fakes/world.js';

/** Each side's reads, with whether they listed in full. */
const spyReads = (w: World) => {
  const reads: string[] = [];
  for (const side of ['crm', 'google'] as const) {
    const fake = w[side];
    const real = fake.readChanges.bind(fake);
    fake.readChanges = async (cursor, options) => {
      reads.push(`${side}:${options.full || cursor === null ? 'full' : 'changes'}`);
      return real(cursor, options);
    };
  }
  return reads;
};

const links = (w: World) =>
  [...w.fake.links.values()].map((l) => `${l.status}:${l.crmId}:${l.googleId}`).sort();

describe('runner: what is gathered before planning (table)', () => {
  it('a newcomer sharing the email of a record already paired is not paired with it a second time', async () => {
    const w = new World();
    const c1 = w.crm.userCreate(person('Ada', 'Paired'));
    w.crm.userCreate(person('Other', 'Member'));
    await w.sync();
    await w.sync();
    const g1 = (await w.partnerOf(c1))!;
    const g2 = w.google.userCreate(person('Ada', 'Paired'));
    await w.sync();
    assert.equal(await w.partnerOf(c1), g1, 'the old pair holds');
    assert.equal(w.fake.links.size, 3);
    assert.equal(w.crm.alive().length, 3, 'the newcomer is created in the CRM');
    assert.deepEqual(
      [...w.fake.links.values()].filter((l) => l.googleId === g2).map((l) => l.crmId === c1),
      [false],
    );
  });

  it('a Google contact whose sleeping partner was deleted in the CRM pairs with its CRM newcomer', async () => {
    const w = new World();
    const c1 = w.crm.userCreate(person('Sleepy', 'Head'));
    w.crm.userCreate(person('Other', 'Member'));
    await w.sync();
    await w.sync();
    const g1 = (await w.partnerOf(c1))!;
    w.crm.userSetGroup(c1, false);
    await w.sync();
    await w.sync();
    assert.equal(w.google.records.get(g1)!.inGroup, false);
    // The CRM keeps no tombstones: the deletion of a record outside the group is never reported.
    w.crm.userDelete(c1);
    const c2 = w.crm.userCreate(person('Sleepy', 'Head'));
    await w.sync();
    assert.equal(await w.partnerOf(c2), g1);
    assert.equal(w.google.alive().length, 2, 'no second Google contact');
    assert.equal(w.google.records.get(g1)!.inGroup, true);
  });

  it('a sleeping pair whose partner still exists keeps its Google contact: the CRM newcomer gets a new one', async () => {
    const w = new World();
    const c1 = w.crm.userCreate(person('Still', 'Here'));
    w.crm.userCreate(person('Other', 'Member'));
    await w.sync();
    await w.sync();
    const g1 = (await w.partnerOf(c1))!;
    w.crm.userSetGroup(c1, false);
    await w.sync();
    await w.sync();
    const c2 = w.crm.userCreate(
      person('Still', 'Here', { emails: [{ address: 'still.here@example.com', type: 'home' }] }),
    );
    await w.sync();
    assert.notEqual(await w.partnerOf(c2), g1);
    assert.equal(await w.partnerOf(c1), g1);
    assert.equal(w.google.records.get(g1)!.inGroup, false);
  });

  it('a pair a person chose is linked though neither record changed in this run', async () => {
    const w = new World();
    const c1 = w.crm.userCreate(
      person('Twin', 'A', { emails: [{ address: 'twin@example.com', type: 'work' }] }),
    );
    const c2 = w.crm.userCreate(
      person('Twin', 'B', { emails: [{ address: 'twin@example.com', type: 'work' }] }),
    );
    const g = w.google.userCreate(
      person('Twin', 'G', { emails: [{ address: 'twin@example.com', type: 'work' }] }),
    );
    const first = await w.sync();
    assert.equal(first.notes.filter((n) => n.kind === 'ambiguous-match').length, 3);
    await w.sync();
    const calls = w.google.calls.length;
    await w.sync({ chosen: [{ crmId: c2, googleId: g }] });
    assert.ok(w.google.calls.slice(calls).includes('fetch'), 'the chosen Google record is read');
    assert.equal(await w.partnerOf(c2), g);
    assert.equal(await w.partnerOf(c1), null);
    assert.equal(w.google.alive().length, 1);
  });

  it('a person rejected the held removals: the records taken out go back into their group', async () => {
    const w = new World();
    const ids = Array.from({ length: 12 }, (_, i) => w.crm.userCreate(person(`R${i}`, 'Back')));
    await w.sync();
    await w.sync();
    ids.slice(0, 11).forEach((id) => w.crm.userSetGroup(id, false));
    assert.equal((await w.sync()).outcome, 'refused');
    const report = await w.sync({ restoreDepartures: true });
    assert.equal(report.outcome, 'ok');
    assert.equal(w.crm.members().length, 12);
    assert.equal(w.google.members().length, 12);
  });

  it('a refused run reports only removals as held back, whatever else it planned', async () => {
    const w = new World();
    const ids = Array.from({ length: 12 }, (_, i) => w.crm.userCreate(person(`M${i}`, 'Mixed')));
    await w.sync();
    await w.sync();
    ids.slice(0, 11).forEach((id) => w.crm.userSetGroup(id, false));
    w.crm.userEdit(ids[11]!, { jobTitle: 'Edited' });
    const report = await w.sync();
    assert.equal(report.outcome, 'refused');
    assert.equal(report.notes.filter((n) => n.kind === 'held-removal').length, 11);
    assert.ok(report.notes.every((n) => typeof n === 'object' && n.kind !== undefined));
    assert.equal(report.counts.update.google, 1);
  });

  it('a full Google listing that no longer shows a paired contact asks whether it still exists', async () => {
    const w = new World();
    const [a, b] = [w.crm.userCreate(person('Gone', 'Google')), w.crm.userCreate(person('Left', 'Google'))];
    w.crm.userCreate(person('Stays', 'Put'));
    await w.sync();
    await w.sync();
    const [ga, gb] = [(await w.partnerOf(a))!, (await w.partnerOf(b))!];
    w.google.userDelete(ga);
    w.google.userSetGroup(gb, false);
    w.fake.checkpoint.cursors.google = null;
    await w.sync();
    assert.equal(w.crm.records.get(a)!.inGroup, false);
    assert.equal(w.crm.records.get(b)!.inGroup, false);
    assert.deepEqual(
      links(w).filter((l) => l.includes(a) || l.includes(b)),
      [`dormant:${b}:${gb}`],
      'the deleted contact ends its pair; the one that left sleeps',
    );
  });

  it('a full CRM listing that no longer shows a paired record asks whether it still exists', async () => {
    const w = new World();
    const [a, b] = [w.crm.userCreate(person('Gone', 'Crm')), w.crm.userCreate(person('Left', 'Crm'))];
    w.crm.userCreate(person('Stays', 'Put'));
    await w.sync();
    await w.sync();
    const [ga, gb] = [(await w.partnerOf(a))!, (await w.partnerOf(b))!];
    w.crm.userDelete(a);
    w.crm.userSetGroup(b, false);
    w.fake.checkpoint.cursors.crm = null;
    const log: string[] = [];
    const every = w.fake.allLinks.bind(w.fake);
    w.fake.allLinks = async () => {
      log.push('allLinks');
      return every();
    };
    await w.sync();
    // Compared with the links' heads: a complete listing loads no whole link it does not plan for.
    assert.deepEqual(log, [], 'a full listing of few changes loads no link wholesale');
    assert.equal(w.google.records.get(ga)!.inGroup, false);
    assert.equal(w.google.records.get(gb)!.inGroup, false);
    assert.deepEqual(
      links(w).filter((l) => l.includes(ga) || l.includes(gb)),
      [`dormant:${b}:${gb}`],
    );
  });

  it('a Google create still unconfirmed after 15 minutes is settled by a full Google listing in the same run', async () => {
    const w = new World();
    w.crm.userCreate(person('Other', 'Member'));
    await w.sync();
    await w.sync();
    const c = w.crm.userCreate(person('Never', 'Seen'));
    w.google.writeFaults.push('lost');
    await assert.rejects(w.sync());
    // The contact the lost answer made is deleted at once: no marker lookup can find it.
    for (const r of w.google.alive()) if (r.marker === c) w.google.userDelete(r.id);
    const reads = spyReads(w);
    w.tick(14 * 60_000);
    const early = await w.sync();
    assert.deepEqual(reads, ['crm:changes', 'google:changes']);
    assert.equal(early.counts.waiting, 1);
    w.tick(2 * 60_000);
    await w.sync();
    assert.deepEqual(reads.slice(2), ['crm:changes', 'google:changes', 'google:full']);
    // The create never happened (the listing shows no such contact): it is made again, once.
    assert.deepEqual(w.google.members().filter((r) => r.marker === c).length, 1);
    assert.equal([...w.fake.links.values()].find((l) => l.crmId === c)?.status, 'active');
  });
  it('a create in doubt past 15 minutes while Google is already listed in full: no second listing', async () => {
    const w = new World();
    w.crm.userCreate(person('Other', 'Member'));
    await w.sync();
    await w.sync();
    const c = w.crm.userCreate(person('Never', 'Seen'));
    w.google.writeFaults.push('lost');
    await assert.rejects(w.sync());
    for (const r of w.google.alive()) if (r.marker === c) w.google.userDelete(r.id);
    w.tick(16 * 60_000);
    w.fake.checkpoint.cursors.google = null;
    const reads = spyReads(w);
    await w.sync();
    assert.deepEqual(reads, ['crm:changes', 'google:full']);
    assert.equal(w.google.members().filter((r) => r.marker === c).length, 1);
  });

  it('a create whose answer was lost is found by its marker on the next run, before Google lists it', async () => {
    const w = new World();
    w.crm.userCreate(person('Other', 'Member'));
    await w.sync();
    await w.sync();
    w.google.visibilityDelayMs = 10 * 60_000;
    const c = w.crm.userCreate(person('Lost', 'Answer'));
    w.google.writeFaults.push('lost');
    await assert.rejects(w.sync());
    const report = await w.sync();
    assert.equal(report.counts.waiting, 0);
    assert.equal([...w.fake.links.values()].find((l) => l.crmId === c)?.status, 'active');
    assert.equal(w.google.alive().filter((r) => r.marker === c).length, 1);
  });

  it('a pair a person chose whose Google contact is already paired elsewhere is not linked twice', async () => {
    const w = new World();
    const c1 = w.crm.userCreate(person('Owner', 'One'));
    w.crm.userCreate(person('Other', 'Member'));
    await w.sync();
    await w.sync();
    const g1 = (await w.partnerOf(c1))!;
    const c2 = w.crm.userCreate(person('Chooser', 'Two'));
    await w.sync();
    await w.sync();
    await w.sync({ chosen: [{ crmId: c2, googleId: g1 }] });
    assert.equal(await w.partnerOf(c1), g1);
    assert.notEqual(await w.partnerOf(c2), g1);
    assert.equal([...w.fake.links.values()].filter((l) => l.googleId === g1).length, 1);
  });

  it('a newcomer that finds no counterpart anywhere costs no extra link query', async () => {
    const w = new World();
    w.crm.userCreate(person('Other', 'Member'));
    await w.sync();
    await w.sync();
    w.crm.userCreate(person('Unique', 'Person'));
    let queries = 0;
    const linksFor = w.fake.linksFor.bind(w.fake);
    w.fake.linksFor = async (side, ids) => {
      queries += 1;
      return linksFor(side, ids);
    };
    await w.sync();
    assert.equal(queries, 2, 'the changed records of each side');
  });

  it('a record taken out of a group by the sync leaves the member list committed for that group', async () => {
    const w = new World();
    const c = w.crm.userCreate(person('Taken', 'Out'));
    w.crm.userCreate(person('Other', 'Member'));
    await w.sync();
    await w.sync();
    w.google.userSetGroup((await w.partnerOf(c))!, false);
    await w.sync();
    assert.equal(w.crm.records.get(c)!.inGroup, false);
    assert.deepEqual(
      w.fake.memberLists.crm,
      w.crm.members().map((r) => r.id),
    );
  });
});
