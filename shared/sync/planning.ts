// What the planner carries from one pair to the next, named: the plan so far, which records are
// taken, which links are retired or restarted, and which emails wait for a create in doubt.
import type { Side } from './model.js';
import { SIDES } from './model.js';
import type { SideView } from './observe.js';
import { LinkIndex, sideId, viewOf } from './observe.js';
import type { Presence } from './pair.js';
import { settlePair } from './pair.js';
import type { Link, Plan, PlanInput, SideRecord } from './types.js';

export class Planning {
  readonly views: Record<Side, SideView>;
  readonly index: LinkIndex;
  readonly out: Plan = {
    actions: [],
    links: [],
    retire: [],
    notes: [],
    needsFullListing: [],
    refused: null,
    ahead: [],
  };
  /** Links already decided in this run. */
  readonly handled = new Set<string>();
  /** Records a decided pair holds: never paired again in this run. */
  readonly claimed: Record<Side, Set<string>> = { crm: new Set(), google: new Set() };
  readonly retired = new Set<string>();
  /** Survivors of a deleted partner, still in their group: they leave it unless a newcomer pairs with them. */
  readonly orphans: { side: Side; id: string; linkId: string }[] = [];
  /** Emails of creates in doubt or refused: a newcomer with one of them waits. */
  readonly held = new Set<string>();
  /** A pending create that never happened, by its source record: the link id its next link reuses. */
  readonly restarted = new Map<string, string>();

  constructor(readonly input: PlanInput) {
    this.views = { crm: viewOf(input.crm), google: viewOf(input.google) };
    this.index = new LinkIndex(input.links);
  }

  /** A fresh link id, or the one of the stale pending link this record's new link replaces. */
  linkIdFor(record: SideRecord): string {
    const reuse = this.restarted.get(record.id);
    if (reuse === undefined) return this.input.newId();
    this.out.retire = this.out.retire.filter((id) => id !== reuse);
    return reuse;
  }

  retire(linkId: string): void {
    this.out.retire.push(linkId);
    this.retired.add(linkId);
  }

  presence(link: Link, side: Side): Presence {
    const id = sideId(link, side);
    const view = this.views[side];
    const wasIn = link.inGroup[side];
    // Out of its group by our own hand (a run stopped after taking it out): not its user's departure.
    const left = wasIn && !link.leaving.includes(side);
    if (id === null) return { exists: false, inGroup: false, record: null, departed: false };
    const record = view.records.get(id);
    if (record?.inGroup) return { exists: true, inGroup: true, record, departed: false };
    if (view.unchanged.has(id)) return { exists: true, inGroup: true, record: null, departed: false };
    const gone = view.departures.get(id);
    if (gone) return { exists: !gone.deleted, inGroup: false, record: record ?? null, departed: left };
    if (view.missing.has(id)) return { exists: false, inGroup: false, record: null, departed: wasIn };
    if (view.complete && wasIn) return { exists: true, inGroup: false, record: null, departed: left };
    return { exists: true, inGroup: wasIn, record: null, departed: false };
  }

  /** A record that no link holds (or only one retired in this run), nor a pair decided in it. */
  free(side: Side, id: string): boolean {
    if (this.claimed[side].has(id)) return false;
    const l = this.index.find(side, id);
    return l === undefined || this.retired.has(l.id);
  }

  /** Decide a pair. `stored` is the link as committed, when the planner starts from a changed copy of it. */
  settle(link: Link, pres: Record<Side, Presence>, stored: Link = link): void {
    this.handled.add(link.id);
    for (const s of SIDES) {
      const id = sideId(link, s);
      if (id !== null) this.claimed[s].add(id);
    }
    const next = settlePair(link, pres, this.input, this.out);
    if (next !== null) {
      if (next !== link || stored !== link) this.out.links.push(next);
      return;
    }
    this.retire(link.id);
    for (const s of SIDES) {
      const id = sideId(link, s);
      if (id === null || !pres[s].exists) continue;
      // The survivor is free to pair again; back in its group while its partner is gone, it starts afresh.
      this.claimed[s].delete(id);
      if (!pres[s].inGroup) continue;
      // One whose counterpart was deleted leaves its group, unless a newcomer of this run pairs with it
      // (the user replaced the deleted contact by a new one).
      if (link.inGroup[s] && !this.input.restoreDepartures)
        this.orphans.push({ side: s, id, linkId: link.id });
    }
  }
}
