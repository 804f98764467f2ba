// The sync use case: read both sides, plan with the pure engine, then act in the order that keeps a
// crash harmless. A create is recorded as pending before it is sent; links are committed after each
// write call; cursors advance only once every write they cover is committed.
import { createHash } from 'node:crypto';
import type { Checkpoint, Clock, ContactSide, LinkHead, SideChanges, SyncStateStore } from './ports.js';
import type {
  Action,
  ConflictPolicy,
  GuardSettings,
  Link,
  Note,
  Observed,
  Plan,
  Side,
  SideRecord,
} from './sync/index.js';
import {
  DEFAULT_GUARD,
  SIDES,
  briefOf,
  fetchNeeds,
  inSync,
  lookupKeys,
  observedIds,
  otherSide,
  plan,
  sideId,
} from './sync/index.js';
import { executePlan } from './execute.js';
import type { Counts } from './counts.js';
import { countPlan } from './counts.js';

export interface SyncDeps {
  crm: ContactSide;
  google: ContactSide;
  state: SyncStateStore;
  clock: Clock;
  newId: () => string;
}

export interface RunOptions {
  policy: ConflictPolicy;
  guard?: GuardSettings;
  /** Stop starting new write calls after this instant (ms); the rest continues in the next run. */
  deadline?: number;
  dryRun?: boolean;
  /** A person confirmed the removals the guard would refuse. */
  allowLargeRemoval?: boolean;
  /** Default 15 minutes: longer than Google takes to show a write in sync results. */
  pendingTimeoutMs?: number;
  /** Pairs a person chose for ambiguous matches. */
  chosen?: { crmId: string; googleId: string }[];
  /** A person rejected the removals the guard held back: put departed records back instead. */
  restoreDepartures?: boolean;
  /** Sides whose periodic full read waits (the tenant's Creatio budget); one the plan needs still runs. */
  deferFullRead?: Side[];
  /** Told the phase, and while writing the counts so far; the caller throttles what it stores. */
  progress?: (phase: 'reading' | 'planning' | 'writing', counts: Counts | null) => void;
}

export interface RunReport {
  outcome: 'ok' | 'partial' | 'refused' | 'dry-run';
  reason: string | null;
  counts: Counts;
  /** Record ids only: never names or emails, which are personal data. */
  notes: Note[];
  /** Work remains (deadline reached); schedule a continuation. */
  more: boolean;
  /** What a dry run would do. */
  planned: Action[] | null;
  /** A dry run's pairs as they would stand afterwards (new pairs too), by link id: who each action is about. */
  plannedLinks?: Map<string, Link>;
  /** Of those, the pairs a dry run would make. */
  newLinks?: Set<string>;
}

interface SideRead {
  changes: SideChanges;
  observed: Observed;
}

/** Most whole links a run loads at once when many changed; past it, only those it plans for. */
const LINKS_HELD_MAX = 10_000;
/**
 * Creates a full side refused, retried per run: one full batch of Google creates a few times over, so
 * that room made in the account fills within a few runs while a full one costs little.
 */
export const REFUSED_RETRIES = 1_000;

