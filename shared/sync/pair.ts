// One known pair, as a decision table: which real-world case it is in, then what that case does.
import type { Contact, Side } from './model.js';
import { SIDES, emptyContact, isListField } from './model.js';
import { baseAfterFailure, changedFields, mergeContacts } from './merge.js';
import { contactsEqual, normalizeContact } from './normalize.js';
import { sideId } from './observe.js';
import { briefOf, fieldText } from './brief.js';
import type { Action, Link, Plan, PlanInput, SideRecord } from './types.js';

/** How one side of a pair stands in this run. */
export interface Presence {
  /** False when the record is known to be deleted. */
  exists: boolean;
  inGroup: boolean;
  /** The record's current data, when this run saw it. */
  record: SideRecord | null;
  /** It was in the group at the last sync and has left it (or been deleted) since. */
  departed: boolean;
}

/** A record this run holds in hand (read, or a candidate), standing as it was reported. */
export const seen = (record: SideRecord): Presence => ({
  exists: true,
  inGroup: record.inGroup,
  record,
  departed: false,
});

export type PairCase = 'deleted' | 'left' | 'both-out' | 'put-back' | 'in-group';

export function pairCase(pres: Record<Side, Presence>, restoreDepartures: boolean): PairCase {
  const { crm, google } = pres;
  const departed = crm.departed || google.departed;
  // A record was deleted: the pair ends; plan() decides what becomes of the survivor.
  if (!crm.exists || !google.exists) return 'deleted';
  // One left its group (or was deleted from it): its partner leaves too, and the pair sleeps.
  if (departed && !restoreDepartures) return 'left';
  // A person rejected the held-back removals: whoever left a group goes back into it.
  if (departed) return 'put-back';
  // Both were already outside their groups: the pair sleeps on.
  if (!crm.inGroup && !google.inGroup) return 'both-out';
  // Both exist and at least one is in its group: changed here, there, on both or on neither, merged
  // field by field (merge.ts), and both brought into their groups.
  return 'in-group';
}

/** Decide one pair; returns the link's next state, the same object when nothing changed, or null to retire it. */
export function settlePair(
  link: Link,
  pres: Record<Side, Presence>,
  input: PlanInput,
  out: Plan,
): Link | null {
  switch (pairCase(pres, input.restoreDepartures === true)) {
    case 'deleted':
      return null;
    case 'left':
    case 'both-out':
      return sleep(link, pres, input, out);
    case 'put-back':
    case 'in-group':
      return bringIn(link, pres, input, out);
  }
}

/** Take whoever is still in a group out of it; keep the link, dormant, so a return pairs the same two. */
function sleep(link: Link, pres: Record<Side, Presence>, input: PlanInput, out: Plan): Link {
  const leaving = SIDES.filter((s) => pres[s].inGroup);
  for (const s of leaving)
    out.actions.push({ kind: 'removeFromGroup', side: s, linkId: link.id, id: sideId(link, s)! });
  if (leaving.length > 0) out.ahead.push({ ...link, leaving, attention: true });
  const dormant: Link = {
    ...link,
    status: 'dormant',
    inGroup: { crm: false, google: false },
    attention: false,
    leaving: [],
  };
  return sameLink(link, dormant) ? link : { ...dormant, syncedAt: input.now };
}

/** Bring both into their groups, then merge field by field and write each side what it lacks. */
function bringIn(link: Link, pres: Record<Side, Presence>, input: PlanInput, out: Plan): Link {
  const { crm, google } = pres;
  const idOf = (s: Side) => sideId(link, s)!;
  const current = (p: Presence): Contact => p.record?.contact ?? link.base ?? emptyContact();
  const when = (p: Presence): number => p.record?.modifiedAt ?? link.syncedAt;
  const { merged, conflicts, winner } = mergeContacts(
    link.base,
    { contact: current(crm), modifiedAt: when(crm) },
    { contact: current(google), modifiedAt: when(google) },
    input.policy,
  );
  const base = normalizeContact(merged);
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
    leaving: [],
  };
  // Decided by the records' times, which our own writes move: saved first as it stands should they fail.
  if (input.policy === 'newest-wins' && conflicts.some((f) => !isListField(f)))
    out.ahead.push(
      unsettledLink(
        next,
        base,
        link.base,
        { crm: current(crm), google: current(google) },
        { crm: crm.inGroup, google: google.inGroup },
      ),
    );
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
    if (!p.inGroup) out.actions.push({ kind: 'addToGroup', side: s, linkId: link.id, id: idOf(s) });
    const fields = changedFields(current(p), base);
    if (fields.length > 0)
      out.actions.push({
        kind: 'update',
        side: s,
        linkId: link.id,
        id: idOf(s),
        version: p.record?.version ?? link.versions[s],
        extra: p.record?.extra ?? link.extras[s],
        fields,
        contact: base,
        held: current(p),
      } satisfies Action);
  }
  return sameLink(link, next) ? link : { ...next, syncedAt: input.now };
}

/**
 * A pair some of whose planned writes may not happen (saved ahead of them, or after some failed), as
 * the next run must find it: a base that tells the next merge what this one decided whichever writes
 * went through (`baseAfterFailure`), no versions, so that both records are read again and neither is
 * stood in for by that base, only the memberships it already has, and marked for attention.
 */
export function unsettledLink(
  next: Link,
  merged: Contact,
  before: Contact | null,
  held: Record<Side, Contact>,
  inGroup: Record<Side, boolean>,
): Link {
  return {
    ...next,
    base: baseAfterFailure(merged, before, held),
    versions: { crm: null, google: null },
    inGroup,
    attention: true,
  };
}

/** Echoes of our own writes leave a link as it was, so they cost no state write. */
function sameLink(a: Link, b: Link): boolean {
  return (
    a.status === b.status &&
    a.crmId === b.crmId &&
    a.googleId === b.googleId &&
    a.attention === b.attention &&
    a.leaving.join() === b.leaving.join() &&
    a.inGroup.crm === b.inGroup.crm &&
    a.inGroup.google === b.inGroup.google &&
    a.extras.crm === b.extras.crm &&
    a.extras.google === b.extras.google &&
    a.base !== null &&
    b.base !== null &&
    contactsEqual(a.base, b.base)
  );
}
