// Indexes what each side reported, and derives what the runner must fetch or look up before planning,
// so that the planner itself never needs I/O.
import type { Side } from './model.js';
import { SIDES, emptyContact } from './model.js';
import { emailsOf } from './normalize.js';
import type { Departure, Link, Observed, SideRecord } from './types.js';

export interface SideView {
  /** Records this run saw, in or out of their group, by id. */
  records: Map<string, SideRecord>;
  /** Out-of-group or deleted, by id. */
  departures: Map<string, Departure>;
  /** In the group at the version the link holds. */
  unchanged: Set<string>;
  missing: Set<string>;
  complete: boolean;
  memberCount: number | null;
}

export function viewOf(o: Observed): SideView {
  const records = new Map<string, SideRecord>();
  const departures = new Map<string, Departure>();
  for (const d of o.departures) departures.set(d.id, d);
  for (const r of o.records) {
    records.set(r.id, r);
    // A record reported outside the group is a departure, whichever way the adapter phrased it.
    if (r.inGroup) departures.delete(r.id);
    else if (!departures.has(r.id)) departures.set(r.id, { id: r.id, deleted: false });
  }
  return {
    records,
    departures,
    unchanged: new Set(o.unchanged ?? []),
    missing: new Set(o.missing),
    complete: o.complete,
    memberCount: o.memberCount,
  };
}

export const sideId = (link: Pick<Link, 'crmId' | 'googleId'>, side: Side): string | null =>
  side === 'crm' ? link.crmId : link.googleId;

export class LinkIndex {
  readonly byId = new Map<string, Link>();
  private readonly bySide: Record<Side, Map<string, Link>> = { crm: new Map(), google: new Map() };

  constructor(links: Iterable<Link>) {
    for (const l of links) {
      this.byId.set(l.id, l);
      for (const s of SIDES) {
        const id = sideId(l, s);
        if (id !== null) this.bySide[s].set(id, l);
      }
    }
  }

  find(side: Side, id: string): Link | undefined {
    return this.bySide[side].get(id);
  }
}

/** Every id on either side that this run heard about. */
export function observedIds(o: Observed): string[] {
  return [...o.records.map((r) => r.id), ...o.departures.map((d) => d.id), ...(o.unchanged ?? [])];
}

/**
 * Records the planner needs but no side reported: both records of a link that needs attention, the
 * CRM record of a pending CRM create (its id is ours, so we can ask), and the counterpart of a
 * dormant pair one of whose records came back into its group.
 */
export function fetchNeeds(links: Link[], crm: Observed, google: Observed): Record<Side, string[]> {
  const views = { crm: viewOf(crm), google: viewOf(google) };
  const need: Record<Side, Set<string>> = { crm: new Set(), google: new Set() };
  const ask = (side: Side, id: string | null) => {
    const v = views[side];
    if (id !== null && !v.records.has(id) && !v.departures.has(id) && !v.unchanged.has(id))
      need[side].add(id);
  };
  for (const l of links) {
    if (l.attention) SIDES.forEach((s) => ask(s, sideId(l, s)));
    // A refused create wrote nothing, and its source's changes and departures come with the side's
    // own read: reading it again every run would cost as much as the refusal saves.
    if (l.status === 'pending' && l.pending && l.pending.refused === undefined) {
      // Both ends of a create in doubt: the target to see whether it happened, the source to start over.
      ask('crm', l.crmId);
      if (l.pending.side === 'crm') ask('google', l.googleId);
    }
    if (l.status === 'dormant') {
      for (const s of SIDES) {
        const id = sideId(l, s);
        const other: Side = s === 'crm' ? 'google' : 'crm';
        if (id !== null && views[s].records.get(id)?.inGroup) ask(other, sideId(l, other));
      }
    }
  }
  return { crm: [...need.crm], google: [...need.google] };
}

export interface LookupKeys {
  /** Ids to read directly (CRM ids carried as markers by Google newcomers). */
  ids: string[];
  /** Markers to look for (CRM ids of CRM newcomers, stamped on Google contacts we created). */
  markers: string[];
  emails: string[];
  /**
   * Of `emails`, those of our own creates in doubt: they may be on the side though no read has shown
   * them yet, so a side that rules emails out by what it has seen must still look for these.
   */
  inDoubt: string[];
}

/** What to look up on each side to pair the other side's unlinked newcomers. */
export function lookupKeys(links: Link[], crm: Observed, google: Observed): Record<Side, LookupKeys> {
  const index = new LinkIndex(links);
  type Keys = { ids: Set<string>; markers: Set<string>; emails: Set<string>; inDoubt: Set<string> };
  const keys: Record<Side, Keys> = {
    crm: { ids: new Set(), markers: new Set(), emails: new Set(), inDoubt: new Set() },
    google: { ids: new Set(), markers: new Set(), emails: new Set(), inDoubt: new Set() },
  };
  for (const l of links) {
    // An unconfirmed Google create is found again by the marker it carries; Google cannot search
    // markers, so its emails are searched too and the marker then tells ours from a namesake.
    // A refused create wrote nothing: nothing to find.
    if (l.status === 'pending' && l.pending?.side === 'google' && l.crmId !== null && !l.pending.refused) {
      keys.google.markers.add(l.crmId);
      for (const e of emailsOf(l.base ?? emptyContact())) {
        keys.google.emails.add(e);
        keys.google.inDoubt.add(e);
      }
    }
  }
  // The source of a create in doubt may have to be paired afresh, so it is looked up like a newcomer.
  const unpaired = (side: Side, id: string) => {
    const l = index.find(side, id);
    return (
      l === undefined ||
      (l.status === 'pending' && l.pending?.side !== side && l.pending?.refused === undefined)
    );
  };
  for (const r of crm.records) {
    if (!r.inGroup || !unpaired('crm', r.id)) continue;
    keys.google.markers.add(r.id);
    emailsOf(r.contact).forEach((e) => keys.google.emails.add(e));
  }
  for (const r of google.records) {
    if (!r.inGroup || !unpaired('google', r.id)) continue;
    if (r.marker) keys.crm.ids.add(r.marker);
    emailsOf(r.contact).forEach((e) => keys.crm.emails.add(e));
  }
  const out = (k: Keys): LookupKeys => ({
    ids: [...k.ids],
    markers: [...k.markers],
    emails: [...k.emails],
    inDoubt: [...k.inDoubt],
  });
  return { crm: out(keys.crm), google: out(keys.google) };
}