export async function runSync(deps: SyncDeps, options: RunOptions): Promise<RunReport> {
  const { state, clock } = deps;
  const sides: Record<Side, ContactSide> = { crm: deps.crm, google: deps.google };
  const checkpoint = await state.loadCheckpoint();
  // Every link, read at most once a run: after a run that died mid-way (trust only the links, they
  // were committed with each write), and whenever a side lists in full.
  let every: Promise<Link[]> | null = null;
  const everyLink = () => (every ??= state.allLinks());
  // What a full listing is compared with: each side's in-group ids and the versions their links
  // hold, not the links' data. Kept as two maps, not as heads, so that a large group's hundred
  // thousand pairs cost a few megabytes; a full listing is handed the map itself, not a copy.
  let heads: Promise<Heads> | null = null;
  const linkHeads = () => (heads ??= every ? every.then(headsOf) : readHeads(state));
  // Once every whole link is loaded, the heads would only double what is held.
  const linkHeadsCache = { get: linkHeads, drop: () => void (heads = null) };
  if (checkpoint.dirty) checkpoint.activeLinks = (await everyLink()).filter(inSync).length;

  // A full listing need not hand over members still at the version their link holds.
  const known = (side: Side) => async () => (await linkHeads())[side];

  // The last run left members of a side unread and this one continues it at once: the other side,
  // read moments ago, may rest. Not after a run that died mid-way, whose reads were not all settled.
  const continuing = checkpoint.dirty ? [] : (checkpoint.continuing ?? []);
  const rests = (side: Side) => continuing.length > 0 && !continuing.includes(side);
  const read = async (side: Side, full: boolean): Promise<SideRead> => {
    const changes = await sides[side].readChanges(full ? null : checkpoint.cursors[side], {
      full,
      known: known(side),
      ...(options.deferFullRead?.includes(side) ? { deferFullRead: true } : {}),
      ...(!full && rests(side) ? { rest: true } : {}),
    });
    return { changes, observed: await observe(side, changes) };
  };

  // A side that reports its member list (Creatio) shows joins and leaves only by comparison with the
  // list we committed last time; the hash keeps the no-change run from reading that list at all.
  const observe = async (side: Side, ch: SideChanges): Promise<Observed> => {
    const observed: Observed = {
      records: [...ch.records],
      departures: [...ch.departures],
      missing: [],
      complete: ch.complete,
      // Left for the next invocation: present, as far as this one is concerned.
      unchanged: [...(ch.unchanged ?? []), ...(ch.deferred ?? [])],
      memberCount: ch.memberCount,
    };
    if (ch.members === null || ch.complete) return observed;
    if (!checkpoint.dirty && hashIds(ch.members) === checkpoint.membersHash[side]) return observed;
    const before = new Set(
      checkpoint.dirty
        ? (await everyLink()).flatMap((l) => {
            const id = sideId(l, side);
            return l.inGroup[side] && id !== null ? [id] : [];
          })
        : ((await state.loadMembers(side)) ?? []),
    );
    const now = new Set(ch.members);
    const seen = new Set(ch.records.map((r) => r.id));
    const joined = ch.members.filter((id) => !before.has(id) && !seen.has(id));
    if (joined.length > 0) {
      const got = await sides[side].fetch(joined);
      observed.records.push(...got.records);
    }
    // Whether a leaver was deleted matters: a deleted partner frees its pair for a newcomer.
    const left = [...before].filter((id) => !now.has(id));
    if (left.length > 0) {
      const got = await sides[side].fetch(left);
      observed.records.push(...got.records.map((r) => ({ ...r, inGroup: false })));
      observed.departures.push(...got.missing.map((id) => ({ id, deleted: true })));
    }
    return observed;
  };

  // Reading and planning live in their own scope: once planned, the records read are let go, which
  // keeps the peak memory of a large run down. Only member lists and cursors stay.
  const readAndPlan = async () => {
    let reads: Record<Side, SideRead> = {
      crm: await read('crm', false),
      google: await read('google', false),
    };
    let prepared = await prepare(deps, sides, reads, checkpoint, options, everyLink, linkHeadsCache);
    for (const side of prepared.planned.needsFullListing) {
      if (reads[side].observed.complete) continue;
      reads = { ...reads, [side]: await read(side, true) };
      prepared = await prepare(deps, sides, reads, checkpoint, options, everyLink, linkHeadsCache);
    }
    heads = null;
    const end = (side: Side) => ({
      members: reads[side].changes.members,
      cursor: reads[side].changes.cursor,
      deferred: (reads[side].changes.deferred?.length ?? 0) > 0,
    });
    const ends = { crm: end('crm'), google: end('google') };
    return { ...prepared, ends };
  };
  options.progress?.('reading', null);
  const { planned, links, ends } = await readAndPlan();
  for (const side of SIDES) sides[side].releaseReads?.();

  const counts = countPlan(planned);
  // New pairs, with or without a write: a first run that only pairs by email still links.
  // Counted as the run counts them: every new pair that ends active, by pairing or by a create.
  counts.linked = planned.links.filter((l) => l.status !== 'dormant' && !links.has(l.id)).length;
  const report: RunReport = {
    outcome: 'ok',
    reason: null,
    counts,
    notes: planned.notes,
    more: false,
    planned: null,
  };
  if (planned.refused)
    return {
      ...report,
      outcome: 'refused',
      reason: planned.refused,
      notes: [...planned.notes, ...heldRemovals(planned.actions, links)],
    };
  if (options.dryRun) {
    const plannedLinks = new Map(links);
    planned.links.forEach((l) => plannedLinks.set(l.id, l));
    const newLinks = new Set(planned.links.filter((l) => !links.has(l.id)).map((l) => l.id));
    return { ...report, outcome: 'dry-run', planned: planned.actions, plannedLinks, newLinks };
  }
  options.progress?.('writing', counts);

  const writes = planned.actions.length + planned.links.length + planned.retire.length;
  if (!checkpoint.dirty && writes > 0) await state.saveCheckpoint({ ...checkpoint, dirty: true });
  const executed = await executePlan(
    {
      sides,
      state,
      clock,
      deadline: options.deadline ?? Number.POSITIVE_INFINITY,
      policy: options.policy,
      ...(options.progress ? { onProgress: (c: Counts) => options.progress?.('writing', c) } : {}),
    },
    planned,
    links,
  );
  // What was held back is the plan's word; the executor counts what it wrote.
  report.counts = { ...executed.counts, waiting: report.counts.waiting };
  report.notes = [...planned.notes, ...executed.notes];
  if (!executed.finished) return { ...report, outcome: 'partial', more: true };

  // Everything the reads covered is committed: only now may the cursors move.
  const next: Checkpoint = {
    cursors: { crm: null, google: null },
    membersHash: { ...checkpoint.membersHash },
    activeLinks: Math.max(0, checkpoint.activeLinks + executed.activeDelta),
    dirty: false,
  };
  // Members left unread: continue at once, unless this invocation settled nothing (say, newcomers
  // whose match stays ambiguous fill the bound); then the scheduled runs retry, no hot loop.
  const unread = SIDES.filter((side) => ends[side].deferred);
  const more = unread.length > 0 && writes > 0;
  if (more) next.continuing = unread;
  for (const side of SIDES) {
    // A side that left members unread keeps its cursor: the next invocation reads it in full again,
    // finding what this one settled at the versions its links now hold.
    if (ends[side].deferred) {
      next.cursors[side] = checkpoint.cursors[side];
      continue;
    }
    const members = ends[side].members;
    if (members !== null) {
      const list = adjustMembers(members, executed.groupChanges[side]);
      const hash = hashIds(list);
      if (hash !== checkpoint.membersHash[side] || checkpoint.dirty) await state.saveMembers(side, list);
      next.membersHash[side] = hash;
    }
    next.cursors[side] = sides[side].settleCursor(ends[side].cursor);
  }
  await state.saveCheckpoint(next);
  return more ? { ...report, outcome: 'partial', more: true } : report;
}

