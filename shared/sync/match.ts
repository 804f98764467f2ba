// Pairing newcomers (records in a group with no link yet) with a record on the other side: first by
// the CRM id marker we stamp on Google contacts, then by a normalised email that identifies exactly
// one record each way. Anything ambiguous is reported and left alone: a wrong pair or a duplicate is
// worse than a record that waits for the user.
import type { Side } from './model.js';
import { SIDES, otherSide } from './model.js';
import { emailsOf } from './normalize.js';
import { briefOf } from './brief.js';
import type { SideView } from './observe.js';
import type { Link, Note, SideRecord } from './types.js';

export interface MatchInput {
  views: Record<Side, SideView>;
  candidates: Record<Side, SideRecord[]>;
  isLinked: (side: Side, id: string) => boolean;
  /** The link that already owns a CRM id, if any. */
  markerOwner: (crmId: string) => Link | undefined;
  /** Records that may be paired with a newcomer but are not newcomers themselves (never created). */
  notNewcomer: (side: Side, id: string) => boolean;
  /** Emails of records whose create is in doubt: newcomers carrying one wait. */
  held: Set<string>;
}

export interface MatchResult {
  pairs: { crm: SideRecord; google: SideRecord }[];
  /** Newcomers with no counterpart: to be created on the other side. */
  unpaired: SideRecord[];
  notes: Note[];
  sideOf: (r: SideRecord) => Side;
}

const byId = (a: SideRecord, b: SideRecord) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function pairNewcomers(input: MatchInput): MatchResult {
  const sideOfRecord = new Map<SideRecord, Side>();
  const newcomers = {} as Record<Side, SideRecord[]>;
  const pool = {} as Record<Side, Map<string, SideRecord>>;
  for (const s of SIDES) {
    newcomers[s] = [...input.views[s].records.values()]
      .filter((r) => r.inGroup && !input.isLinked(s, r.id) && !input.notNewcomer(s, r.id))
      .sort(byId);
    pool[s] = new Map();
    for (const r of input.candidates[s]) if (!input.isLinked(s, r.id)) pool[s].set(r.id, r);
    for (const r of input.views[s].records.values()) if (input.notNewcomer(s, r.id)) pool[s].set(r.id, r);
    for (const r of newcomers[s]) pool[s].set(r.id, r);
    for (const r of pool[s].values()) sideOfRecord.set(r, s);
  }
  const isNewcomer = (s: Side, r: SideRecord) =>
    r.inGroup &&
    input.views[s].records.get(r.id) === r &&
    !input.isLinked(s, r.id) &&
    !input.notNewcomer(s, r.id);
  const consumed: Record<Side, Set<string>> = { crm: new Set(), google: new Set() };
  const pairs: MatchResult['pairs'] = [];
  const notes: Note[] = [];
  const pair = (crm: SideRecord, google: SideRecord) => {
    pairs.push({ crm, google });
    consumed.crm.add(crm.id);
    consumed.google.add(google.id);
  };

  for (const g of [...pool.google.values()].sort(byId)) {
    if (!g.marker || consumed.google.has(g.id)) continue;
    if (input.markerOwner(g.marker)) {
      // Our marker on a second Google contact: a duplicate of a pair we already keep. Never import it.
      if (isNewcomer('google', g)) {
        notes.push({ kind: 'duplicate-marker', side: 'google', id: g.id });
        consumed.google.add(g.id);
      }
      continue;
    }
    const c = pool.crm.get(g.marker);
    if (c && !consumed.crm.has(c.id) && (isNewcomer('crm', c) || isNewcomer('google', g))) pair(c, g);
  }

  const emailIndex = {} as Record<Side, Map<string, SideRecord[]>>;
  for (const s of SIDES) {
    emailIndex[s] = new Map();
    for (const r of pool[s].values())
      for (const e of emailsOf(r.contact)) emailIndex[s].set(e, [...(emailIndex[s].get(e) ?? []), r]);
  }
  const sharing = (s: Side, r: SideRecord): SideRecord[] => {
    const found = new Map<string, SideRecord>();
    for (const e of emailsOf(r.contact))
      for (const o of emailIndex[s].get(e) ?? []) if (!consumed[s].has(o.id)) found.set(o.id, o);
    const all = [...found.values()];
    // Several records share the email but only one is in its group: that one is meant.
    const inGroup = all.filter((o) => o.inGroup);
    return all.length > 1 && inGroup.length === 1 ? inGroup : all;
  };

  for (const s of SIDES) {
    const o = otherSide(s);
    for (const r of newcomers[s]) {
      if (consumed[s].has(r.id)) continue;
      if (emailsOf(r.contact).some((e) => input.held.has(e))) {
        notes.push({ kind: 'waiting-for-create', side: s, id: r.id });
        consumed[s].add(r.id);
        continue;
      }
      const there = sharing(o, r);
      if (there.length === 0) continue;
      const back = there.length === 1 ? sharing(s, there[0]!) : [];
      if (there.length === 1 && back.length === 1 && back[0] === r) {
        const counterpart = there[0]!;
        if (s === 'crm') pair(r, counterpart);
        else pair(counterpart, r);
        continue;
      }
      // Ambiguous: leave the whole cluster alone rather than guess, or create a copy of any of it.
      const members = [...new Set([r, ...there, ...back])];
      const cluster = members.map((x) => ({
        side: sideOfRecord.get(x)!,
        id: x.id,
        brief: briefOf(x.contact),
      }));
      for (const x of members) {
        const xs = sideOfRecord.get(x)!;
        if (!consumed[xs].has(x.id) && isNewcomer(xs, x))
          notes.push({ kind: 'ambiguous-match', side: xs, id: x.id, brief: briefOf(x.contact), cluster });
        consumed[xs].add(x.id);
      }
    }
  }

  const unpaired = SIDES.flatMap((s) => newcomers[s].filter((r) => !consumed[s].has(r.id)));
  return { pairs, unpaired, notes, sideOf: (r) => sideOfRecord.get(r)! };
}
