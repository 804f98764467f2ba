// The executor, action kind by action kind, against side ports that answer as scripted: what each
// answer does to the counts, the notes, the links committed and the pair count. Expected values are
// written out by hand.
import assert from 'node:assert/strict';
import type { ContactSide, ItemResult, ItemResults, Written } from '../../../shared/ports.js';
import type { ExecuteContext, Executed } from '../../../shared/execute.js';
import { executePlan } from '../../../shared/execute.js';
import type { Action, Contact, Link, Plan, Side, SideRecord } from '../../../shared/sync/index.js';
import { emptyContact } from '../../../shared/sync/index.js';
import { FakeState } from '../../fakes/fakeState.js';

const NOW = 5_000;
const ada: Contact = { ...emptyContact(), givenName: 'Ada', emails: [{ address: 'ada@x.io', type: 'work' }] };

type Answer = ItemResult<Written> | ItemResult<null> | 'none';
const failed = (kind: 'stale' | 'not-found' | 'validation' | 'failed' | 'full', message = 'no'): Answer => ({
  ok: false,
  error: { kind, message },
});

/** A side port answering each item as scripted (by create key or record id), else with success. */
class ScriptedSide implements ContactSide {
  readonly limits = { create: 2, update: 2, membership: 2 };
  readonly calls: string[] = [];
  /** Answers by key; a list is consumed one call at a time. */
  answers = new Map<string, Answer[]>();
  records = new Map<string, SideRecord>();
  onCall: (call: string) => void = () => {};
  constructor(readonly side: Side) {}

  private answer<T>(key: string, ok: T): ItemResult<T> | undefined {
    const queue = this.answers.get(key);
    const a = queue && queue.length > 0 ? queue.shift()! : undefined;
    if (a === 'none') return undefined;
    return (a as ItemResult<T> | undefined) ?? { ok: true, value: ok };
  }
  private results<T>(call: string, keys: string[], ok: (k: string) => T): ItemResults<T> {
    this.calls.push(`${call} ${keys.join(',')}`);
    this.onCall(call);
    const out: ItemResults<T> = new Map();
    for (const k of keys) {
      const r = this.answer(k, ok(k));
      if (r) out.set(k, r);
    }
    return out;
  }
  async readChanges(): Promise<never> {
    throw new Error('not read here');
  }
  async fetch(ids: string[]) {
    this.calls.push(`fetch ${ids.join(',')}`);
    return {
      records: ids.flatMap((id) => (this.records.has(id) ? [this.records.get(id)!] : [])),
      missing: ids.filter((id) => !this.records.has(id)),
    };
  }
  async lookup(): Promise<SideRecord[]> {
    return [];
  }
  async create(items: { key: string; id: string | null }[]) {
    return this.results(
      'create',
      items.map((i) => i.key),
      (k) => ({ id: `${this.side}-new-${k}`, version: 'v1' }),
    );
  }
  async update(items: { id: string }[]) {
    return this.results(
      'update',
      items.map((i) => i.id),
      (id) => ({ id, version: `${id}-v9` }) as Written,
    );
  }
  async addToGroup(ids: string[]) {
    return this.results('addToGroup', ids, () => null);
  }
  async removeFromGroup(ids: string[]) {
    return this.results('removeFromGroup', ids, () => null);
  }
  settleCursor(c: string): string {
    return c;
  }
}

const link = (patch: Partial<Link> = {}): Link => ({
  id: 'L1',
  crmId: 'c1',
  googleId: 'g1',
  status: 'active',
  pending: null,
  inGroup: { crm: true, google: true },
  versions: { crm: 'c1v1', google: 'g1v1' },
  extras: { crm: null, google: 'gx' },
  base: ada,
  syncedAt: 0,
  attention: false,
  leaving: [],
  ...patch,
});

const pendingGoogle = (id = 'L1', crmId = 'c1'): Link =>
  link({
    id,
    crmId,
    googleId: null,
    status: 'pending',
    pending: { side: 'google', since: NOW },
    inGroup: { crm: true, google: false },
    versions: { crm: 'c1v1', google: null },
  });

