// The engine: from the stored links and what each side reported, decide every action of a run.
// Pure: no I/O, time and ids are passed in. The runner executes the plan and commits the links.
// Each pair is decided by a flat decision table: pending.ts (a create in doubt), pair.ts (a known
// pair); newcomers are paired by match.ts and created here.
import { SIDES, otherSide } from './model.js';
import { guardPlan } from './guard.js';
import { pairNewcomers } from './match.js';
import { seen } from './pair.js';
import { createAction, planPending } from './pending.js';
import { Planning } from './planning.js';
import type { Link, Plan, PlanInput, SideRecord } from './types.js';

export function plan(input: PlanInput): Plan {
  const p = new Planning(input);
  // 1. Pending creates first: a newcomer must never be matched again while its create is in doubt.
  for (const link of input.links)
    if (link.status === 'pending' && link.pending !== null) planPending(p, link, link.pending);
  // 2. Pairs we already know: merge, or carry a departure across.
  for (const link of touched(p))
    if (!p.handled.has(link.id) && link.status !== 'pending')
      p.settle(link, { crm: p.presence(link, 'crm'), google: p.presence(link, 'google') });
  // 3. Pairs a person chose for an ambiguous match, then newcomers: pair by marker, then by a unique
  // email; create what has no counterpart.
  planChosen(p);
  planNewcomers(p);
  p.out.refused = guardPlan(p.out.actions, input, p.views);
  return p.out;
}

/** Links this run has news of, or must look at anyway (attention, or a side listed in full). */
function touched(p: Planning): Set<Link> {
  const { views, index, input } = p;
  const links = new Set<Link>();
  for (const s of SIDES) {
    for (const id of [...views[s].records.keys(), ...views[s].departures.keys(), ...views[s].missing]) {
      const l = index.find(s, id);
      if (l) links.add(l);
    }
  }
  for (const l of input.links) if (l.attention || views.crm.complete || views.google.complete) links.add(l);
  return links;
}

/** Linked when both records are at hand, neither is paired yet, and at least one is in its group. */
function planChosen(p: Planning): void {
  const { views, input } = p;
  const atHand = (side: 'crm' | 'google', id: string) =>
    views[side].records.get(id) ?? input.candidates[side].find((r) => r.id === id);
  for (const choice of input.chosen ?? []) {
    const crm = atHand('crm', choice.crmId);
    const google = atHand('google', choice.googleId);
    if (!crm || !google || !p.free('crm', crm.id) || !p.free('google', google.id)) continue;
    if (!crm.inGroup && !google.inGroup) continue;
    pair(p, crm, google);
  }
}

function pair(p: Planning, crm: SideRecord, google: SideRecord): void {
  const id = p.linkIdFor(p.restarted.has(crm.id) ? crm : google);
  p.settle(newLink(id, crm.id, google.id, p.input.now), { crm: seen(crm), google: seen(google) });
}

function planNewcomers(p: Planning): void {
  const { input, out } = p;
  const matching = pairNewcomers({
    views: p.views,
    candidates: input.candidates,
    isLinked: (side, id) => !p.free(side, id),
    markerOwner: (crmId) => p.index.find('crm', crmId),
    notNewcomer: (side, id) => p.orphans.some((o) => o.side === side && o.id === id),
    held: p.held,
  });
  out.notes.push(...matching.notes);
  for (const { crm, google } of matching.pairs) pair(p, crm, google);
  const paired = new Set(matching.pairs.flatMap((m) => [m.crm.id, m.google.id]));
  for (const o of p.orphans)
    if (!paired.has(o.id))
      out.actions.push({ kind: 'removeFromGroup', side: o.side, linkId: o.linkId, id: o.id });
  for (const record of matching.unpaired) {
    const target = otherSide(matching.sideOf(record));
    const link = newLink(p.linkIdFor(record), null, null, input.now);
    const contact = record.contact;
    const created: Link = {
      ...link,
      crmId: target === 'crm' ? input.newId() : record.id,
      googleId: target === 'google' ? null : record.id,
      status: 'pending',
      pending: { side: target, since: input.now },
      inGroup: { crm: target !== 'crm', google: target !== 'google' },
      versions: {
        crm: target === 'crm' ? null : record.version,
        google: target === 'google' ? null : record.version,
      },
      extras: { crm: null, google: null, [otherSide(target)]: record.extra ?? null },
      base: contact,
    };
    out.actions.push(createAction(created, target, contact));
    out.links.push(created);
  }
}

function newLink(id: string, crmId: string | null, googleId: string | null, now: number): Link {
  return {
    id,
    crmId,
    googleId,
    status: 'active',
    pending: null,
    inGroup: { crm: false, google: false },
    versions: { crm: null, google: null },
    extras: { crm: null, google: null },
    base: null,
    syncedAt: now,
    attention: false,
    leaving: [],
  };
}

/** The link's state once its create succeeded on the target side. */
export function confirmCreate(
  link: Link,
  created: { id: string; version: string | null; extra?: string | null },
  now: number,
): Link {
  const target = link.pending?.side;
  if (link.status !== 'pending' || target === undefined) return link;
  return {
    ...link,
    crmId: target === 'crm' ? created.id : link.crmId,
    googleId: target === 'google' ? created.id : link.googleId,
    status: 'active',
    pending: null,
    inGroup: { crm: true, google: true },
    versions: { ...link.versions, [target]: created.version },
    extras: { ...link.extras, [target]: created.extra ?? null },
    syncedAt: now,
    attention: false,
  };
}
