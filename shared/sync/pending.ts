// A pending create, as a decision table: the create was decided in an earlier run and may or may
// not have happened. It is reconciled, never blindly repeated.
import type { Contact, Side } from './model.js';
import { emptyContact, otherSide } from './model.js';
import { emailsOf } from './normalize.js';
import type { SideView } from './observe.js';
import { sideId } from './observe.js';
import type { Presence } from './pair.js';
import { seen } from './pair.js';
import type { Planning } from './planning.js';
import type { Action, Link, SideRecord } from './types.js';

type Pending = NonNullable<Link['pending']>;

/** What this run knows about one pending create. */
interface Facts {
  target: Side;
  source: Presence;
  /** The link, with the created Google contact's id when its marker found it. */
  resolved: Link;
  /** The target record in hand (read, or a candidate). */
  targetRecord: SideRecord | null;
  /** The target record, if this run saw it (read, departed, or a candidate). */
  targetSeen: boolean;
  /** Seen only as a deletion: it existed, and is gone. */
  targetDeleted: boolean;
  /** Known not to exist on the target side. */
  targetMissing: boolean;
}

export type PendingCase =
  'refused-unwanted' | 'refused-again' | 'made-then-deleted' | 'made' | 'lost-unread' | 'lost' | 'in-doubt';

export function pendingCase(f: Facts, pending: Pending): PendingCase {
  const { source } = f;
  // The side refused it for want of room, and its source left its group or was deleted: no longer wanted.
  if (pending.refused !== undefined && (!source.exists || !source.inGroup)) return 'refused-unwanted';
  // The side refused it for want of room: nothing was written, nothing to look for; send it again.
  if (pending.refused !== undefined) return 'refused-again';
  // The created record is seen only as a deletion: the create happened and its user deleted it since.
  if (f.targetDeleted) return 'made-then-deleted';
  // The created record is seen (by its id or its marker): the create happened.
  if (f.targetSeen) return 'made';
  // The create never happened, and the source is in its group but unread: send it again, same ids.
  if (f.targetMissing && source.exists && source.inGroup && source.record === null) return 'lost-unread';
  // The create never happened, and the source is at hand or gone: a newcomer again.
  if (f.targetMissing) return 'lost';
  // Whether the create happened is not yet known: wait.
  return 'in-doubt';
}

export function planPending(p: Planning, link: Link, pending: Pending): void {
  const f = factsOf(p, link, pending);
  p.handled.add(link.id);
  switch (pendingCase(f, pending)) {
    case 'refused-unwanted':
      return p.retire(link.id);
    case 'refused-again':
      return sendAgain(p, link, f);
    case 'made-then-deleted':
      return madeThenDeleted(p, link, f);
    case 'made':
      return made(p, link, f);
    case 'lost-unread':
      p.out.actions.push(createAction(link, f.target, link.base ?? emptyContact()));
      p.out.links.push(link);
      return;
    case 'lost':
      return restart(p, link, f);
    case 'in-doubt':
      return wait(p, link, pending, f);
  }
}

function factsOf(p: Planning, link: Link, pending: Pending): Facts {
  const target = pending.side;
  const { views, input } = p;
  let resolved: Link = link;
  if (target === 'google' && link.googleId === null) {
    const found = findByMarker(link.crmId, views.google, input.candidates.google);
    // Never two links to one record: a contact another link already holds is not this one's.
    if (found && !p.claimed.google.has(found.id) && p.index.find('google', found.id) === undefined)
      resolved = { ...link, googleId: found.id };
  }
  const targetId = sideId(resolved, target);
  const targetRecord =
    targetId === null
      ? null
      : (views[target].records.get(targetId) ??
        input.candidates[target].find((r) => r.id === targetId) ??
        null);
  const departure = targetId === null ? undefined : views[target].departures.get(targetId);
  const targetSeen = targetRecord !== null || departure !== undefined;
  const targetMissing =
    targetId === null ? views[target].complete : views[target].missing.has(targetId) && !targetSeen;
  const targetDeleted = targetRecord === null && departure?.deleted === true;
  return {
    target,
    source: p.presence(link, otherSide(target)),
    resolved,
    targetRecord,
    targetSeen,
    targetDeleted,
    targetMissing,
  };
}