async function prepare(
  deps: SyncDeps,
  sides: Record<Side, ContactSide>,
  reads: Record<Side, SideRead>,
  checkpoint: Checkpoint,
  options: RunOptions,
  everyLink: () => Promise<Link[]>,
  heads: { get: () => Promise<Heads>; drop: () => void },
): Promise<{ planned: Plan; links: Map<string, Link> }> {
  const { state } = deps;
  const obs = { crm: reads.crm.observed, google: reads.google.observed };
  const links = new Map<string, Link>();
  const add = (ls: Link[]) => ls.forEach((l) => links.set(l.id, l));

  const markers = obs.google.records.flatMap((r) => (r.marker ? [r.marker] : []));
  // Members a full listing found unchanged need no link loaded: the heads tell they are present.
  const changed = (o: Observed) => [...o.records.map((r) => r.id), ...o.departures.map((d) => d.id)];
  const touched = changed(obs.crm).length + markers.length + changed(obs.google).length;
  // Past a third of the pairs, one listing costs the same document reads as many id queries and
  // far fewer round trips. A complete listing of either side that reports its members unchanged
  // needs only the heads (below), so the 24-hour full read of a large group holds no whole link it
  // does not plan for.
  // Never past what one invocation holds, though: a big group's pairs are loaded by id instead, and
  // a run that left members for its next invocation may hold many creates a full side refused.
  const allLoaded =
    touched > Math.max(300, checkpoint.activeLinks / 3) &&
    checkpoint.activeLinks <= LINKS_HELD_MAX &&
    !reads.crm.changes.deferred?.length &&
    !reads.google.changes.deferred?.length;
  if (allLoaded) {
    heads.drop();
    add(await everyLink());
  } else {
    add(await state.linksFor('crm', [...changed(obs.crm), ...markers]));
    // Our own creates echo back carrying their marker: their links are loaded already.
    const held = new Set([...links.values()].map((l) => l.googleId));
    add(
      await state.linksFor(
        'google',
        changed(obs.google).filter((id) => !held.has(id)),
      ),
    );
    add(await state.attentionLinks(REFUSED_RETRIES));
  }

  const fetchInto = async (needs: Record<Side, string[]>) => {
    for (const side of SIDES) {
      if (needs[side].length === 0) continue;
      const got = await sides[side].fetch(needs[side]);
      obs[side] = {
        ...obs[side],
        records: [...obs[side].records, ...got.records],
        missing: [...obs[side].missing, ...got.missing],
      };
    }
  };
  // A full listing is silent about paired records it no longer shows: ask whether they still exist.
  const absent: Record<Side, string[]> = { crm: [], google: [] };
  for (const side of SIDES) {
    if (!obs[side].complete) continue;
    const seen = new Set(observedIds(obs[side]));
    const inGroup = allLoaded
      ? [...links.values()].flatMap((l) => {
          const id = sideId(l, side);
          return l.inGroup[side] && id !== null ? [id] : [];
        })
      : (await heads.get())[side].keys();
    for (const id of inGroup) if (!seen.has(id)) absent[side].push(id);
    if (!allLoaded) add(await state.linksFor(side, absent[side]));
  }
  await fetchInto(absent);
  await fetchInto(fetchNeeds([...links.values()], obs.crm, obs.google));

  const keys = lookupKeys([...links.values()], obs.crm, obs.google);
  const candidates: Record<Side, SideRecord[]> = { crm: [], google: [] };
  for (const side of SIDES) {
    const k = keys[side];
    if (k.ids.length + k.markers.length + k.emails.length === 0) continue;
    candidates[side] = await sides[side].lookup(k);
    // A candidate already paired elsewhere must be known as such, or it could be paired twice.
    const known = new Set([...links.values()].map((l) => sideId(l, side)));
    const unknown = candidates[side].map((r) => r.id).filter((id) => !known.has(id));
    if (unknown.length > 0 && !allLoaded) add(await state.linksFor(side, unknown));
  }
  // A candidate held by a dormant pair is free again if its old partner was deleted meanwhile.
  const partners: Record<Side, string[]> = { crm: [], google: [] };
  for (const side of SIDES) {
    const other = otherSide(side);
    const held = new Map(
      [...links.values()].filter((l) => l.status === 'dormant').map((l) => [sideId(l, side), l]),
    );
    const seen = new Set(observedIds(obs[other]));
    for (const r of candidates[side]) {
      const partner = held.get(r.id) && sideId(held.get(r.id)!, other);
      if (partner && !seen.has(partner)) partners[other].push(partner);
    }
  }
  await fetchInto(partners);
  // Records of pairs a person chose: planned as candidates, whether or not this run saw them change.
  for (const side of SIDES) {
    const ids = (options.chosen ?? []).map((c) => (side === 'crm' ? c.crmId : c.googleId));
    const have = new Set([...observedIds(obs[side]), ...candidates[side].map((r) => r.id)]);
    const wanted = [...new Set(ids)].filter((id) => !have.has(id));
    if (wanted.length > 0) candidates[side].push(...(await sides[side].fetch(wanted)).records);
    if (wanted.length > 0 && !allLoaded) add(await state.linksFor(side, wanted));
  }

  const planned = plan({
    links: [...links.values()],
    crm: obs.crm,
    google: obs.google,
    candidates,
    policy: options.policy,
    now: deps.clock.now(),
    activeLinks: checkpoint.activeLinks,
    guard: options.guard ?? DEFAULT_GUARD,
    pendingTimeoutMs: options.pendingTimeoutMs ?? 15 * 60_000,
    allowLargeRemoval: options.allowLargeRemoval ?? false,
    newId: deps.newId,
    ...(options.chosen ? { chosen: options.chosen } : {}),
    ...(options.restoreDepartures ? { restoreDepartures: true } : {}),
  });
  return { planned, links };
}

