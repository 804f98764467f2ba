// The product rules of DESIGN.md as table rows, each named after the rule it proves. They run through
// the runner with fakes of our side ports, over any state store (in memory, or Firestore).
import assert from 'node:assert/strict';
import type { World } from '../../fakes/world.js';
import { person } from '../../fakes/world.js';

export interface Row {
  rule: string;
  /** Counts the in-memory store's writes: meaningless over another store. */
  fakeStateOnly?: boolean;
  run: (w: World) => Promise<void>;
}

const onlyOne = <T>(items: T[]): T => {
  assert.equal(items.length, 1, `expected exactly one, got ${items.length}`);
  return items[0]!;
};

export const ruleRows: Row[] = [
  {
    rule: 'rule 1: only members of the chosen CRM static group and the Google group are synced',
    run: async (w) => {
      w.crm.userCreate(person('Out', 'Side'), false);
      w.google.userCreate(person('Not', 'Grouped'), false);
      await w.sync();
      assert.equal(w.google.alive().length, 1);
      assert.equal(w.crm.alive().length, 1);
      assert.equal((await w.state.allLinks()).length, 0);
    },
  },
  {
    rule: 'rule 3: a Google contact put into the group arrives in the CRM static group',
    run: async (w) => {
      w.google.userCreate(person('Ada', 'Lovelace', { jobTitle: 'Analyst' }));
      await w.sync();
      const c = onlyOne(w.crm.members());
      assert.equal(c.contact.givenName, 'Ada');
      assert.equal(c.contact.jobTitle, 'Analyst');
    },
  },
  {
    rule: 'rule 3: a CRM contact put into the static group arrives in the Google group, marked with its CRM id',
    run: async (w) => {
      const id = w.crm.userCreate(person('Alan', 'Turing'));
      await w.sync();
      const g = onlyOne(w.google.members());
      assert.equal(g.contact.familyName, 'Turing');
      assert.equal(g.marker, id);
      assert.equal(await w.partnerOf(id), g.id);
    },
  },
  {
    rule: 'rule 3: a contact already on both sides is linked by email, not duplicated, and its data merged',
    run: async (w) => {
      w.crm.userCreate(person('Grace', 'Hopper', { jobTitle: 'Rear Admiral' }));
      w.google.userCreate(person('Grace', 'Hopper', { phones: [{ number: '+1 555 0100', type: 'mobile' }] }));
      await w.sync();
      assert.equal(w.crm.alive().length, 1);
      assert.equal(w.google.alive().length, 1);
      const [c, g] = [w.crm.members()[0]!, w.google.members()[0]!];
      assert.equal(g.contact.jobTitle, 'Rear Admiral');
      assert.equal(c.contact.phones[0]?.number, '+1 555 0100');
    },
  },
  {
    rule: 'rule 3: a CRM newcomer pairs with a Google contact outside the group and brings it into the group',
    run: async (w) => {
      const g = w.google.userCreate(person('Edsger', 'Dijkstra'), false);
      w.crm.userCreate(person('Edsger', 'Dijkstra'));
      await w.sync();
      assert.equal(w.google.alive().length, 1);
      assert.equal(w.google.records.get(g)!.inGroup, true);
    },
  },
  {
    rule: 'rule 3: from then on the two are kept in step both ways',
    run: async (w) => {
      const c = w.crm.userCreate(person('Barbara', 'Liskov'));
      await w.sync();
      const g = (await w.partnerOf(c))!;
      w.google.userEdit(g, { notes: 'met at OOPSLA' });
      await w.sync();
      assert.equal(w.crm.records.get(c)!.contact.notes, 'met at OOPSLA');
      w.crm.userEdit(c, { company: 'MIT' });
      await w.sync();
      assert.equal(w.google.records.get(g)!.contact.company, 'MIT');
    },
  },
  {
    rule: 'rule 4: a run with no changes writes nothing to either side and no link',
    fakeStateOnly: true,
    run: async (w) => {
      w.crm.userCreate(person('Ken', 'Thompson'));
      w.google.userCreate(person('Dennis', 'Ritchie'));
      await w.sync();
      await w.sync(); // consumes the echoes of the first run's writes
      const [crmCalls, googleCalls, writes] = [w.crm.calls.length, w.google.calls.length, w.fake.writes];
      const report = await w.sync();
      assert.deepEqual(w.crm.calls.slice(crmCalls), ['readChanges']);
      assert.deepEqual(w.google.calls.slice(googleCalls), ['readChanges']);
      assert.equal(w.fake.writes - writes, 1, 'only the checkpoint');
      assert.equal(report.counts.update.crm + report.counts.update.google, 0);
    },
  },
  {
    rule: 'rule 4: only what changed is read: one edit among many touches one link',
    run: async (w) => {
      const ids = Array.from({ length: 30 }, (_, i) => w.crm.userCreate(person(`P${i}`, 'Many')));
      await w.sync();
      await w.sync();
      w.crm.userEdit(ids[7]!, { jobTitle: 'Lead' });
      const report = await w.sync();
      assert.equal(report.counts.update.google, 1);
      assert.equal(report.counts.update.crm, 0);
    },
  },
  {
    rule: 'rule 4: our own writes echoing back produce no action',
    run: async (w) => {
      const c = w.crm.userCreate(person('Echo', 'Back'));
      await w.sync();
      w.crm.userEdit(c, { jobTitle: 'Sender' });
      await w.sync();
      const report = await w.sync(); // Google reports our update as a change: it must be recognised
      assert.deepEqual(report.counts.update, { crm: 0, google: 0 });
      assert.deepEqual(report.counts.create, { crm: 0, google: 0 });
    },
  },
  {
    rule: 'rule 5: when both sides changed one field, the later change wins',
    run: async (w) => {
      const c = w.crm.userCreate(person('Later', 'Wins'));
      await w.sync();
      const g = (await w.partnerOf(c))!;
      w.crm.userEdit(c, { jobTitle: 'CRM title' });
      w.tick(5000);
      w.google.userEdit(g, { jobTitle: 'Google title' });
      await w.sync();
      assert.equal(w.crm.records.get(c)!.contact.jobTitle, 'Google title');
      assert.equal(w.google.records.get(g)!.contact.jobTitle, 'Google title');
    },
  },
  {
    rule: 'rule 5: per field, a phone edited in Google and a job title edited in the CRM both survive',
    run: async (w) => {
      const c = w.crm.userCreate(person('Per', 'Field'));
      await w.sync();
      const g = (await w.partnerOf(c))!;
      w.google.userEdit(g, { phones: [{ number: '+44 20 7946 0000', type: 'work' }] });
      w.tick();
      w.crm.userEdit(c, { jobTitle: 'CTO' });
      await w.sync();
      for (const r of [w.crm.records.get(c)!, w.google.records.get(g)!]) {
        assert.equal(r.contact.jobTitle, 'CTO');
        assert.equal(r.contact.phones[0]?.number, '+44 20 7946 0000');
      }
    },
  },
  {
    rule: 'rule 5: an email added on each side survives both edits',
    run: async (w) => {
      const c = w.crm.userCreate(person('Two', 'Mails'));
      await w.sync();
      const g = (await w.partnerOf(c))!;
      const base = w.crm.records.get(c)!.contact.emails;
      w.crm.userEdit(c, { emails: [...base, { address: 'crm@example.com', type: 'home' }] });
      w.google.userEdit(g, { emails: [...base, { address: 'google@example.com', type: 'other' }] });
      await w.sync();
      const want = ['two.mails@example.com', 'crm@example.com', 'google@example.com'].sort();
      for (const r of [w.crm.records.get(c)!, w.google.records.get(g)!])
        assert.deepEqual(r.contact.emails.map((e) => e.address).sort(), want);
    },
  },
  ...(['crm-wins', 'google-wins'] as const).map((policy): Row => ({
    rule: `rule 5: the ${policy} policy settles a conflict whatever the times`,
    run: async (w) => {
      const c = w.crm.userCreate(person('Policy', 'Test'));
      await w.sync({ policy });
      const g = (await w.partnerOf(c))!;
      const [first, second] =
        policy === 'crm-wins' ? (['google', 'crm'] as const) : (['crm', 'google'] as const);
      const edit = (side: 'crm' | 'google', title: string) =>
        side === 'crm' ? w.crm.userEdit(c, { jobTitle: title }) : w.google.userEdit(g, { jobTitle: title });
      edit(second, `${second} early`);
      w.tick(60_000);
      edit(first, `${first} late`);
      await w.sync({ policy });
      assert.equal(w.crm.records.get(c)!.contact.jobTitle, `${second} early`);
      assert.equal(w.google.records.get(g)!.contact.jobTitle, `${second} early`);
    },
  })),
  {
    rule: 'rule 5: a winning empty value never wipes the other side when first paired',
    run: async (w) => {
      w.google.userCreate(person('Empty', 'Loses', { jobTitle: 'Keeper' }));
      w.tick(10_000);
      w.crm.userCreate(person('Empty', 'Loses'));
      await w.sync();
      for (const side of [w.crm, w.google]) assert.equal(side.members()[0]!.contact.jobTitle, 'Keeper');
    },
  },
  {
    rule: 'rule 5: a value the user cleared is cleared on the other side too',
    run: async (w) => {
      const c = w.crm.userCreate(person('Clear', 'Me', { notes: 'old note' }));
      await w.sync();
      w.crm.userEdit(c, { notes: '' });
      await w.sync();
      assert.equal(w.google.records.get((await w.partnerOf(c))!)!.contact.notes, '');
    },
  },
  {
    rule: 'rule 6: a contact deleted in Google leaves the CRM static group and is not deleted',
    run: async (w) => {
      w.crm.userCreate(person('By', 'Stander'));
      const c = w.crm.userCreate(person('Gone', 'Google'));
      await w.sync();
      w.google.userDelete((await w.partnerOf(c))!);
      await w.sync();
      const r = w.crm.records.get(c)!;
      assert.equal(r.deleted, false);
      assert.equal(r.inGroup, false);
    },
  },
  {
    rule: 'rule 6: a contact deleted in the CRM leaves the Google group and is not deleted',
    run: async (w) => {
      w.crm.userCreate(person('By', 'Stander'));
      const c = w.crm.userCreate(person('Gone', 'Crm'));
      await w.sync();
      const g = (await w.partnerOf(c))!;
      w.crm.userDelete(c);
      await w.sync();
      const r = w.google.records.get(g)!;
      assert.equal(r.deleted, false);
      assert.equal(r.inGroup, false);
    },
  },
  {
    rule: 'rule 6: taking a contact out of the Google group takes it out of the CRM static group',
    run: async (w) => {
      w.crm.userCreate(person('By', 'Stander'));
      const g = w.google.userCreate(person('Out', 'Google'));
      await w.sync();
      w.google.userSetGroup(g, false);
      await w.sync();
      const c = onlyOne(w.crm.alive().filter((r) => r.contact.familyName === 'Google'));
      assert.equal(c.inGroup, false);
    },
  },
  {
    rule: 'rule 6: taking a contact out of the CRM static group takes it out of the Google group; putting it back restores the same pair',
    run: async (w) => {
      w.crm.userCreate(person('By', 'Stander'));
      const c = w.crm.userCreate(person('Back', 'Again'));
      await w.sync();
      const g = (await w.partnerOf(c))!;
      w.crm.userSetGroup(c, false);
      await w.sync();
      assert.equal(w.google.records.get(g)!.inGroup, false);
      w.crm.userSetGroup(c, true);
      await w.sync();
      assert.equal(w.google.records.get(g)!.inGroup, true);
      assert.equal(w.google.alive().length, 2);
    },
  },
  {
    rule: 'rule 6: a CRM contact coming back after its Google partner was deleted gets a new Google contact',
    run: async (w) => {
      w.crm.userCreate(person('By', 'Stander'));
      const c = w.crm.userCreate(person('Phoenix', 'Rising'));
      await w.sync();
      w.crm.userSetGroup(c, false);
      await w.sync();
      w.google.userDelete((await w.partnerOf(c))!);
      w.crm.userSetGroup(c, true);
      await w.sync();
      await w.sync();
      const g = onlyOne(w.google.members().filter((r) => r.contact.givenName === 'Phoenix'));
      assert.equal(await w.partnerOf(c), g.id);
    },
  },
  {
    rule: 'guard: a run that would empty more than half of a group is refused and writes nothing',
    fakeStateOnly: true,
    run: async (w) => {
      const ids = Array.from({ length: 20 }, (_, i) => w.crm.userCreate(person(`G${i}`, 'Guard')));
      await w.sync();
      await w.sync();
      ids.slice(0, 15).forEach((id) => w.crm.userSetGroup(id, false));
      const [writes, googleCalls] = [w.fake.writes, w.google.calls.length];
      const report = await w.sync();
      assert.equal(report.outcome, 'refused');
      assert.match(report.reason ?? '', /remove 15 of 20/);
      assert.equal(w.fake.writes, writes);
      assert.deepEqual(w.google.calls.slice(googleCalls), ['readChanges']);
      assert.equal(w.google.members().length, 20);
      const confirmed = await w.sync({ allowLargeRemoval: true });
      assert.equal(confirmed.outcome, 'ok');
      assert.equal(w.google.members().length, 5);
    },
  },
  {
    rule: 'guard: a side that suddenly lists its group empty is refused',
    run: async (w) => {
      const ids = Array.from({ length: 3 }, (_, i) => w.crm.userCreate(person(`E${i}`, 'Empty')));
      await w.sync();
      ids.forEach((id) => w.crm.userSetGroup(id, false));
      const report = await w.sync();
      assert.equal(report.outcome, 'refused');
      assert.match(report.reason ?? '', /lists no members/);
      assert.equal(w.google.members().length, 3);
    },
  },
  {
    rule: 'duplicates: two Google contacts sharing an email with one CRM contact are reported, not guessed',
    run: async (w) => {
      w.crm.userCreate(person('Twin', 'Mail'));
      w.google.userCreate(person('Twin', 'Mail'));
      w.google.userCreate(person('Twin', 'Mail', { givenName: 'Twin2' }));
      const report = await w.sync();
      assert.equal(w.crm.alive().length, 1);
      assert.equal(w.google.alive().length, 2);
      assert.equal(report.notes.filter((n) => n.kind === 'ambiguous-match').length, 3);
    },
  },
];
