// The runner's reading side (shared/runSync.ts): what a run reads from the state and the sides, what a
// full listing is told, what a dry run and a refused run report, and what is committed at the end.
// Expected values are written out by hand.
import assert from 'node:assert/strict';
import { World, person } from '../../fakes/world.js';

/** Logs the state store's calls by name, in order. */
const logState = (w: World): string[] => {
  const log: string[] = [];
  const state = w.fake as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of [
    'loadCheckpoint',
    'saveCheckpoint',
    'linksFor',
    'attentionLinks',
    'linkHeads',
    'allLinks',
    'saveLinks',
    'loadMembers',
    'saveMembers',
  ]) {
    const real = state[name]!.bind(w.fake);
    state[name] = (...args: unknown[]) => {
      log.push(name);
      return real(...args);
    };
  }
  return log;
};

/** The versions each side's full listing was told the links hold ('' tells none). */
const spyKnown = (w: World) => {
  const told: Record<'crm' | 'google', Record<string, string> | null> = { crm: null, google: null };
  for (const side of ['crm', 'google'] as const) {
    const fake = w[side];
    const real = fake.readChanges.bind(fake);
    fake.readChanges = async (cursor, options) => {
      if (options.known)
        told[side] = Object.fromEntries([...(await options.known())].filter(([, v]) => v !== ''));
      return real(cursor, options);
    };
  }
  return told;
};

