// The engine: from the stored links and what each side reported, decide every action of a run.
// Pure: no I/O, time and ids are passed in. The runner executes the plan and commits the links.
import type { Contact, Side } from './model.js';
import { SIDES, emptyContact, otherSide } from './model.js';
import { changedFields, mergeContacts } from './merge.js';
import { contactsEqual, normalizeContact } from './normalize.js';
import type { SideView } from './observe.js';
import { LinkIndex, sideId, viewOf } from './observe.js';
import { guardPlan } from './guard.js';
import { pairNewcomers } from './match.js';
import type { Action, Link, Note, Plan, PlanInput, SideRecord } from './types.js';

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

  const presence = (link: Link, side: Side): Presence => {
    const id = sideId(link, side);
    const view = views[side];
    const wasIn = link.inGroup[side];
    if (id === null) return { exists: false, inGroup: false, record: null, departed: false };
    const record = view.records.get(id);
    if (record) return { exists: true, inGroup: true, record, departed: false };
    const gone = view.departures.get(id);
    if (gone) return { exists: !gone.deleted, inGroup: false, record: null, departed: wasIn };
    if (view.missing.has(id)) return { exists: false, inGroup: false, record: null, departed: wasIn };
    if (view.complete && wasIn) return { exists: true, inGroup: false, record: null, departed: true };
    return { exists: true, inGroup: wasIn, record: null, departed: false };
  };

  const settle = (link: Link, pres: Record<Side, Presence>): void => {
    handled.add(link.id);
    SIDES.forEach((s) => {
      const id = sideId(link, s);
      if (id !== null) claimed[s].add(id);
    });
    const next = settlePair(link, pres, input, out);
    if (next === null) {
      out.retire.push(link.id);
      retired.add(link.id);
      // A record that just came back into its group while its counterpart is gone starts afresh.
      for (const s of SIDES) {
        const id = sideId(link, s);
        if (id !== null && pres[s].exists && pres[s].inGroup && !link.inGroup[s]) claimed[s].delete(id);
      }
    } else if (next !== link) out.links.push(next);
  };

  // 1. Pending creates first: a newcomer must never be matched again while its create is in doubt.
  for (const link of input.links) {
    if (link.status !== 'pending' || link.pending === null) continue;
    const target = link.pending.side;
    const source = otherSide(target);
    let resolved: Link = link;
    if (target === 'google' && link.googleId === null) {
      const found = findByMarker(link.crmId, views.google, input.candidates.google);
      if (found) resolved = { ...link, googleId: found.id };
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
      settle({ ...resolved, status: 'active', pending: null }, pres);
      continue;
    }
    handled.add(link.id);
    const src = presence(link, source);
    if (targetMissing) {
      if (src.exists && src.inGroup) {
        // The create never happened: send it again, under the same link and the same CRM id.
        out.actions.push(createAction(link, target, src.record?.contact ?? link.base ?? emptyContact()));
        out.links.push({ ...link, base: src.record?.contact ?? link.base });
      } else out.retire.push(link.id);
      continue;
    }
    const age = input.now - link.pending.since;
    if (target === 'google' && age > input.pendingTimeoutMs && !out.needsFullListing.includes('google'))
      out.needsFullListing.push('google');
    out.notes.push({ kind: 'waiting-for-create', side: target, id: link.id });
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

  // 3. Newcomers: pair by marker, then by a unique email; create what has no counterpart.
  const matching = pairNewcomers({
    views,
    candidates: input.candidates,
    isLinked: (side, id) => {
      if (claimed[side].has(id)) return true;
      const l = index.find(side, id);
      return l !== undefined && !retired.has(l.id);
    },
    markerOwner: (crmId) => index.find('crm', crmId),
  });
  out.notes.push(...matching.notes);
  for (const { crm, google } of matching.pairs) {
    const link = newLink(input.newId(), crm.id, google.id, input.now);
    settle(link, {
      crm: { exists: true, inGroup: crm.inGroup, record: crm, departed: false },
      google: { exists: true, inGroup: google.inGroup, record: google, departed: false },
    });
  }
  for (const record of matching.unpaired) {
    const target = otherSide(matching.sideOf(record));
    const link = newLink(input.newId(), null, null, input.now);
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

  // A deleted record ends the pair; the other record leaves its group, unless it just came back into
  // it, which makes it a newcomer to be paired or created afresh.
  if (!crm.exists || !google.exists) {
    for (const s of SIDES) {
      const p = pres[s];
      if (p.exists && p.inGroup && link.inGroup[s])
        act({ kind: 'removeFromGroup', side: s, linkId: link.id, id: idOf(s) });
    }
    return null;
  }
  const departed = crm.departed || google.departed;
  if (departed || (!crm.inGroup && !google.inGroup)) {
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
  const { merged, conflicts } = mergeContacts(
    link.base,
    { contact: current(crm), modifiedAt: when(crm) },
    { contact: current(google), modifiedAt: when(google) },
    input.policy,
  );
  const base = normalizeContact(merged);
  if (conflicts.length > 0)
    out.notes.push({ kind: 'conflict', side: 'crm', id: idOf('crm'), fields: conflicts });
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
    a.base !== null &&
    b.base !== null &&
    contactsEqual(a.base, b.base)
  );
}

/** The link's state once its create succeeded on the target side. */
export function confirmCreate(
  link: Link,
  created: { id: string; version: string | null },
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
    syncedAt: now,
    attention: false,
  };
}
