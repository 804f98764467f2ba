// The engine: from the stored links and what each side reported, decide every action of a run.
// Pure: no I/O, time and ids are passed in. The runner executes the plan and commits the links.
import type { Contact, Side } from './model.js';
import { SIDES, emptyContact, otherSide } from './model.js';
import { changedFields, mergeContacts } from './merge.js';
import { contactsEqual, emailsOf, normalizeContact } from './normalize.js';
import type { SideView } from './observe.js';
import { LinkIndex, sideId, viewOf } from './observe.js';
import { guardPlan } from './guard.js';
import { pairNewcomers } from './match.js';
import { briefOf, fieldText } from './brief.js';
import type { Action, Link, Plan, PlanInput, SideRecord } from './types.js';

/** How one side of a pair stands in this run. */
interface Presence {
  /** False when the record is known to be deleted. */
  exists: boolean;
  inGroup: boolean;
  /** The record's current data, when this run saw it. */
  record: SideRecord | null;
  /** It was in the group at the last sync and has left it (or been deleted) since. */
  departed: boolean;
}

export function plan(input: PlanInput): Plan {
  const views: Record<Side, SideView> = { crm: viewOf(input.crm), google: viewOf(input.google) };
  const index = new LinkIndex(input.links);
  const out: Plan = { actions: [], links: [], retire: [], notes: [], needsFullListing: [], refused: null };
  const handled = new Set<string>();
  const claimed: Record<Side, Set<string>> = { crm: new Set(), google: new Set() };
  const retired = new Set<string>();
  const orphans: { side: Side; id: string; linkId: string }[] = [];
  const held = new Set<string>();
  const restarted = new Map<string, string>();
  const linkIdFor = (record: SideRecord): string => {
    const reuse = restarted.get(record.id);
    if (reuse === undefined) return input.newId();
    out.retire = out.retire.filter((id) => id !== reuse);
    return reuse;
  };

  const presence = (link: Link, side: Side): Presence => {
    const id = sideId(link, side);
    const view = views[side];
    const wasIn = link.inGroup[side];
    if (id === null) return { exists: false, inGroup: false, record: null, departed: false };
    const record = view.records.get(id);
    if (record?.inGroup) return { exists: true, inGroup: true, record, departed: false };
    if (view.unchanged.has(id)) return { exists: true, inGroup: true, record: null, departed: false };
    const gone = view.departures.get(id);
    if (gone) return { exists: !gone.deleted, inGroup: false, record: record ?? null, departed: wasIn };
    if (view.missing.has(id)) return { exists: false, inGroup: false, record: null, departed: wasIn };
    if (view.complete && wasIn) return { exists: true, inGroup: false, record: null, departed: true };
    return { exists: true, inGroup: wasIn, record: null, departed: false };
  };

  /** `stored` is the link as committed, when the planner starts from a changed copy of it. */
  const settle = (link: Link, pres: Record<Side, Presence>, stored: Link = link): void => {
    handled.add(link.id);
    SIDES.forEach((s) => {
      const id = sideId(link, s);
      if (id !== null) claimed[s].add(id);
    });
    const next = settlePair(link, pres, input, out);
    if (next === null) {
      out.retire.push(link.id);
      retired.add(link.id);
      for (const s of SIDES) {
        const id = sideId(link, s);
        if (id === null || !pres[s].exists) continue;
        // The survivor is free to pair again; back in its group while its partner is gone, it starts afresh.
        claimed[s].delete(id);
        if (!pres[s].inGroup) continue;
        // One whose counterpart was deleted leaves its group, unless a newcomer of this run pairs with it
        // (the user replaced the deleted contact by a new one).
        if (link.inGroup[s] && !input.restoreDepartures) orphans.push({ side: s, id, linkId: link.id });
      }
    } else if (next !== link || stored !== link) out.links.push(next);
  };

  // 1. Pending creates first: a newcomer must never be matched again while its create is in doubt.
  for (const link of input.links) {
    if (link.status !== 'pending' || link.pending === null) continue;
    const target = link.pending.side;
    const source = otherSide(target);
    let resolved: Link = link;
    if (target === 'google' && link.googleId === null) {
      const found = findByMarker(link.crmId, views.google, input.candidates.google);
      // Never two links to one record: a contact another link already holds is not this one's.
      if (found && !claimed.google.has(found.id) && index.find('google', found.id) === undefined)
        resolved = { ...link, googleId: found.id };
    }
    const targetId = sideId(resolved, target);
    const targetSeen =
      targetId !== null &&
      (views[target].records.has(targetId) ||
        views[target].departures.has(targetId) ||
        input.candidates[target].some((r) => r.id === targetId));
    const targetMissing =
      targetId === null ? views[target].complete : views[target].missing.has(targetId) && !targetSeen;
    if (targetSeen) {
      const record =
        views[target].records.get(targetId!) ?? input.candidates[target].find((r) => r.id === targetId);
      const pres = {
        [source]: presence(resolved, source),
        [target]: record
          ? { exists: true, inGroup: record.inGroup, record, departed: false }
          : { exists: true, inGroup: false, record: null, departed: false },
      } as Record<Side, Presence>;
      // A created record found in its group is one we put there: should the source have gone
      // meanwhile, it must leave the group again. Found outside it, it is simply added.
      const inGroup = { ...resolved.inGroup, [target]: record?.inGroup ?? false };
      settle({ ...resolved, status: 'active', pending: null, inGroup }, pres, link);
      continue;
    }
    handled.add(link.id);
    const src = presence(link, source);
    if (targetMissing) {
      if (src.exists && src.inGroup && src.record === null) {
        // The create never happened: send it again, under the same link and the same CRM id.
        out.actions.push(createAction(link, target, link.base ?? emptyContact()));
        out.links.push(link);
      } else {
        // The create never happened and the source is at hand: it is a newcomer again, and may now
        // have a counterpart the user made meanwhile. Its next link keeps this id, so that saving it
        // replaces the stale pending one in the same write.
        out.retire.push(link.id);
        retired.add(link.id);
        const sourceId = sideId(link, source);
        if (sourceId !== null) restarted.set(sourceId, link.id);
      }
      continue;
    }
    const age = input.now - link.pending.since;
    if (target === 'google' && age > input.pendingTimeoutMs && !out.needsFullListing.includes('google'))
      out.needsFullListing.push('google');
    out.notes.push({ kind: 'waiting-for-create', side: target, id: link.id });
    // Until we know whether the create happened, a newcomer with the same email waits too: pairing or
    // copying it now could duplicate the record the create may have made.
    emailsOf(src.record?.contact ?? link.base ?? emptyContact()).forEach((e) => held.add(e));
  }

  // 2. Pairs we already know: merge, or carry a departure across.
  const touched = new Set<Link>();
  for (const s of SIDES) {
    for (const id of [...views[s].records.keys(), ...views[s].departures.keys(), ...views[s].missing]) {
      const l = index.find(s, id);
      if (l) touched.add(l);
    }
  }
  for (const l of input.links) if (l.attention || views.crm.complete || views.google.complete) touched.add(l);
  for (const link of touched) {
    if (handled.has(link.id) || link.status === 'pending') continue;
    settle(link, { crm: presence(link, 'crm'), google: presence(link, 'google') });
  }

  // 3. Pairs a person chose for an ambiguous match, then newcomers: pair by marker, then by a unique
  // email; create what has no counterpart.
  const free = (side: Side, id: string) => {
    if (claimed[side].has(id)) return false;
    const l = index.find(side, id);
    return l === undefined || retired.has(l.id);
  };
  const atHand = (side: Side, id: string) =>
    views[side].records.get(id) ?? input.candidates[side].find((r) => r.id === id);
  for (const choice of input.chosen ?? []) {
    const crm = atHand('crm', choice.crmId);
    const google = atHand('google', choice.googleId);
    if (!crm || !google || !free('crm', crm.id) || !free('google', google.id)) continue;
    if (!crm.inGroup && !google.inGroup) continue;
    settle(newLink(linkIdFor(restarted.has(crm.id) ? crm : google), crm.id, google.id, input.now), {
      crm: { exists: true, inGroup: crm.inGroup, record: crm, departed: false },
      google: { exists: true, inGroup: google.inGroup, record: google, departed: false },
    });
  }
  const matching = pairNewcomers({
    views,
    candidates: input.candidates,
    isLinked: (side, id) => {
      if (claimed[side].has(id)) return true;
      const l = index.find(side, id);
      return l !== undefined && !retired.has(l.id);
    },
    markerOwner: (crmId) => index.find('crm', crmId),
    notNewcomer: (side, id) => orphans.some((o) => o.side === side && o.id === id),
    held,
  });
  out.notes.push(...matching.notes);
  for (const { crm, google } of matching.pairs) {
    const link = newLink(linkIdFor(restarted.has(crm.id) ? crm : google), crm.id, google.id, input.now);
    settle(link, {
      crm: { exists: true, inGroup: crm.inGroup, record: crm, departed: false },
      google: { exists: true, inGroup: google.inGroup, record: google, departed: false },
    });
  }
  const paired = new Set(matching.pairs.flatMap((p) => [p.crm.id, p.google.id]));
  for (const o of orphans)
    if (!paired.has(o.id))
      out.actions.push({ kind: 'removeFromGroup', side: o.side, linkId: o.linkId, id: o.id });
  for (const record of matching.unpaired) {
    const target = otherSide(matching.sideOf(record));
    const link = newLink(linkIdFor(record), null, null, input.now);
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

  out.refused = guardPlan(out.actions, input, views);
  return out;
}

function createAction(link: Link, target: Side, contact: Contact): Action {
  return {
    kind: 'create',
    side: target,
    linkId: link.id,
    id: target === 'crm' ? link.crmId : null,
    contact,
    marker: target === 'google' ? link.crmId : null,
  };
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
  };
}