/** The removals the guard held back, for the person asked to confirm or reject them. */
function heldRemovals(actions: Action[], links: Map<string, Link>): Note[] {
  return actions.flatMap((a): Note[] => {
    if (a.kind !== 'removeFromGroup') return [];
    const base = links.get(a.linkId)?.base;
    return [{ kind: 'held-removal', side: a.side, id: a.id, ...(base ? { brief: briefOf(base) } : {}) }];
  });
}

/** Each side's in-group ids, with the version the link holds ('': not known, equal to no version). */
type Heads = Record<Side, Map<string, string>>;

function headsOf(links: LinkHead[]): Heads {
  return addHeads({ crm: new Map(), google: new Map() }, links);
}

/** Page by page: a page's heads are let go once their ids and versions are in the maps. */
async function readHeads(state: SyncStateStore): Promise<Heads> {
  const out: Heads = { crm: new Map(), google: new Map() };
  await state.linkHeads((page) => addHeads(out, page));
  return out;
}

function addHeads(out: Heads, links: LinkHead[]): Heads {
  for (const l of links)
    for (const side of SIDES) {
      const id = sideId(l, side);
      // A pending link's source is not told to a full listing as known while its create is in
      // doubt: it may have to start over from the record itself. A create the side refused wrote
      // nothing and waits for room: its source is known. (A dormant pair is in neither group.)
      const known = l.status === 'active' || l.pending?.refused !== undefined;
      if (id !== null && l.inGroup[side]) out[side].set(id, known ? (l.versions[side] ?? '') : '');
    }
  return out;
}

export function hashIds(ids: string[]): string {
  return createHash('sha256')
    .update([...ids].sort().join('\n'))
    .digest('base64url');
}

function adjustMembers(members: string[], changes: { added: string[]; removed: string[] }): string[] {
  const set = new Set(members);
  changes.added.forEach((id) => set.add(id));
  changes.removed.forEach((id) => set.delete(id));
  return [...set];
}
