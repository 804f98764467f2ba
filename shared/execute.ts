// Carries out a plan through the side ports, in the order that keeps every crash harmless:
//  1. creates: the pending link is saved before the call, the confirmed link right after it;
//  2. Google updates first, so that a stale etag can be re-merged before the CRM is touched;
//  3. CRM updates, then group changes;
//  4. a link is committed only when all of its actions succeeded; a failure marks it for attention.
// Each kind of action has its own writer (the `writers` table); `Execution` holds what a run has
// done so far and commits what is settled.
import type { Clock, ContactSide, ItemResult, SyncStateStore, Written } from './ports.js';
import type {
  Action,
  ActionKind,
  ConflictPolicy,
  Contact,
  Link,
  Note,
  Observed,
  Plan,
  Side,
  SideRecord,
} from './sync/index.js';
import { DEFAULT_GUARD, SIDES, briefOf, confirmCreate, inSync, plan, unsettledLink } from './sync/index.js';
import type { Counts } from './counts.js';
import { emptyCounts } from './counts.js';

export interface ExecuteContext {
  sides: Record<Side, ContactSide>;
  state: SyncStateStore;
  clock: Clock;
  deadline: number;
  policy: ConflictPolicy;
  /** Told the counts so far after each commit. */
  onProgress?: (counts: Counts) => void;
}

export interface Executed {
  finished: boolean;
  counts: Counts;
  notes: Note[];
  /** Change in the number of active pairs. */
  activeDelta: number;
  /** Members we put into or took out of each group, for the committed member lists. */
  groupChanges: Record<Side, { added: string[]; removed: string[] }>;
}

type ActionOf<K extends ActionKind> = Extract<Action, { kind: K }>;
type Membership = 'addToGroup' | 'removeFromGroup';

const ofKind =
  <K extends ActionKind>(kind: K, side: Side) =>
  (a: Action): a is ActionOf<K> =>
    a.kind === kind && a.side === side;

const chunks = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, size)) out.push(items.slice(i, i + Math.max(1, size)));
  return out;
};

/** One run's execution so far: what each link still has to do, what failed, what is committed. */
class Execution {
  /** The state of each link once its actions succeed; let go as it is committed. */
  readonly target: Map<string, Link>;
  readonly todo = new Map<string, Action[]>();
  readonly failed = new Set<string>();
  /** What a side still holds after its update failed, by link. */
  readonly unwritten = new Map<string, Partial<Record<Side, Contact>>>();
  readonly committed = new Set<string>();
  /** Group adds planned, by `linkId/side`: a failed one must not look like the user taking a record out. */
  readonly adding: Set<string>;
  /** Group changes made, by `linkId/side` (true: added): a pair that failed keeps them all the same. */
  readonly moved = new Map<string, boolean>();
  readonly retire: string[];
  readonly out: Executed = {
    finished: true,
    counts: emptyCounts(),
    notes: [],
    activeDelta: 0,
    groupChanges: { crm: { added: [], removed: [] }, google: { added: [], removed: [] } },
  };

  constructor(
    readonly ctx: ExecuteContext,
    readonly planNotes: Note[],
    p: Plan,
    readonly original: Map<string, Link>,
  ) {
    this.target = new Map(p.links.map((l) => [l.id, l]));
    this.plan(p.actions);
    this.adding = new Set(
      p.actions.flatMap((a) => (a.kind === 'addToGroup' ? [`${a.linkId}/${a.side}`] : [])),
    );
    this.retire = p.retire;
  }

  now(): number {
    return this.ctx.clock.now();
  }

  timeUp(): boolean {
    return this.now() >= this.ctx.deadline;
  }

  plan(actions: Action[]): void {
    for (const a of actions) this.todo.set(a.linkId, [...(this.todo.get(a.linkId) ?? []), a]);
  }

  pendingFor(linkId: string): Action[] {
    return this.todo.get(linkId) ?? [];
  }

  done(a: Action): void {
    this.todo.set(
      a.linkId,
      this.pendingFor(a.linkId).filter((x) => x !== a),
    );
  }

