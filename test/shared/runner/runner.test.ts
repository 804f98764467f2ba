// The runner's rules as table rows (shared/runSync.ts, shared/execute.ts): what is committed after a
// failed write, a lost answer, a deadline and a refusal, and the stored count of pairs in sync that
// the mass-removal guard measures against.
import assert from 'node:assert/strict';
import { World, person } from '../../fakes/world.js';
import { LostAnswer } from '../../fakes/fakeSide.js';

const inSync = (w: World) =>
  [...w.fake.links.values()].filter((l) => l.status === 'active' && !l.attention).length;

const rows: { rule: string; run: (w: World) => Promise<void> }[] = [
  {
    rule: 'a failed write is not committed as done: the pair needs attention and the next run writes it',
    run: async (w) => {
      const c = w.crm.userCreate(person('Fail', 'Once'));
      await w.sync();
      const g = (await w.partnerOf(c))!;
      w.crm.userEdit(c, { jobTitle: 'Lead' });
      w.google.writeFaults.push('failed');
      const report = await w.sync();
      assert.equal(report.counts.failed, 1);
      assert.equal(report.counts.update.google, 0);
      assert.deepEqual(
        report.notes.filter((n) => n.kind === 'write-failed').map((n) => n.side),
        ['google'],
      );
      const [link] = [...w.fake.links.values()];
      assert.equal(link!.attention, true);
      assert.equal(w.google.records.get(g)!.contact.jobTitle, '');
      await w.sync();
      assert.equal(w.google.records.get(g)!.contact.jobTitle, 'Lead');
      assert.equal([...w.fake.links.values()][0]!.attention, false);
    },
  },
  {
    rule: 'a failed first pairing is merged as a first pairing again: the unwritten side is not taken for an edit',
    run: async (w) => {
      w.crm.userCreate(person('First', 'Pair', { jobTitle: 'Keeper' }));
      const g = w.google.userCreate(person('First', 'Pair', { jobTitle: '' }), false);
      w.tick(5000);
      w.google.userEdit(g, { notes: 'newer' });
      w.crm.writeFaults.push('failed');
      w.google.writeFaults.push('failed', 'failed');
      await w.sync();
      await w.sync();
      assert.equal(w.google.records.get(g)!.contact.jobTitle, 'Keeper');
      assert.equal(w.google.records.get(g)!.inGroup, true);
      assert.equal(w.crm.members().length, 1);
    },
  },
  {
    rule: 'a failed group add is not mistaken for the user taking the record out of its group',
    run: async (w) => {
      w.google.userCreate(person('Add', 'Failed'));
      const c = w.crm.userCreate(person('Add', 'Failed'), false);
      w.crm.writeFaults.push('failed');
      await w.sync();
      assert.equal(w.crm.records.get(c)!.inGroup, false);
      await w.sync();
      assert.equal(w.crm.records.get(c)!.inGroup, true);
      assert.equal(w.google.members().length, 1);
    },
  },
  {
    rule: 'a create whose answer was lost is confirmed by its marker, never made twice',
    run: async (w) => {
      w.crm.userCreate(person('Lost', 'Answer'));
      w.google.writeFaults.push('lost');
      await assert.rejects(w.sync(), LostAnswer);
      assert.equal(w.google.alive().length, 1);
      w.tick(20 * 60_000);
      const report = await w.sync();
      assert.equal(report.outcome, 'ok');
      assert.equal(w.google.alive().length, 1);
      assert.equal(inSync(w), 1);
    },
  },
  {
    rule: 'a run stopped at its deadline keeps its cursors and asks for more; the next run finishes',
    run: async (w) => {
      await w.sync();
      const cursors = structuredClone(w.fake.checkpoint.cursors);
      for (let i = 0; i < 5; i++) w.crm.userCreate(person(`D${i}`, 'Deadline'));
      const report = await w.sync({ deadline: w.time });
      assert.equal(report.outcome, 'partial');
      assert.equal(report.more, true);
      assert.deepEqual(w.fake.checkpoint.cursors, cursors);
      assert.equal(w.google.alive().length, 0);
      const next = await w.sync();
      assert.equal(next.outcome, 'ok');
      assert.equal(next.more, false);
      assert.notDeepEqual(w.fake.checkpoint.cursors, cursors);
      assert.equal(w.google.members().length, 5);
    },
  },
  {
    rule: 'a run past its deadline after the creates still commits what it wrote, and only that',
    run: async (w) => {
      const ids = [0, 1, 2, 3].map((i) => w.crm.userCreate(person(`E${i}`, 'Edge')));
      await w.sync();
      for (const id of ids) w.crm.userEdit(id, { jobTitle: 'Edited' });
      let calls = 0;
      w.google.hook = (call, after) => {
        if (call === 'update' && after && ++calls === 1) w.tick(10_000);
      };
      const report = await w.sync({ deadline: w.time + 5000 });
      w.google.hook = () => {};
      assert.equal(report.outcome, 'partial');
      assert.equal(report.counts.update.google, 3, 'one chunk of three');
      const edited = w.google.alive().filter((r) => r.contact.jobTitle === 'Edited').length;
      assert.equal(edited, 3);
      await w.sync();
      assert.equal(w.google.alive().filter((r) => r.contact.jobTitle === 'Edited').length, 4);
    },
  },
  {
    rule: 'the stored count of pairs in sync follows creates, failures, removals and returns',
    run: async (w) => {
      const ids = [0, 1, 2].map((i) => w.crm.userCreate(person(`N${i}`, 'Count')));
      await w.sync();
      assert.equal(w.fake.checkpoint.activeLinks, 3);
      await w.sync();
      assert.equal(w.fake.checkpoint.activeLinks, 3, 'an echo run counts nothing twice');
      w.crm.userSetGroup(ids[0]!, false);
      await w.sync();
      assert.equal(w.fake.checkpoint.activeLinks, 2);
      w.crm.userSetGroup(ids[0]!, true);
      await w.sync();
      assert.equal(w.fake.checkpoint.activeLinks, 3);
      w.crm.userEdit(ids[1]!, { notes: 'x' });
      w.google.writeFaults.push('failed');
      await w.sync();
      assert.equal(w.fake.checkpoint.activeLinks, inSync(w));
      await w.sync();
      assert.equal(w.fake.checkpoint.activeLinks, 3);
    },
  },
  {
    rule: 'a refused run writes nothing and keeps its cursors; a confirmed one goes ahead',
    run: async (w) => {
      const ids = [0, 1].map((i) => w.crm.userCreate(person(`R${i}`, 'Refused')));
      await w.sync();
      await w.sync();
      const cursors = structuredClone(w.fake.checkpoint.cursors);
      ids.forEach((id) => w.crm.userSetGroup(id, false));
      const writes = w.google.calls.length;
      const report = await w.sync();
      assert.equal(report.outcome, 'refused');
      assert.deepEqual(w.google.calls.slice(writes), ['readChanges']);
      assert.deepEqual(w.fake.checkpoint.cursors, cursors);
      const confirmed = await w.sync({ allowLargeRemoval: true });
      assert.equal(confirmed.outcome, 'ok');
      assert.equal(w.google.members().length, 0);
      assert.equal(w.fake.checkpoint.activeLinks, 0);
    },
  },
];

describe('runner: what a run commits (table)', () => {
  for (const row of rows) it(row.rule, async () => row.run(new World()));
});
