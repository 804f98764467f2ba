// Carries out a plan through the side ports, in the order that keeps every crash harmless:
//  1. creates: the pending link is saved before the call, the confirmed link right after it;
//  2. Google updates first, so that a stale etag can be re-merged before the CRM is touched;
//  3. CRM updates, then group changes;
//  4. a link is committed only when all of its actions succeeded; a failure marks it for attention.
import type { Clock, ContactSide, ItemResult, ItemResults, SyncStateStore, Written } from './ports.js';
import type { Action, ConflictPolicy, Link, Note, Observed, Plan, Side, SideRecord } from './sync/index.js';
import { DEFAULT_GUARD, SIDES, briefOf, confirmCreate, plan } from './sync/index.js';
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

const chunks = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, size)) out.push(items.slice(i, i + Math.max(1, size)));
  return out;
};

export async function executePlan(
  ctx: ExecuteContext,
  p: Plan,
  original: Map<string, Link>,
): Promise<Executed> {
  const { sides, state, clock } = ctx;
  // The plan is consumed: what it holds is let go as it is written, so memory shrinks as a big run
  // proceeds instead of holding every record to the end.
  const target = new Map(p.links.map((l) => [l.id, l]));
  const todo = new Map<string, Action[]>();
  for (const a of p.actions) todo.set(a.linkId, [...(todo.get(a.linkId) ?? []), a]);
  const isCreate = (a: Action): a is Extract<Action, { kind: 'create' }> => a.kind === 'create';
  const createQueues: Record<Side, Extract<Action, { kind: 'create' }>[]> = {
    crm: p.actions.filter((a) => isCreate(a) && a.side === 'crm') as Extract<Action, { kind: 'create' }>[],
    google: p.actions.filter((a) => isCreate(a) && a.side === 'google') as Extract<
      Action,
      { kind: 'create' }
    >[],
  };
  const actions = p.actions.filter((a) => !isCreate(a));
  p.actions = [];
  p.links = [];
  const failed = new Set<string>();
  const out: Executed = {
    finished: true,
    counts: emptyCounts(),
    notes: [],
    activeDelta: 0,
    groupChanges: { crm: { added: [], removed: [] }, google: { added: [], removed: [] } },
  };
  const committed = new Set<string>();
  const timeUp = () => clock.now() >= ctx.deadline;

  const done = (a: Action) => {
    const rest = (todo.get(a.linkId) ?? []).filter((x) => x !== a);
    todo.set(a.linkId, rest);
  };
  // The side's reason may quote personal data: it goes to the owner's attention list, never a log.
  const fail = (a: Action, error?: { kind: string; message: string }) => {
    failed.add(a.linkId);
    out.counts.failed += 1;
    const contact = 'contact' in a ? a.contact : (original.get(a.linkId)?.base ?? null);
    out.notes.push({
      kind: 'write-failed',
      side: a.side,
      id: 'id' in a && a.id ? a.id : a.linkId,
      ...(contact ? { brief: briefOf(contact) } : {}),
      reason: error ? `${error.kind}: ${error.message}`.slice(0, 300) : 'no answer for this record',
    });
    done(a);
  };
  const errorOf = (r: ItemResult<unknown> | undefined) => (r && !r.ok ? r.error : undefined);

  /** Commit every link whose actions are all done (or failed). */
  const commitSettled = async () => {
    const save: Link[] = [];
    const retire: string[] = [];
    for (const id of [...target.keys(), ...p.retire]) {
      if (committed.has(id) || (todo.get(id)?.length ?? 0) > 0) continue;
      committed.add(id);
      const before = original.get(id);
      const wasActive = before?.status === 'active' ? 1 : 0;
      if (failed.has(id)) {
        // Keep what we knew; the next run re-reads both records and plans this pair again.
        const keep = before ?? target.get(id);
        if (keep) save.push({ ...keep, attention: true });
        continue;
      }
      const next = target.get(id);
      if (next) {
        save.push(next);
        out.activeDelta += (next.status === 'active' ? 1 : 0) - wasActive;
        if (!before && next.status === 'active') out.counts.linked += 1;
      } else {
        retire.push(id);
        out.activeDelta -= wasActive;
        out.counts.retired += 1;
      }
    }
    if (save.length > 0 || retire.length > 0) await state.saveLinks(save, retire);
    for (const l of save) target.delete(l.id);
    for (const id of retire) target.delete(id);
    ctx.onProgress?.(out.counts);
  };

  // 1. Creates.
  for (const side of SIDES) {
    const queue = createQueues[side];
    while (queue.length > 0) {
      if (timeUp()) return stop(out, commitSettled);
      const chunk = queue.splice(0, Math.max(1, sides[side].limits.create));
      await state.saveLinks(
        chunk.map((a) => target.get(a.linkId)!),
        [],
      );
      const results = await sides[side].create(
        chunk.map((a) => ({ key: a.linkId, id: a.id, contact: a.contact, marker: a.marker })),
      );
      for (const a of chunk) {
        const r = results.get(a.linkId);
        if (r?.ok) {
          target.set(a.linkId, confirmCreate(target.get(a.linkId)!, r.value, clock.now()));
          out.counts.create[side] += 1;
          out.groupChanges[side].added.push(r.value.id);
          done(a);
        } else fail(a, errorOf(r));
      }
      await commitSettled();
    }
  }

  // 2. Google updates; a stale etag means someone edited the contact since we read it: re-read, re-merge.
  const updates = (side: Side) =>
    actions.filter((a): a is Extract<Action, { kind: 'update' }> => a.kind === 'update' && a.side === side);
  const runUpdates = async (side: Side, list: Extract<Action, { kind: 'update' }>[]): Promise<Link[]> => {
    const stale: Link[] = [];
    for (const chunk of chunks(list, sides[side].limits.update)) {
      if (timeUp()) return stale;
      const results = await sides[side].update(
        chunk.map((a) => ({
          id: a.id,
          version: a.version,
          extra: a.extra,
          fields: a.fields,
          contact: a.contact,
        })),
      );
      for (const a of chunk) {
        const r = results.get(a.id);
        if (r?.ok) {
          const l = target.get(a.linkId);
          const extra = r.value.extra === undefined ? l?.extras[side] : r.value.extra;
          if (l)
            target.set(a.linkId, {
              ...l,
              versions: { ...l.versions, [side]: r.value.version },
              extras: { ...l.extras, [side]: extra ?? null },
            });
          out.counts.update[side] += 1;
          done(a);
        } else if (r?.ok === false && r.error.kind === 'stale' && original.has(a.linkId)) {
          stale.push(original.get(a.linkId)!);
        } else fail(a, errorOf(r));
      }
    }
    return stale;
  };

  const stale = await runUpdates('google', updates('google'));
  if (timeUp()) return stop(out, commitSettled);
  const remerged = stale.length > 0 ? await remerge(ctx, stale) : null;
  if (remerged) {
    for (const l of stale) todo.set(l.id, []);
    for (const a of remerged.actions) todo.set(a.linkId, [...(todo.get(a.linkId) ?? []), a]);
    for (const l of remerged.links) target.set(l.id, l);
    const again = await runUpdates(
      'google',
      remerged.actions.filter(
        (a): a is Extract<Action, { kind: 'update' }> => a.kind === 'update' && a.side === 'google',
      ),
    );
    for (const l of again) {
      for (const a of todo.get(l.id) ?? []) fail(a);
    }
  }
  const crmUpdates = [
    ...updates('crm').filter((a) => !stale.some((l) => l.id === a.linkId)),
    ...(remerged?.actions.filter(
      (a): a is Extract<Action, { kind: 'update' }> => a.kind === 'update' && a.side === 'crm',
    ) ?? []),
  ];
  // Only Google has etags to go stale; should the CRM ever report one, its pair waits for the next run.
  for (const l of await runUpdates('crm', crmUpdates)) for (const a of todo.get(l.id) ?? []) fail(a);
  if (timeUp()) return stop(out, commitSettled);

  // 3. Group changes.
  const all = [...actions, ...(remerged?.actions ?? [])];
  for (const side of SIDES) {
    for (const kind of ['addToGroup', 'removeFromGroup'] as const) {
      const list = all.filter(
        (a) => a.kind === kind && a.side === side && (todo.get(a.linkId) ?? []).includes(a),
      );
      for (const chunk of chunks(list, sides[side].limits.membership)) {
        if (timeUp()) return stop(out, commitSettled);
        const ids = chunk.map((a) => (a as { id: string }).id);
        const results: ItemResults<null> =
          kind === 'addToGroup' ? await sides[side].addToGroup(ids) : await sides[side].removeFromGroup(ids);
        for (const a of chunk) {
          const id = (a as { id: string }).id;
          const r = results.get(id);
          // Leaving a group a record already left, or that no longer exists, is the goal reached.
          if (r?.ok || (kind === 'removeFromGroup' && r?.ok === false && r.error.kind === 'not-found')) {
            out.counts[kind][side] += 1;
            out.groupChanges[side][kind === 'addToGroup' ? 'added' : 'removed'].push(id);
            // A membership change rotates the record's version without telling us the new one.
            const l = target.get(a.linkId);
            if (l) target.set(a.linkId, { ...l, versions: { ...l.versions, [side]: null } });
            done(a);
          } else fail(a, errorOf(r));
        }
      }
    }
  }
  await commitSettled();
  return out;
}

async function stop(out: Executed, commit: () => Promise<void>): Promise<Executed> {
  await commit();
  return { ...out, finished: false };
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