describe('runner: reading and committing (table)', () => {
  it('a quiet run reads the checkpoint and the few links the sides name, and writes only the checkpoint', async () => {
    const w = new World();
    for (const n of ['A', 'B', 'C']) w.crm.userCreate(person(n, 'Quiet'));
    await w.sync();
    await w.sync();
    const log = logState(w);
    await w.sync();
    assert.deepEqual(log, ['loadCheckpoint', 'linksFor', 'linksFor', 'attentionLinks', 'saveCheckpoint']);
    assert.deepEqual(w.crm.calls.slice(-1), ['readChanges']);
  });

  it('once planned, each side lets go of what it kept of its reads, before the first write', async () => {
    const w = new World();
    w.crm.userCreate(person('Let', 'Go'));
    const log: string[] = [];
    for (const side of ['crm', 'google'] as const) {
      const fake = w[side] as typeof w.crm & { releaseReads?: () => void };
      fake.releaseReads = () => void log.push(`${side}:release`);
      const create = fake.create.bind(fake);
      fake.create = (items) => (log.push(`${side}:create`), create(items));
    }
    await w.sync();
    assert.deepEqual(log, ['crm:release', 'google:release', 'google:create']);
  });

  it('a side that reports no member list has none stored', async () => {
    const w = new World();
    w.crm.userCreate(person('No', 'List'));
    await w.sync();
    assert.equal(w.fake.memberLists.google, null);
    assert.equal(w.fake.checkpoint.membersHash.google, null);
    assert.deepEqual(w.fake.memberLists.crm, [...w.crm.records.keys()]);
    // Each side's cursor as read before this run's writes: the echo of our create is read next time.
    assert.deepEqual(w.fake.checkpoint.cursors, { crm: '1', google: '0' });
  });

  it('a CRM record put into the group without an edit is fetched; one also edited is not fetched again', async () => {
    const w = new World();
    const quiet = w.crm.userCreate(person('Quiet', 'Join'), false);
    const edited = w.crm.userCreate(person('Edited', 'Join'), false);
    w.crm.userCreate(person('Already', 'In'));
    await w.sync();
    await w.sync();
    w.crm.userSetGroup(quiet, true);
    w.crm.userSetGroup(edited, true);
    w.crm.userEdit(edited, { jobTitle: 'x' });
    const calls = w.crm.calls.length;
    await w.sync();
    assert.deepEqual(
      w.crm.calls.slice(calls).filter((c) => c === 'fetch'),
      ['fetch'],
    );
    assert.equal(w.google.members().length, 3);
  });

  it('a CRM record taken out of the group is fetched to tell a departure from a deletion', async () => {
    const w = new World();
    const left = w.crm.userCreate(person('Left', 'Out'));
    const gone = w.crm.userCreate(person('Gone', 'Away'));
    w.crm.userCreate(person('Stays', 'In'));
    await w.sync();
    await w.sync();
    const [gLeft, gGone] = [(await w.partnerOf(left))!, (await w.partnerOf(gone))!];
    w.crm.userSetGroup(left, false);
    w.crm.userDelete(gone);
    const calls = w.crm.calls.length;
    await w.sync({ allowLargeRemoval: true });
    assert.deepEqual(
      w.crm.calls.slice(calls).filter((c) => c === 'fetch'),
      ['fetch'],
    );
    assert.equal(w.google.records.get(gLeft)!.inGroup, false);
    assert.equal(w.google.records.get(gGone)!.inGroup, false);
    assert.equal(await w.partnerOf(left), gLeft, 'the pair of a departure sleeps');
    assert.equal((await w.state.linksFor('google', [gGone])).length, 0, 'the pair of a deletion ends');
  });

  it('a full read that leaves members unread keeps its cursor and continues until every one is in', async () => {
    const w = new World();
    w.crm.fullReadBound = 2;
    for (const n of ['A', 'B', 'C', 'D', 'E']) w.crm.userCreate(person(n, 'Bound'));
    const first = await w.sync();
    assert.deepEqual([first.outcome, first.more], ['partial', true]);
    assert.equal(w.fake.checkpoint.cursors.crm, null, 'the CRM is read in full again');
    assert.equal(w.google.members().length, 2);
    await w.sync();
    const last = await w.sync();
    assert.deepEqual([last.outcome, last.more], ['ok', false]);
    assert.equal(w.google.members().length, 5);
    assert.notEqual(w.fake.checkpoint.cursors.crm, null);
    assert.equal(w.crm.members().length, 5, 'a member left unread is never taken for a departure');
  });

  it('the runs that continue a bounded read let the other side, read moments ago, rest', async () => {
    const w = new World();
    w.crm.fullReadBound = 2;
    for (const n of ['A', 'B', 'C', 'D', 'E']) w.crm.userCreate(person(n, 'Rest'));
    await w.sync();
    assert.deepEqual(w.fake.checkpoint.continuing, ['crm']);
    await w.sync();
    const last = await w.sync();
    assert.equal(last.more, false);
    assert.deepEqual([w.google.rested, w.crm.rested], [2, 0], 'the two continuations; the CRM is read');
    assert.equal(w.fake.checkpoint.continuing, undefined, 'the chain is over');
    await w.sync();
    assert.equal(w.google.rested, 2, 'a scheduled run reads both sides');
    assert.equal(w.google.members().length, 5);
  });

  it('a continuation after a run that died mid-way reads both sides', async () => {
    const w = new World();
    w.crm.fullReadBound = 2;
    for (const n of ['A', 'B', 'C', 'D', 'E']) w.crm.userCreate(person(n, 'Died'));
    await w.sync();
    w.google.hook = (call, after) => {
      if (call === 'create' && after) throw new Error('the process died');
    };
    await assert.rejects(w.sync());
    assert.equal(w.google.rested, 1, 'the continuation rested, then died');
    w.google.hook = () => {};
    await w.sync();
    assert.equal(w.google.rested, 1, 'after the crash, read');
  });

  it('members a bounded full read left unread are not asked after: they are present, not compared', async () => {
    const w = new World();
    for (const n of ['A', 'B', 'C', 'D']) w.crm.userCreate(person(n, 'Unasked'));
    await w.sync();
    await w.sync();
    w.crm.fullReadBound = 1;
    w.fake.checkpoint.cursors = { crm: null, google: w.fake.checkpoint.cursors.google };
    for (const r of w.crm.members()) w.crm.userEdit(r.id, { jobTitle: 'moved' });
    const calls = w.crm.calls.length;
    await w.sync();
    assert.deepEqual(w.crm.calls.slice(calls), ['readChanges']);
  });

  it('a full listing after many changes, every link loaded at once: a deletion is told from a departure', async () => {
    const w = new World();
    const ids = Array.from({ length: 320 }, (_, i) => w.crm.userCreate(person(`N${i}`, 'Many')));
    await w.sync();
    await w.sync();
    const [left, gone, before] = [ids[0]!, ids[1]!, ids[2]!];
    const [gLeft, gGone] = [(await w.partnerOf(left))!, (await w.partnerOf(gone))!];
    w.crm.userSetGroup(before, false); // a departure an earlier run settled: its pair sleeps
    await w.sync();
    for (const id of ids.slice(3)) w.crm.userEdit(id, { jobTitle: 'edited' });
    w.crm.userSetGroup(left, false);
    w.crm.userDelete(gone);
    w.fake.checkpoint.cursors = { crm: null, google: w.fake.checkpoint.cursors.google };
    const log = logState(w);
    const asked: string[] = [];
    const fetch = w.crm.fetch.bind(w.crm);
    w.crm.fetch = (wanted) => (asked.push(...wanted), fetch(wanted));
    await w.sync({ allowLargeRemoval: true });
    assert.ok(log.includes('allLinks') && !log.includes('linkHeads'), log.join());
    assert.deepEqual(asked.sort(), [left, gone].sort(), 'only the members the listing lost');
    assert.equal(w.google.records.get(gLeft)!.inGroup, false);
    assert.equal(await w.partnerOf(left), gLeft, 'the pair of a departure sleeps');
    assert.equal((await w.state.linksFor('google', [gGone])).length, 0, 'the pair of a deletion ends');
  });

  it('an invocation whose bounded read settles nothing does not ask for another at once', async () => {
    const w = new World();
    for (const n of ['A', 'B', 'C']) w.crm.userCreate(person(n, 'Quiet'));
    await w.sync();
    await w.sync();
    w.crm.fullReadBound = 1;
    // Every member's version moved with nothing changed (an echo): read, equal, nothing to write.
    for (const r of w.crm.members()) w.crm.records.get(r.id)!.version += 1;
    w.fake.checkpoint.cursors = { crm: null, google: w.fake.checkpoint.cursors.google };
    const report = await w.sync();
    assert.equal(report.more, false);
  });

  it('a full listing is not told the version of the source of a create in doubt: it is read again', async () => {
    const w = new World();
    const a = w.crm.userCreate(person('Doubt', 'Source'));
    w.google.writeFaults.push('lost');
    await w.sync().catch(() => undefined);
    assert.equal([...w.fake.links.values()][0]?.status, 'pending');
    w.fake.checkpoint.cursors = { crm: null, google: null };
    const told = spyKnown(w);
    await w.sync();
    assert.equal(told.crm?.[a], undefined);
  });

  it('a full listing is told the version of a create a full side refused: it waits for room, unread', async () => {
    const w = new World();
    const a = w.crm.userCreate(person('Refused', 'Source'));
    w.google.capacity = 0;
    await w.sync();
    assert.equal([...w.fake.links.values()][0]?.pending?.refused !== undefined, true);
    w.fake.checkpoint.cursors = { crm: null, google: null };
    const told = spyKnown(w);
    await w.sync();
    assert.equal(told.crm?.[a], String(w.crm.records.get(a)!.version));
  });

  it('a full listing is told the versions of the active pairs in their groups, and nothing else', async () => {
    const w = new World();
    const a = w.crm.userCreate(person('Active', 'Pair'));
    const b = w.crm.userCreate(person('Sleeping', 'Pair'));
    await w.sync();
    await w.sync();
    w.crm.userSetGroup(b, false);
    await w.sync();
    const [ga, gb] = [(await w.partnerOf(a))!, (await w.partnerOf(b))!];
    w.fake.checkpoint.cursors = { crm: null, google: null };
    const told = spyKnown(w);
    await w.sync();
    assert.deepEqual(told.google, { [ga]: String(w.google.records.get(ga)!.version) });
    assert.deepEqual(told.crm, { [a]: String(w.crm.records.get(a)!.version) });
    assert.equal(w.google.records.get(gb)!.inGroup, false);
  });

  it('a side whose full read waits for the Creatio budget is told so; the other side is not', async () => {
    const w = new World();
    w.crm.userCreate(person('Budget', 'Kept'));
    await w.sync();
    const told: Record<'crm' | 'google', boolean | undefined> = { crm: undefined, google: undefined };
    for (const side of ['crm', 'google'] as const) {
      const fake = w[side];
      const real = fake.readChanges.bind(fake);
      fake.readChanges = async (cursor, options) => {
        told[side] = (options as { deferFullRead?: boolean }).deferFullRead;
        return real(cursor, options);
      };
    }
    await w.sync({ deferFullRead: ['crm'] });
    assert.deepEqual(told, { crm: true, google: undefined });
  });

  it('a pair whose version a membership change made unknown is not told to a full listing', async () => {
    const w = new World();
    const a = w.crm.userCreate(person('Back', 'Again'));
    w.crm.userCreate(person('Stays', 'In'));
    await w.sync();
    await w.sync();
    w.crm.userSetGroup(a, false);
    await w.sync();
    w.crm.userSetGroup(a, true);
    await w.sync();
    w.fake.checkpoint.cursors = { crm: null, google: null };
    const told = spyKnown(w);
    await w.sync();
    const stays = [...w.google.members()].find((r) => r.contact.givenName === 'Stays')!;
    assert.deepEqual(told.google, { [stays.id]: String(stays.version) });
  });

  it('a dry run plans and reports, and writes nothing', async () => {
    const w = new World();
    w.crm.userCreate(person('Dry', 'Run'));
    w.crm.userCreate(person('Both', 'Sides'));
    w.google.userCreate(person('Both', 'Sides', { jobTitle: 'G' }));
    const writes = w.fake.writes;
    const report = await w.sync({ dryRun: true });
    assert.equal(report.outcome, 'dry-run');
    assert.equal(w.fake.writes, writes);
    assert.deepEqual(
      w.google.calls.filter((c) => c !== 'readChanges' && c !== 'lookup' && c !== 'fetch'),
      [],
    );
    assert.deepEqual(report.planned?.map((a) => `${a.kind} ${a.side}`).sort(), [
      'create google',
      'update crm',
    ]);
    assert.equal(report.counts.linked, 2);
    assert.equal(report.newLinks?.size, 2);
    assert.equal(report.plannedLinks?.size, 2);
    assert.deepEqual([...report.plannedLinks!.values()].map((l) => l.status).sort(), ['active', 'pending']);
  });

  it('a dry run over existing pairs names them too, and counts no new pair', async () => {
    const w = new World();
    const c = w.crm.userCreate(person('Known', 'Pair'));
    await w.sync();
    await w.sync();
    w.crm.userEdit(c, { jobTitle: 'x' });
    const report = await w.sync({ dryRun: true });
    assert.equal(report.counts.linked, 0);
    assert.equal(report.newLinks?.size, 0);
    assert.equal(report.plannedLinks?.size, 1);
  });

  it('the caller is told each phase, and the counts while writing', async () => {
    const w = new World();
    w.crm.userCreate(person('Told', 'Progress'));
    const phases: string[] = [];
    await w.sync({
      progress: (phase, counts) => phases.push(`${phase}:${counts ? counts.create.google : '-'}`),
    });
    assert.deepEqual(phases.slice(0, 2), ['reading:-', 'writing:1']);
    assert.equal(phases.at(-1), 'writing:1');
    assert.ok(phases.length >= 3, 'the executor reports its counts too');
  });

  it('a refused run lists each removal it held back, with who it is', async () => {
    const w = new World();
    const ids = Array.from({ length: 12 }, (_, i) => w.crm.userCreate(person(`H${i}`, 'Held')));
    await w.sync();
    await w.sync();
    ids.slice(0, 11).forEach((id) => w.crm.userSetGroup(id, false));
    const report = await w.sync();
    assert.equal(report.outcome, 'refused');
    const held = report.notes.filter((n) => n.kind === 'held-removal');
    assert.equal(held.length, 11);
    assert.ok(held.every((n) => n.side === 'google' && n.id.startsWith('people/')));
    assert.deepEqual(
      held.map((n) => n.brief?.name).sort(),
      ids
        .slice(0, 11)
        .map((_, i) => `H${i} Held`)
        .sort(),
    );
    assert.equal(report.counts.removeFromGroup.google, 11);
  });

  it('a run whose plan only retires links still marks the checkpoint dirty first', async () => {
    const w = new World();
    const c = w.crm.userCreate(person('Only', 'Retire'));
    w.crm.userCreate(person('Stays', 'In'));
    await w.sync();
    await w.sync();
    const g = (await w.partnerOf(c))!;
    w.crm.userSetGroup(c, false);
    await w.sync();
    w.google.userDelete(g);
    let dirty = 0;
    w.fake.onDirty = () => void (dirty += 1);
    const report = await w.sync();
    assert.equal(report.counts.retired, 1);
    assert.equal(dirty, 1);
    assert.equal(w.fake.links.size, 1, 'the other pair stays');
  });

  it('after a run that died before its checkpoint, the pair count is taken from the links', async () => {
    const w = new World();
    [0, 1, 2].forEach((i) => w.crm.userCreate(person(`K${i}`, 'Count')));
    await w.sync();
    await w.sync();
    w.fake.checkpoint = { ...w.fake.checkpoint, dirty: true, activeLinks: 99 };
    await w.sync();
    assert.equal(w.fake.checkpoint.activeLinks, 3);
    assert.equal(w.fake.checkpoint.dirty, false);
  });
  it('after a run that died before its checkpoint, a CRM leaver is found against the links, not the stale list', async () => {
    const w = new World();
    const [a, b] = [w.crm.userCreate(person('Dies', 'Mid')), w.crm.userCreate(person('Stays', 'Put'))];
    await w.sync();
    await w.sync();
    const ga = (await w.partnerOf(a))!;
    // The stored member list lags: as if the last run died after its links but before its checkpoint.
    w.fake.memberLists.crm = [b];
    w.fake.checkpoint = { ...w.fake.checkpoint, dirty: true };
    w.crm.userSetGroup(a, false);
    await w.sync();
    assert.equal(w.google.records.get(ga)!.inGroup, false);
    assert.equal((await w.state.linksFor('crm', [a]))[0]?.status, 'dormant');
  });
});