const create = (side: Side, linkId: string, id: string | null = null): Action => ({
  kind: 'create',
  side,
  linkId,
  id,
  contact: ada,
  marker: side === 'google' ? 'c1' : null,
});
const update = (side: Side, linkId: string, id: string): Extract<Action, { kind: 'update' }> => ({
  kind: 'update',
  side,
  linkId,
  id,
  version: 'v',
  extra: null,
  fields: ['jobTitle'],
  contact: { ...ada, jobTitle: 'Lead' },
  held: ada,
});
const member = (kind: 'addToGroup' | 'removeFromGroup', side: Side, linkId: string, id: string): Action => ({
  kind,
  side,
  linkId,
  id,
});

interface World {
  crm: ScriptedSide;
  google: ScriptedSide;
  state: FakeState;
  time: number;
  progress: number;
}

async function execute(
  w: World,
  p: Partial<Plan>,
  before: Link[],
  deadline = Number.POSITIVE_INFINITY,
): Promise<Executed> {
  for (const l of before) w.state.links.set(l.id, structuredClone(l));
  const ctx: ExecuteContext = {
    sides: { crm: w.crm, google: w.google },
    state: w.state,
    clock: { now: () => w.time },
    deadline,
    policy: 'newest-wins',
    onProgress: () => void (w.progress += 1),
  };
  const plan: Plan = {
    actions: [],
    links: [],
    retire: [],
    notes: [],
    needsFullListing: [],
    ahead: [],
    refused: null,
    ...p,
  };
  return executePlan(ctx, plan, new Map(before.map((l) => [l.id, l])));
}

const world = (): World => ({
  crm: new ScriptedSide('crm'),
  google: new ScriptedSide('google'),
  state: new FakeState(),
  time: NOW,
  progress: 0,
});

const notes = (e: Executed) =>
  e.notes.map((n) => `${n.kind}:${n.side}:${n.id}:${n.reason ?? ''}:${n.brief?.name ?? ''}`);
const counted = (e: Executed) =>
  Object.entries(e.counts)
    .flatMap(([k, v]) =>
      typeof v === 'number'
        ? v
          ? [`${k}=${v}`]
          : []
        : Object.entries(v).flatMap(([s, n]) => (n ? [`${k}.${s}=${n}`] : [])),
    )
    .sort();