  /** The side's reason may quote personal data: it goes to the owner's attention list, never a log. */
  fail(a: Action, r?: ItemResult<unknown>): void {
    const error = r && !r.ok ? r.error : undefined;
    this.failed.add(a.linkId);
    if (a.kind === 'update')
      this.unwritten.set(a.linkId, { ...this.unwritten.get(a.linkId), [a.side]: a.held });
    this.out.counts.failed += 1;
    const contact = 'contact' in a ? a.contact : (this.original.get(a.linkId)?.base ?? null);
    this.out.notes.push({
      kind: 'write-failed',
      side: a.side,
      id: 'id' in a && a.id ? a.id : a.linkId,
      ...(contact ? { brief: briefOf(contact) } : {}),
      reason: error ? `${error.kind}: ${error.message}`.slice(0, 300) : 'no answer for this record',
    });
    this.done(a);
  }

  /** A write took effect: record the link's new state (if it has one) and the action as done. */
  succeeded(a: Action, change: (l: Link) => Link): void {
    const l = this.target.get(a.linkId);
    if (l) this.target.set(a.linkId, change(l));
    this.done(a);
  }

  /**
   * What a pair is saved as when some of its writes failed; the next run re-reads both records and
   * plans it again. A pair planned in its groups is unsettled (`unsettledLink`): the sides whose update
   * failed hold what they held, and it does not claim a membership we were still to make, since a
   * record we failed to add to its group must not look like one its user took out. Any other pair
   * keeps what we knew.
   */
  private unsettled(id: string, held: Partial<Record<Side, Contact>> | undefined): Link | undefined {
    const before = this.original.get(id);
    const planned = this.target.get(id);
    if (planned?.status !== 'active' || planned.base === null) return before ?? planned;
    return unsettledLink(
      planned,
      planned.base,
      before?.base ?? null,
      { crm: held?.crm ?? planned.base, google: held?.google ?? planned.base },
      { crm: !this.adding.has(`${id}/crm`), google: !this.adding.has(`${id}/google`) },
    );
  }

  /**
   * Links saved ahead of the writes. Each has a write planned, which changes its link or fails, so it is
   * committed again once settled (or left as saved ahead, should the run stop first).
   */
  async saveAhead(links: Link[]): Promise<void> {
    if (links.length > 0) await this.ctx.state.saveLinks(links, []);
  }

  /** Commit every link whose actions are all done (or failed). */
  async commitSettled(): Promise<void> {
    const { out, original, target } = this;
    const save: Link[] = [];
    const retire: string[] = [];
    for (const id of [...target.keys(), ...this.retire]) {
      if (this.committed.has(id) || this.pendingFor(id).length > 0) continue;
      this.committed.add(id);
      const before = original.get(id);
      const wasActive = before && inSync(before) ? 1 : 0;
      if (this.failed.has(id)) {
        const keep = this.unsettled(id, this.unwritten.get(id));
        // What we did to a membership is so whatever failed beside it: a record we put into its group
        // and whose partner the user then deletes must leave it again, not be taken for a newcomer.
        const inGroup = (s: Side) => this.moved.get(`${id}/${s}`) ?? keep!.inGroup[s];
        if (keep)
          save.push({
            ...keep,
            inGroup: { crm: inGroup('crm'), google: inGroup('google') },
            attention: true,
          });
        // The stored count of pairs in sync loses the pair until a run settles it.
        out.activeDelta -= wasActive;
        continue;
      }
      const next = target.get(id);
      // Planned unchanged (a create retried while its side is full): nothing to write.
      if (next && next === before) continue;
      if (next) {
        save.push(next);
        out.activeDelta += (inSync(next) ? 1 : 0) - wasActive;
        if (!before && next.status === 'active') out.counts.linked += 1;
      } else {
        retire.push(id);
        out.activeDelta -= wasActive;
        out.counts.retired += 1;
      }
    }
    if (save.length > 0 || retire.length > 0) await this.ctx.state.saveLinks(save, retire);
    for (const l of save) target.delete(l.id);
    for (const id of retire) target.delete(id);
    this.ctx.onProgress?.(out.counts);
  }

  /** Stopped by the deadline: commit what is settled; the rest continues in the next run. */
  async stop(): Promise<Executed> {
    await this.commitSettled();
    return { ...this.out, finished: false };
  }
}

/**
 * Writes one chunk of one kind of action through its side's port and records each item's outcome.
 * Returns the pairs whose version went stale (someone edited the record since we read it).
 */