function findByMarker(
  crmId: string | null,
  google: SideView,
  candidates: SideRecord[],
): SideRecord | undefined {
  if (crmId === null) return undefined;
  for (const r of google.records.values()) if (r.marker === crmId) return r;
  return candidates.find((r) => r.marker === crmId);
}

/** Decide one pair; returns the link's next state, the same object when nothing changed, or null to retire it. */
function settlePair(link: Link, pres: Record<Side, Presence>, input: PlanInput, out: Plan): Link | null {
  const [crm, google] = [pres.crm, pres.google];
  const act = (a: Action) => out.actions.push(a);
  const idOf = (s: Side) => sideId(link, s) as string;

  // A deleted record ends the pair; plan() decides what becomes of the survivor.
  if (!crm.exists || !google.exists) return null;
  const departed = crm.departed || google.departed;
  // A person rejected the held-back removals: whoever left a group goes back into it (below).
  const restore = departed && input.restoreDepartures === true;
  if (!restore && (departed || (!crm.inGroup && !google.inGroup))) {
    for (const s of SIDES)
      if (pres[s].inGroup) act({ kind: 'removeFromGroup', side: s, linkId: link.id, id: idOf(s) });
    const dormant: Link = {
      ...link,
      status: 'dormant',
      inGroup: { crm: false, google: false },
      attention: false,
    };
    return sameLink(link, dormant) ? link : { ...dormant, syncedAt: input.now };
  }

  // Both exist and at least one is in its group: bring both in, then merge field by field.
  const current = (p: Presence): Contact => p.record?.contact ?? link.base ?? emptyContact();
  const when = (p: Presence): number => p.record?.modifiedAt ?? link.syncedAt;
  const { merged, conflicts, winner } = mergeContacts(
    link.base,
    { contact: current(crm), modifiedAt: when(crm) },
    { contact: current(google), modifiedAt: when(google) },
    input.policy,
  );
  const base = normalizeContact(merged);
  if (conflicts.length > 0)
    out.notes.push({
      kind: 'conflict',
      side: 'crm',
      id: idOf('crm'),
      fields: conflicts,
      partner: idOf('google'),
      brief: briefOf(base),
      decisions: conflicts.map((field) => ({
        field,
        crm: fieldText(current(crm), field),
        google: fieldText(current(google), field),
        winner,
      })),
    });
  for (const s of SIDES) {
    const p = pres[s];
    if (!p.inGroup) act({ kind: 'addToGroup', side: s, linkId: link.id, id: idOf(s) });
    const fields = changedFields(current(p), base);
    if (fields.length > 0)
      act({
        kind: 'update',
        side: s,
        linkId: link.id,
        id: idOf(s),
        version: p.record?.version ?? link.versions[s],
        extra: p.record?.extra ?? link.extras[s],
        fields,
        contact: base,
      });
  }
  const next: Link = {
    ...link,
    status: 'active',
    pending: null,
    inGroup: { crm: true, google: true },
    versions: {
      crm: crm.record?.version ?? link.versions.crm,
      google: google.record?.version ?? link.versions.google,
    },
    extras: { crm: crm.record?.extra ?? link.extras.crm, google: google.record?.extra ?? link.extras.google },
    base,
    attention: false,
  };
  return sameLink(link, next) ? link : { ...next, syncedAt: input.now };
}

/** Echoes of our own writes leave a link as it was, so they cost no state write. */
function sameLink(a: Link, b: Link): boolean {
  return (
    a.status === b.status &&
    a.crmId === b.crmId &&
    a.googleId === b.googleId &&
    a.attention === b.attention &&
    a.inGroup.crm === b.inGroup.crm &&
    a.inGroup.google === b.inGroup.google &&
    a.extras.crm === b.extras.crm &&
    a.extras.google === b.extras.google &&
    a.base !== null &&
    b.base !== null &&
    contactsEqual(a.base, b.base)
  );
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