/** Sent again while the side is still full, it is answered cheaply. A newcomer with the same email waits. */
function sendAgain(p: Planning, link: Link, f: Facts): void {
  const contact = f.source.record?.contact ?? link.base ?? emptyContact();
  const next = f.source.record ? { ...link, base: contact } : link;
  p.out.actions.push(createAction(next, f.target, contact));
  p.out.links.push(next);
  p.out.notes.push({ kind: 'side-full', side: f.target, id: link.id });
  hold(p, contact);
}

/**
 * The create happened. Both sides make a record inside its group in one atomic write (Google: the
 * membership in the create's body; Creatio: the folder row in the contact's change set), so the record
 * was in its group when made: found outside it now, a user took it out, and that departure is carried
 * to the source like any other (rule 6). Found in its group, it is one we put there: should the source
 * have gone meanwhile, it leaves the group again.
 */
function made(p: Planning, link: Link, f: Facts): void {
  const { target, resolved, targetRecord: record } = f;
  // Unless the run that found it made took it out again and stopped before saving so (`leaving`).
  const byUser = !link.leaving.includes(target);
  const taken: Presence = record
    ? { ...seen(record), departed: !record.inGroup && byUser }
    : { exists: true, inGroup: false, record: null, departed: byUser };
  const pres = { [otherSide(target)]: f.source, [target]: taken } as Record<Side, Presence>;
  const inGroup = { ...resolved.inGroup, [target]: true };
  p.settle({ ...resolved, status: 'active', pending: null, inGroup }, pres, link);
}

/**
 * The user deleted the record we made: as for a deleted partner (pair.ts), the pair ends and its source
 * leaves its group, unless a newcomer of this run pairs with it or a person rejected the removals.
 * Never made again: that would undo the deletion.
 */
function madeThenDeleted(p: Planning, link: Link, f: Facts): void {
  const gone: Presence = { exists: false, inGroup: false, record: null, departed: true };
  const pres = { [otherSide(f.target)]: f.source, [f.target]: gone } as Record<Side, Presence>;
  p.settle({ ...f.resolved, status: 'active', pending: null }, pres, link);
}

/**
 * The source may now have a counterpart the user made meanwhile. Its next link keeps this id, so that
 * saving it replaces the stale pending one in the same write.
 */
function restart(p: Planning, link: Link, f: Facts): void {
  p.retire(link.id);
  const sourceId = sideId(link, otherSide(f.target));
  if (sourceId !== null) p.restarted.set(sourceId, link.id);
}

/** Until we know, a newcomer with the same email waits too: pairing it could duplicate the record. */
function wait(p: Planning, link: Link, pending: Pending, f: Facts): void {
  const { input, out } = p;
  const age = input.now - pending.since;
  if (f.target === 'google' && age > input.pendingTimeoutMs && !out.needsFullListing.includes('google'))
    out.needsFullListing.push('google');
  out.notes.push({
    kind: 'waiting-for-create',
    side: f.target,
    id: link.id,
    until: pending.since + input.pendingTimeoutMs,
  });
  hold(p, f.source.record?.contact ?? link.base ?? emptyContact());
}

function hold(p: Planning, contact: Contact): void {
  for (const e of emailsOf(contact)) p.held.add(e);
}

export function createAction(link: Link, target: Side, contact: Contact): Action {
  return {
    kind: 'create',
    side: target,
    linkId: link.id,
    id: target === 'crm' ? link.crmId : null,
    contact,
    marker: target === 'google' ? link.crmId : null,
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