type Writer<K extends ActionKind> = (run: Execution, side: Side, chunk: ActionOf<K>[]) => Promise<Link[]>;

/** Creates: the pending links are saved before the call, the confirmed ones committed right after. */
const writeCreates: Writer<'create'> = async (run, side, chunk) => {
  const { target, original, out } = run;
  const port = run.ctx.sides[side];
  // A pending link already stored as it is (a refused create sent again) needs no second write.
  const fresh = chunk.map((a) => target.get(a.linkId)!).filter((l) => l !== original.get(l.id));
  if (fresh.length > 0) await run.ctx.state.saveLinks(fresh, []);
  const results = await port.create(
    chunk.map((a) => ({ key: a.linkId, id: a.id, contact: a.contact, marker: a.marker })),
  );
  for (const a of chunk) {
    const r = results.get(a.linkId);
    if (r?.ok) {
      run.succeeded(a, (l) => confirmCreate(l, r.value, run.now()));
      out.counts.create[side] += 1;
      out.groupChanges[side].added.push(r.value.id);
    } else if (r?.ok === false && r.error.kind === 'full') {
      // Nothing was written: the link stays pending, marked refused, so that later runs retry it
      // instead of looking for it. Reported once per contact, every run until it is in.
      run.succeeded(a, (l) =>
        l.pending && l.pending.refused === undefined
          ? { ...l, pending: { ...l.pending, refused: run.now() } }
          : l,
      );
      out.counts.refused += 1;
      if (!run.planNotes.some((n) => n.kind === 'side-full' && n.id === a.linkId))
        out.notes.push({ kind: 'side-full', side, id: a.linkId });
    } else run.fail(a, r);
  }
  await run.commitSettled();
  return [];
};

/** Updates; a stale version is handed back for a re-merge when the pair was stored before this run. */
const writeUpdates: Writer<'update'> = async (run, side, chunk) => {
  const stale: Link[] = [];
  const results = await run.ctx.sides[side].update(
    chunk.map((a) => ({
      id: a.id,
      version: a.version,
      extra: a.extra,
      fields: a.fields,
      contact: a.contact,
      held: a.held,
    })),
  );
  for (const a of chunk) {
    const r = results.get(a.id);
    if (r?.ok) {
      run.succeeded(a, (l) => ({
        ...l,
        versions: { ...l.versions, [side]: r.value.version },
        extras: {
          ...l.extras,
          [side]: (r.value.extra === undefined ? l.extras[side] : r.value.extra) ?? null,
        },
      }));
      run.out.counts.update[side] += 1;
    } else if (r?.ok === false && r.error.kind === 'stale' && run.original.has(a.linkId)) {
      stale.push(run.original.get(a.linkId)!);
    } else run.fail(a, r);
  }
  return stale;
};

const writeMembership =
  (kind: Membership) =>
  async (run: Execution, side: Side, chunk: ActionOf<Membership>[]): Promise<Link[]> => {
    const port = run.ctx.sides[side];
    const ids = chunk.map((a) => a.id);
    const results = kind === 'addToGroup' ? await port.addToGroup(ids) : await port.removeFromGroup(ids);
    for (const a of chunk) {
      const r = results.get(a.id);
      // Leaving a group a record already left, or that no longer exists, is the goal reached.
      if (r?.ok || (kind === 'removeFromGroup' && r?.ok === false && r.error.kind === 'not-found')) {
        run.out.counts[kind][side] += 1;
        run.out.groupChanges[side][kind === 'addToGroup' ? 'added' : 'removed'].push(a.id);
        run.moved.set(`${a.linkId}/${side}`, kind === 'addToGroup');
        // A membership change rotates the record's version without telling us the new one.
        run.succeeded(a, (l) => ({ ...l, versions: { ...l.versions, [side]: null } }));
      } else run.fail(a, r);
    }
    return [];
  };

/** Each kind of action: its writer, and which of its side's limits sizes one call. */
const writers: { [K in ActionKind]: { write: Writer<K>; limit: keyof ContactSide['limits'] } } = {
  create: { write: writeCreates, limit: 'create' },
  update: { write: writeUpdates, limit: 'update' },
  addToGroup: { write: writeMembership('addToGroup'), limit: 'membership' },
  removeFromGroup: { write: writeMembership('removeFromGroup'), limit: 'membership' },
};