describe('executor: each kind of action and each answer (table)', () => {
  it('a Google create: the pending link is saved before the call, the confirmed one after', async () => {
    const w = world();
    const saves: string[] = [];
    const save = w.state.saveLinks.bind(w.state);
    w.state.saveLinks = async (ls, retire) => {
      saves.push(ls.map((l) => `${l.id}:${l.status}:${l.googleId}`).join(',') + `|${retire.join(',')}`);
      return save(ls, retire);
    };
    const e = await execute(w, { actions: [create('google', 'L1')], links: [pendingGoogle()] }, []);
    assert.deepEqual(saves, ['L1:pending:null|', 'L1:active:google-new-L1|']);
    assert.deepEqual(counted(e), ['create.google=1', 'linked=1']);
    assert.equal(e.finished, true);
    assert.equal(e.activeDelta, 1);
    assert.deepEqual(e.groupChanges, {
      crm: { added: [], removed: [] },
      google: { added: ['google-new-L1'], removed: [] },
    });
    const saved = w.state.links.get('L1')!;
    assert.deepEqual(
      [saved.status, saved.pending, saved.inGroup, saved.versions, saved.syncedAt],
      ['active', null, { crm: true, google: true }, { crm: 'c1v1', google: 'v1' }, NOW],
    );
    assert.ok(w.progress >= 1);
  });

  it('creates go in chunks of the side limit, each chunk committed before the next call', async () => {
    const w = world();
    const links = ['A', 'B', 'C'].map((id) => pendingGoogle(id, `c-${id}`));
    let committedAtSecondCall = -1;
    w.google.onCall = () => {
      if (w.google.calls.length === 2)
        committedAtSecondCall = [...w.state.links.values()].filter((l) => l.status === 'active').length;
    };
    const e = await execute(w, { actions: links.map((l) => create('google', l.id)), links }, []);
    assert.deepEqual(w.google.calls, ['create A,B', 'create C']);
    assert.equal(committedAtSecondCall, 2);
    assert.deepEqual(counted(e), ['create.google=3', 'linked=3']);
  });

  it('a create the side refuses for want of room: kept pending, marked refused, reported once', async () => {
    const w = world();
    w.google.answers.set('L1', [failed('full', 'account full')]);
    w.google.answers.set('L2', [failed('full')]);
    const l2 = { ...pendingGoogle('L2', 'c2'), pending: { side: 'google' as const, since: NOW, refused: 7 } };
    const e = await execute(
      w,
      {
        actions: [create('google', 'L1'), create('google', 'L2')],
        links: [pendingGoogle(), l2],
        notes: [
          { kind: 'waiting-for-create', side: 'google', id: 'L1' },
          { kind: 'side-full', side: 'google', id: 'L2' },
        ],
      },
      [l2],
    );
    assert.deepEqual(counted(e), ['refused=2']);
    assert.deepEqual(notes(e), ['side-full:google:L1::']);
    assert.deepEqual(w.state.links.get('L1')!.pending, { side: 'google', since: NOW, refused: NOW });
    assert.deepEqual(w.state.links.get('L2')!.pending, { side: 'google', since: NOW, refused: 7 });
    assert.equal(w.state.links.get('L1')!.attention, false);
  });

  it('a refused create sent again as stored is not saved again before the call', async () => {
    const w = world();
    const l2 = { ...pendingGoogle('L2', 'c2'), pending: { side: 'google' as const, since: NOW, refused: 7 } };
    w.google.answers.set('L2', [failed('full')]);
    let writes = 0;
    const save = w.state.saveLinks.bind(w.state);
    w.state.saveLinks = async (ls, r) => {
      writes += 1;
      return save(ls, r);
    };
    await execute(w, { actions: [create('google', 'L2')], links: [l2] }, [l2]);
    assert.equal(writes, 0);
  });

  const failures: { name: string; answer: Answer; action: Action; reason: string; id: string }[] = [
    {
      name: 'a Google create that failed',
      answer: failed('failed', 'backend'),
      action: create('google', 'L1'),
      reason: 'failed: backend',
      id: 'L1',
    },
    {
      name: 'a CRM create with no answer',
      answer: 'none',
      action: create('crm', 'L1', 'c-new'),
      reason: 'no answer for this record',
      id: 'c-new',
    },
    {
      name: 'a CRM create refused as invalid',
      answer: failed('validation', 'x'.repeat(400)),
      action: create('crm', 'L1', 'c-new'),
      reason: `validation: ${'x'.repeat(288)}`,
      id: 'c-new',
    },
  ];
  for (const row of failures)
    it(`${row.name}: counted, reported for the owner, the pair needs attention`, async () => {
      const w = world();
      w[row.action.side].answers.set('L1', [row.answer]);
      const planned =
        row.action.side === 'google'
          ? pendingGoogle()
          : { ...pendingGoogle(), pending: { side: 'crm' as const, since: NOW } };
      const e = await execute(w, { actions: [row.action], links: [planned] }, []);
      assert.deepEqual(counted(e), ['failed=1']);
      assert.deepEqual(notes(e), [`write-failed:${row.action.side}:${row.id}:${row.reason}:Ada`]);
      assert.equal(w.state.links.get('L1')!.attention, true);
      assert.equal(w.state.links.get('L1')!.status, 'pending');
      assert.deepEqual(w.state.links.get('L1')!.base, ada, 'a create keeps what it is to create');
      assert.deepEqual(w.state.links.get('L1')!.inGroup, planned.inGroup);
      assert.equal(e.activeDelta, 0);
    });

  it('an update: counted; the link takes the version and the extra the side answered', async () => {
    const w = world();
    w.google.answers.set('g1', [{ ok: true, value: { id: 'g1', version: 'g1v5', extra: 'gx5' } }]);
    const next = link({ base: { ...ada, jobTitle: 'Lead' } });
    const e = await execute(
      w,
      { actions: [update('google', 'L1', 'g1'), update('crm', 'L1', 'c1')], links: [next] },
      [link()],
    );
    assert.deepEqual(counted(e), ['update.crm=1', 'update.google=1']);
    const saved = w.state.links.get('L1')!;
    assert.deepEqual(saved.versions, { crm: 'c1-v9', google: 'g1v5' });
    assert.deepEqual(saved.extras, { crm: null, google: 'gx5' });
    assert.equal(saved.base?.jobTitle, 'Lead');
    assert.deepEqual(w.google.calls, ['update g1']);
    assert.deepEqual(w.crm.calls, ['update c1']);
    assert.equal(e.activeDelta, 0);
  });

  it('an update answered without an extra keeps the extra the link holds; an answered null clears it', async () => {
    const w = world();
    w.crm.answers.set('c1', [{ ok: true, value: { id: 'c1', version: 'c1v5', extra: null } }]);
    await execute(
      w,
      {
        actions: [update('google', 'L1', 'g1'), update('crm', 'L1', 'c1')],
        links: [link({ extras: { crm: 'cx', google: 'gx' } })],
      },
      [link()],
    );
    assert.deepEqual(w.state.links.get('L1')!.extras, { crm: null, google: 'gx' });
  });

  it('a failed update keeps the link as stored, marked for attention; the pair leaves the count', async () => {
    const w = world();
    w.crm.answers.set('c1', [failed('failed', 'boom')]);
    const e = await execute(
      w,
      { actions: [update('crm', 'L1', 'c1')], links: [link({ base: { ...ada, jobTitle: 'Lead' } })] },
      [link()],
    );
    assert.deepEqual(counted(e), ['failed=1']);
    assert.deepEqual(notes(e), ['write-failed:crm:c1:failed: boom:Ada']);
    assert.equal(w.state.links.get('L1')!.base?.jobTitle, '');
    assert.equal(w.state.links.get('L1')!.attention, true);
    assert.equal(e.activeDelta, -1);
  });

  it('a stale Google etag: both records re-read, the pair planned again and written', async () => {
    const w = world();
    w.google.answers.set('g1', [failed('stale', 'etag')]);
    w.crm.records.set('c1', {
      id: 'c1',
      version: 'c1v2',
      modifiedAt: NOW - 10,
      contact: { ...ada, jobTitle: 'Lead' },
      inGroup: true,
    });
    w.google.records.set('g1', {
      id: 'g1',
      version: 'g1v3',
      modifiedAt: NOW - 5,
      contact: { ...ada, notes: 'new' },
      inGroup: true,
    });
    const e = await execute(
      w,
      {
        actions: [update('google', 'L1', 'g1'), update('crm', 'L1', 'c1')],
        links: [link({ base: { ...ada, jobTitle: 'Lead' } })],
      },
      [link()],
    );
    assert.deepEqual(w.google.calls, ['update g1', 'fetch g1', 'update g1']);
    assert.deepEqual(w.crm.calls, ['fetch c1', 'update c1']);
    assert.deepEqual(counted(e), ['update.crm=1', 'update.google=1']);
    const saved = w.state.links.get('L1')!;
    assert.deepEqual([saved.base?.jobTitle, saved.base?.notes, saved.attention], ['Lead', 'new', false]);
    assert.deepEqual(saved.versions, { crm: 'c1-v9', google: 'g1-v9' });
  });

  it('a stale etag again after the re-merge: the pair waits for the next run', async () => {
    const w = world();
    w.google.answers.set('g1', [failed('stale'), failed('stale')]);
    w.crm.records.set('c1', {
      id: 'c1',
      version: 'c1v2',
      modifiedAt: NOW - 10,
      contact: { ...ada, jobTitle: 'Lead' },
      inGroup: true,
    });
    w.google.records.set('g1', {
      id: 'g1',
      version: 'g1v3',
      modifiedAt: NOW - 5,
      contact: ada,
      inGroup: true,
    });
    const e = await execute(
      w,
      { actions: [update('google', 'L1', 'g1')], links: [link({ base: { ...ada, jobTitle: 'Lead' } })] },
      [link()],
    );
    assert.deepEqual(counted(e), ['failed=1']);
    assert.deepEqual(notes(e), ['write-failed:google:g1:no answer for this record:Ada']);
    assert.equal(w.state.links.get('L1')!.attention, true);
  });

  it('a stale etag on a pair first made in this run is a plain failure', async () => {
    const w = world();
    w.google.answers.set('g1', [failed('stale', 'etag')]);
    const e = await execute(w, { actions: [update('google', 'L1', 'g1')], links: [link()] }, []);
    assert.deepEqual(notes(e), ['write-failed:google:g1:stale: etag:Ada']);
    assert.deepEqual(w.google.calls, ['update g1']);
  });

  it('a stale answer from the CRM: its pair waits for the next run', async () => {
    const w = world();
    w.crm.answers.set('c1', [failed('stale', 'modified')]);
    const e = await execute(
      w,
      { actions: [update('crm', 'L1', 'c1')], links: [link({ base: { ...ada, jobTitle: 'Lead' } })] },
      [link()],
    );
    assert.deepEqual(counted(e), ['failed=1']);
    assert.deepEqual(notes(e), ['write-failed:crm:c1:no answer for this record:Ada']);
  });

  const memberships: { name: string; kind: 'addToGroup' | 'removeFromGroup'; answer: Answer; ok: boolean }[] =
    [
      { name: 'an add', kind: 'addToGroup', answer: { ok: true, value: null }, ok: true },
      { name: 'a removal', kind: 'removeFromGroup', answer: { ok: true, value: null }, ok: true },
      {
        name: 'a removal of a record already gone',
        kind: 'removeFromGroup',
        answer: failed('not-found'),
        ok: true,
      },
      { name: 'an add of a record gone', kind: 'addToGroup', answer: failed('not-found', 'gone'), ok: false },
      { name: 'a removal that failed', kind: 'removeFromGroup', answer: failed('failed', 'x'), ok: false },
      { name: 'a removal with no answer', kind: 'removeFromGroup', answer: 'none', ok: false },
    ];
  for (const row of memberships)
    it(`${row.name}: ${row.ok ? 'done, and the version forgotten (a membership change rotates it)' : 'failed'}`, async () => {
      const w = world();
      w.crm.answers.set('c1', [row.answer]);
      const planned = link({ status: row.kind === 'addToGroup' ? 'active' : 'dormant' });
      const e = await execute(w, { actions: [member(row.kind, 'crm', 'L1', 'c1')], links: [planned] }, [
        link({ inGroup: { crm: false, google: true } }),
      ]);
      const saved = w.state.links.get('L1')!;
      if (row.ok) {
        assert.deepEqual(counted(e), [`${row.kind}.crm=1`]);
        assert.deepEqual(
          e.groupChanges.crm,
          row.kind === 'addToGroup' ? { added: ['c1'], removed: [] } : { added: [], removed: ['c1'] },
        );
        assert.deepEqual(saved.versions, { crm: null, google: 'g1v1' });
        assert.equal(saved.attention, false);
      } else {
        assert.deepEqual(counted(e), ['failed=1']);
        assert.deepEqual(e.groupChanges.crm, { added: [], removed: [] });
        assert.equal(saved.attention, true);
        assert.equal(notes(e).length, 1);
        assert.equal(e.notes[0]!.brief?.name, 'Ada', 'who it is, from the pair as stored');
      }
    });

  it('group changes go per side, adds then removals, in chunks of the side limit', async () => {
    const w = world();
    const ids = ['a', 'b', 'c'];
    const actions = [
      ...ids.map((id) => member('removeFromGroup', 'google', `L${id}`, `g${id}`)),
      ...ids.map((id) => member('addToGroup', 'google', `L${id}`, `g${id}`)),
      member('addToGroup', 'crm', 'Lz', 'cz'),
    ];
    await execute(w, { actions }, []);
    assert.deepEqual(w.crm.calls, ['addToGroup cz']);
    assert.deepEqual(w.google.calls, [
      'addToGroup ga,gb',
      'addToGroup gc',
      'removeFromGroup ga,gb',
      'removeFromGroup gc',
    ]);
  });

  it('a group change of a pair whose update failed is still made; the pair needs attention', async () => {
    const w = world();
    w.google.answers.set('g1', [failed('failed')]);
    const e = await execute(
      w,
      { actions: [update('google', 'L1', 'g1'), member('addToGroup', 'crm', 'L1', 'c1')], links: [link()] },
      [link()],
    );
    assert.deepEqual(w.crm.calls, ['addToGroup c1']);
    assert.deepEqual(counted(e), ['addToGroup.crm=1', 'failed=1']);
    assert.equal(w.state.links.get('L1')!.attention, true);
  });

  it('a failed first pairing keeps the merged base, no versions, without the membership it failed to gain, with the one it made', async () => {
    const w = world();
    w.crm.answers.set('c1', [failed('failed')]);
    await execute(
      w,
      {
        actions: [member('addToGroup', 'crm', 'L1', 'c1'), member('addToGroup', 'google', 'L1', 'g1')],
        links: [link()],
      },
      [],
    );
    const saved = w.state.links.get('L1')!;
    assert.deepEqual(
      [saved.base, saved.versions, saved.inGroup, saved.attention, saved.status],
      [ada, { crm: null, google: null }, { crm: false, google: true }, true, 'active'],
    );
  });

  it('a failed update leaves in the base what its side still holds, so the next merge decides the same', async () => {
    const w = world();
    w.google.answers.set('g1', [failed('failed')]);
    const merged = { ...ada, jobTitle: 'Lead', company: 'Acme' };
    await execute(
      w,
      {
        actions: [
          {
            ...update('google', 'L1', 'g1'),
            contact: merged,
            fields: ['jobTitle'],
            held: { ...merged, jobTitle: 'Intern' },
          },
          {
            ...update('crm', 'L1', 'c1'),
            contact: merged,
            fields: ['company'],
            held: { ...merged, company: '' },
          },
        ],
        links: [link({ base: merged })],
      },
      [],
    );
    const saved = w.state.links.get('L1')!;
    assert.deepEqual(saved.base, { ...merged, jobTitle: 'Intern' });
    assert.deepEqual(saved.versions, { crm: null, google: null }, 'both records are read again');
  });

  it('a list both sides failed to take is merged again from the base the pair had', async () => {
    const w = world();
    w.google.answers.set('g1', [failed('failed')]);
    w.crm.answers.set('c1', [failed('failed')]);
    const phone = (n: string) => [{ number: n, type: 'work' as const }];
    const before = { ...ada, phones: phone('+1 555 0000') };
    const merged = { ...ada, phones: [...phone('+1 555 0001'), ...phone('+1 555 0002')] };
    await execute(
      w,
      {
        actions: [
          {
            ...update('google', 'L1', 'g1'),
            contact: merged,
            fields: ['phones'],
            held: { ...ada, phones: phone('+1 555 0002') },
          },
          {
            ...update('crm', 'L1', 'c1'),
            contact: merged,
            fields: ['phones'],
            held: { ...ada, phones: phone('+1 555 0001') },
          },
        ],
        links: [link({ base: merged })],
      },
      [link({ base: before })],
    );
    assert.deepEqual(w.state.links.get('L1')!.base, before);
  });

  it('a pair saved ahead of its removal is saved as settled once the removal is made', async () => {
    const w = world();
    const stored = link();
    const settled = link({ status: 'dormant', inGroup: { crm: false, google: false } });
    await execute(
      w,
      {
        actions: [member('removeFromGroup', 'google', 'L1', 'g1')],
        links: [settled],
        ahead: [{ ...stored, leaving: ['google'], attention: true }],
      },
      [stored],
    );
    assert.deepEqual(w.state.links.get('L1'), { ...settled, versions: { crm: 'c1v1', google: null } });
  });

  it('a pair whose update failed keeps the memberships this run made: an add, and a removal', async () => {
    const w = world();
    w.google.answers.set('g1', [failed('failed')]);
    w.google.answers.set('g2', [failed('failed')]);
    const asleep = link({ status: 'dormant', inGroup: { crm: false, google: false } });
    const awake = link({ id: 'L2', crmId: 'c2', googleId: 'g2' });
    await execute(
      w,
      {
        actions: [
          member('addToGroup', 'crm', 'L1', 'c1'),
          update('google', 'L1', 'g1'),
          member('removeFromGroup', 'crm', 'L2', 'c2'),
          update('google', 'L2', 'g2'),
        ],
        links: [link(), { ...awake, status: 'dormant', inGroup: { crm: false, google: false } }],
      },
      [asleep, awake],
    );
    // In its group now, the CRM record must leave it should its partner be deleted; the Google one was
    // in its group as planned (no add was needed).
    assert.deepEqual(w.state.links.get('L1')!.inGroup, { crm: true, google: true });
    assert.deepEqual(w.state.links.get('L2')!.inGroup, { crm: false, google: true });
    assert.equal(w.state.links.get('L1')!.attention, true);
  });

  it('a failed first pairing with one side already in its group keeps that membership', async () => {
    const w = world();
    w.crm.answers.set('c1', [failed('failed')]);
    await execute(w, { actions: [member('addToGroup', 'crm', 'L1', 'c1')], links: [link()] }, []);
    assert.deepEqual(w.state.links.get('L1')!.inGroup, { crm: false, google: true });
  });

  it('retired links are deleted and counted; an active one leaves the pair count', async () => {
    const w = world();
    const e = await execute(w, { retire: ['L1', 'L2'] }, [link(), link({ id: 'L2', status: 'dormant' })]);
    assert.deepEqual(counted(e), ['retired=2']);
    assert.equal(e.activeDelta, -1);
    assert.equal(w.state.links.size, 0);
  });

  it('a planned link that is the stored one is not written; new and changed ones are, and counted', async () => {
    const w = world();
    const stored = link();
    let saved: string[] = [];
    const save = w.state.saveLinks.bind(w.state);
    w.state.saveLinks = async (ls, r) => {
      saved = [...saved, ...ls.map((l) => l.id)];
      return save(ls, r);
    };
    const fresh = link({ id: 'L2', crmId: 'c2', googleId: 'g2' });
    const sleeping = link({ id: 'L3', crmId: 'c3', googleId: 'g3', status: 'dormant' });
    const e = await execute(w, { links: [stored, fresh, sleeping, link({ id: 'L4', status: 'dormant' })] }, [
      stored,
      link({ id: 'L4' }),
    ]);
    assert.deepEqual(saved, ['L2', 'L3', 'L4']);
    assert.deepEqual(counted(e), ['linked=1']);
    assert.equal(e.activeDelta, 1 - 1);
  });

  it('the deadline reached before the first call: nothing written, unfinished', async () => {
    const w = world();
    const e = await execute(w, { actions: [create('google', 'L1')], links: [pendingGoogle()] }, [], NOW);
    assert.equal(e.finished, false);
    assert.deepEqual(w.google.calls, []);
    assert.equal(w.state.links.size, 0);
  });

  const deadlines: { name: string; actions: Action[]; calls: string[] }[] = [
    {
      name: 'Google updates',
      actions: [update('google', 'L1', 'g1'), update('crm', 'L1', 'c1')],
      calls: ['google update g1'],
    },
    {
      name: 'CRM updates',
      actions: [update('crm', 'L1', 'c1'), member('addToGroup', 'google', 'L1', 'g1')],
      calls: ['crm update c1'],
    },
    {
      name: 'group changes',
      actions: [member('addToGroup', 'crm', 'L1', 'c1'), member('addToGroup', 'google', 'L1', 'g1')],
      calls: ['crm addToGroup c1'],
    },
  ];
  for (const row of deadlines)
    it(`the deadline passing during the ${row.name}: no call is started after it, and what was done is committed`, async () => {
      const w = world();
      const calls: string[] = [];
      for (const s of ['crm', 'google'] as const)
        w[s].onCall = (call) => {
          calls.push(`${s} ${call} ${w[s].calls.at(-1)!.split(' ')[1]}`);
          w.time += 10;
        };
      const e = await execute(
        w,
        { actions: row.actions, links: [link({ base: { ...ada, jobTitle: 'Lead' } })] },
        [link()],
        NOW + 5,
      );
      assert.deepEqual(calls, row.calls);
      assert.equal(e.finished, false);
    });
  it('an update with no answer is a failure, not a success', async () => {
    const w = world();
    w.google.answers.set('g1', ['none']);
    const e = await execute(w, { actions: [update('google', 'L1', 'g1')], links: [link()] }, [link()]);
    assert.deepEqual(counted(e), ['failed=1']);
    assert.deepEqual(notes(e), ['write-failed:google:g1:no answer for this record:Ada']);
  });

  it('a failed first pairing keeps the memberships it was not to change', async () => {
    const w = world();
    w.crm.answers.set('c1', [failed('failed')]);
    await execute(w, { actions: [update('crm', 'L1', 'c1')], links: [link()] }, []);
    assert.deepEqual(w.state.links.get('L1')!.inGroup, { crm: true, google: true });
  });

  it('a retirement is committed and counted once, however many calls the run makes', async () => {
    const w = world();
    const links = ['A', 'B', 'C'].map((id) => pendingGoogle(id, `c-${id}`));
    const e = await execute(w, { actions: links.map((l) => create('google', l.id)), links, retire: ['L9'] }, [
      link({ id: 'L9', crmId: 'c9', googleId: 'g9' }),
    ]);
    assert.deepEqual(counted(e), ['create.google=3', 'linked=3', 'retired=1']);
    assert.equal(e.activeDelta, 3 - 1);
  });

  it('a stale etag of one pair leaves the CRM updates of the others as planned', async () => {
    const w = world();
    w.google.answers.set('g1', [failed('stale')]);
    w.crm.records.set('c1', { id: 'c1', version: 'c1v2', modifiedAt: NOW - 10, contact: ada, inGroup: true });
    w.google.records.set('g1', {
      id: 'g1',
      version: 'g1v3',
      modifiedAt: NOW - 5,
      contact: ada,
      inGroup: true,
    });
    const l2 = link({ id: 'L2', crmId: 'c2', googleId: 'g2' });
    await execute(
      w,
      {
        actions: [update('google', 'L1', 'g1'), update('crm', 'L1', 'c1'), update('crm', 'L2', 'c2')],
        links: [link(), l2],
      },
      [link(), l2],
    );
    assert.deepEqual(w.crm.calls, ['fetch c1', 'update c2']);
  });

  it('the deadline passing while Google answers stale: nothing is re-read after it', async () => {
    const w = world();
    w.google.answers.set('g1', [failed('stale')]);
    w.google.onCall = () => void (w.time += 10);
    const e = await execute(
      w,
      { actions: [update('google', 'L1', 'g1')], links: [link()] },
      [link()],
      NOW + 5,
    );
    assert.deepEqual(w.google.calls, ['update g1']);
    assert.deepEqual(w.crm.calls, []);
    assert.equal(e.finished, false);
  });
  it('a stale etag replans the pair whole: a group change of the old plan is not made as well', async () => {
    const w = world();
    w.google.answers.set('g1', [failed('stale')]);
    w.crm.records.set('c1', { id: 'c1', version: 'c1v2', modifiedAt: NOW - 10, contact: ada, inGroup: true });
    w.google.records.set('g1', {
      id: 'g1',
      version: 'g1v3',
      modifiedAt: NOW - 5,
      contact: ada,
      inGroup: true,
    });
    await execute(
      w,
      { actions: [update('google', 'L1', 'g1'), member('addToGroup', 'crm', 'L1', 'c1')], links: [link()] },
      [link({ inGroup: { crm: false, google: true } })],
    );
    assert.deepEqual(w.crm.calls, ['fetch c1']);
  });
});