/**
 * Write a list of one kind of action, one call per chunk of the side's limit, none started after the
 * deadline. `stopped` tells that the deadline cut it short; `stale` the pairs to re-merge.
 */
async function writeAll<K extends ActionKind>(
  run: Execution,
  kind: K,
  side: Side,
  list: ActionOf<K>[],
): Promise<{ stopped: boolean; stale: Link[] }> {
  const { write, limit } = writers[kind];
  const stale: Link[] = [];
  for (const chunk of chunks(list, run.ctx.sides[side].limits[limit])) {
    if (run.timeUp()) return { stopped: true, stale };
    stale.push(...(await write(run, side, chunk)));
  }
  return { stopped: false, stale };
}

export async function executePlan(
  ctx: ExecuteContext,
  p: Plan,
  original: Map<string, Link>,
): Promise<Executed> {
  const run = new Execution(ctx, p.notes, p, original);
  const actions = p.actions;
  // The plan is consumed: what it holds is let go as it is written, so memory shrinks as a big run
  // proceeds instead of holding every record to the end.
  p.actions = [];
  p.links = [];
  await run.saveAhead(p.ahead);

  // 1. Creates.
  for (const side of SIDES)
    if ((await writeAll(run, 'create', side, actions.filter(ofKind('create', side)))).stopped)
      return run.stop();

  // 2. Google updates; a stale etag means someone edited the contact since we read it: re-read, re-merge.
  const { stale } = await writeAll(run, 'update', 'google', actions.filter(ofKind('update', 'google')));
  if (run.timeUp()) return run.stop();
  const remerged = stale.length > 0 ? await remerge(ctx, stale) : null;
  const again = remerged?.actions ?? [];
  if (remerged) {
    for (const l of stale) run.todo.set(l.id, []);
    run.plan(again);
    for (const l of remerged.links) run.target.set(l.id, l);
    await run.saveAhead(remerged.ahead);
    const still = await writeAll(run, 'update', 'google', again.filter(ofKind('update', 'google')));
    for (const l of still.stale) for (const a of run.pendingFor(l.id)) run.fail(a);
  }
  const crmUpdates = [
    ...actions.filter(ofKind('update', 'crm')).filter((a) => !stale.some((l) => l.id === a.linkId)),
    ...again.filter(ofKind('update', 'crm')),
  ];
  // Only Google has etags to go stale; should the CRM ever report one, its pair waits for the next run.
  const crm = await writeAll(run, 'update', 'crm', crmUpdates);
  for (const l of crm.stale) for (const a of run.pendingFor(l.id)) run.fail(a);
  if (run.timeUp()) return run.stop();

  // 3. Group changes, of what is still to do once the updates are through.
  const all = [...actions, ...again];
  for (const side of SIDES)
    for (const kind of ['addToGroup', 'removeFromGroup'] as const) {
      const list = all.filter(ofKind(kind, side)).filter((a) => run.pendingFor(a.linkId).includes(a));
      if ((await writeAll(run, kind, side, list)).stopped) return run.stop();
    }
  await run.commitSettled();
  return run.out;
}

/** Re-read both records of pairs whose Google etag went stale and plan them again. */
async function remerge(ctx: ExecuteContext, links: Link[]): Promise<Plan> {
  const fetchSide = async (side: Side): Promise<Observed> => {
    const ids = links
      .map((l) => (side === 'crm' ? l.crmId : l.googleId))
      .filter((id): id is string => id !== null);
    const got = await ctx.sides[side].fetch(ids);
    return { records: got.records, departures: [], missing: got.missing, complete: false, memberCount: null };
  };
  const [crm, google] = [await fetchSide('crm'), await fetchSide('google')];
  const none: Record<Side, SideRecord[]> = { crm: [], google: [] };
  return plan({
    links,
    crm,
    google,
    candidates: none,
    policy: ctx.policy,
    now: ctx.clock.now(),
    activeLinks: links.length,
    guard: DEFAULT_GUARD,
    pendingTimeoutMs: Number.POSITIVE_INFINITY,
    allowLargeRemoval: true,
    newId: () => {
      throw new Error('a re-merge never creates');
    },
  });
}

export type { Written };
