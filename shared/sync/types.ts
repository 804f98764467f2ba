// What the engine reads (links and each side's observations) and what it returns (a plan).
import type { Contact, Field, Side } from './model.js';
import type { ConflictPolicy } from './merge.js';

/** A record as a side reports it, already mapped to the canonical contact and normalised. */
export interface SideRecord {
  id: string;
  /** Opaque concurrency token: Google etag, Creatio ModifiedOn. */
  version: string;
  /** When the record last changed on its side, ms since epoch. */
  modifiedAt: number;
  contact: Contact;
  inGroup: boolean;
  /** The CRM id we stamped on a Google contact we created (clientData), if any. */
  marker?: string;
  /**
   * Side-private data the canonical model does not carry (say, a Google name's honorific prefix),
   * kept with the link so that an update can preserve it without reading the record again.
   */
  extra?: string;
}

/** A record that left the group, or was deleted (then `deleted`). */
export interface Departure {
  id: string;
  deleted: boolean;
}

export interface Observed {
  /** Changed records (or every member, when `complete`), plus any the runner fetched. */
  records: SideRecord[];
  departures: Departure[];
  /** Ids the runner asked for that no longer exist on the side. */
  missing: string[];
  /** True when `records` (with `unchanged`) lists every member of the group, so silence means absence. */
  complete: boolean;
  /** Members a full listing found at the version their link already holds: present, nothing to read. */
  unchanged?: string[];
  /** Members of the group right now, when the side knows it. */
  memberCount: number | null;
}

export type LinkStatus = 'active' | 'pending' | 'dormant';

/**
 * One synced pair. `base` is the last value both sides agreed on: the base of the three-way merge
 * and the reference that turns our own echoed writes into no-ops.
 */
export interface Link {
  id: string;
  crmId: string | null;
  googleId: string | null;
  /**
   * active: both records exist and are in their groups. dormant: both out of their groups, kept so
   * that a return pairs with the same counterpart. pending: a create on `pending.side` was decided and
   * may or may not have happened; it is reconciled, never blindly repeated.
   */
  status: LinkStatus;
  /**
   * `refused`: when the side first refused the create because it was full (a Google account holds
   * 25,000 contacts). Nothing was written, so the create is retried, never looked for.
   */
  pending: { side: Side; since: number; refused?: number } | null;
  inGroup: Record<Side, boolean>;
  versions: Record<Side, string | null>;
  extras: Record<Side, string | null>;
  base: Contact | null;
  syncedAt: number;
  /** A write for this pair failed; the next run re-reads both records and plans again. */
  attention: boolean;
  /**
   * Sides whose record a run was taking out of its group when it saved this link ahead of the write:
   * found outside its group, such a record left by our hand, not its user's.
   */
  leaving: Side[];
}

export interface GuardSettings {
  /** Refuse when a run would remove more than this share of a group... */
  maxRemovalShare: number;
  /** ...and at least this many records. */
  minRemovals: number;
}

export const DEFAULT_GUARD: GuardSettings = { maxRemovalShare: 0.5, minRemovals: 10 };

export interface PlanInput {
  /** Every link touching an observed id, every link needing attention; all links when a side is complete. */
  links: Link[];
  crm: Observed;
  google: Observed;
  /** Out-of-group records on each side that may match an unlinked newcomer (by marker or email). */
  candidates: Record<Side, SideRecord[]>;
  policy: ConflictPolicy;
  now: number;
  /** Linked pairs before this run: the base for the mass-removal guard. */
  activeLinks: number;
  guard: GuardSettings;
  /** How long a Google create may stay unconfirmed before a full listing settles it. */
  pendingTimeoutMs: number;
  allowLargeRemoval: boolean;
  /** Fresh GUIDs: link ids, and the preassigned ids of CRM creates (Creatio keys are GUIDs). */
  newId: () => string;
  /**
   * Pairs a person chose to resolve an ambiguous match; linked when both records are at hand (in
   * the views or the candidates) and neither is paired yet.
   */
  chosen?: { crmId: string; googleId: string }[];
  /**
   * A person rejected the removals the guard held back: records that left a group are put back in
   * it instead of their partners being taken out of theirs.
   */
  restoreDepartures?: boolean;
}

export type Action =
  | {
      kind: 'create';
      side: Side;
      linkId: string;
      /** Preassigned on the CRM side (Creatio accepts a client Id), so a retry cannot duplicate. */
      id: string | null;
      contact: Contact;
      /** The CRM id, stamped on Google contacts we create. */
      marker: string | null;
    }
  | {
      kind: 'update';
      side: Side;
      linkId: string;
      id: string;
      version: string | null;
      extra: string | null;
      fields: Field[];
      contact: Contact;
      /** What the side holds now: what it keeps should the update fail. */
      held: Contact;
    }
  | { kind: 'addToGroup'; side: Side; linkId: string; id: string }
  | { kind: 'removeFromGroup'; side: Side; linkId: string; id: string };

export type ActionKind = Action['kind'];

export type NoteKind =
  | 'ambiguous-match'
  | 'duplicate-marker'
  | 'conflict'
  | 'waiting-for-create'
  | 'write-failed'
  | 'held-removal'
  | 'side-full';

/** Who a record is, for the person asked about it (personal data: stored for its owner, never logged). */
export interface Brief {
  name: string;
  emails: string[];
}

/** A field both sides changed, and which side's value the conflict policy kept. */
export interface ConflictDecision {
  field: Field;
  crm: string;
  google: string;
  winner: Side;
}

export interface Note {
  kind: NoteKind;
  side: Side;
  id: string;
  fields?: Field[];
  /** waiting-for-create: when a full listing settles it if nothing finds the record sooner (ms). */
  until?: number;
  /** The record, for a person (ambiguous matches, conflicts, refused writes). */
  brief?: Brief;
  /** An ambiguous match: every record of the cluster, on both sides. */
  cluster?: { side: Side; id: string; brief: Brief }[];
  /** A conflict: the Google record of the pair, and each field's decision. */
  partner?: string;
  decisions?: ConflictDecision[];
  /** A refused write: the kind of error and the side's own words. */
  reason?: string;
}

export interface Plan {
  actions: Action[];
  /** The state of every touched link once its actions succeed. */
  links: Link[];
  /** Links to delete once the plan is applied (a side's record was deleted). */
  retire: string[];
  notes: Note[];
  /** Sides to list in full before planning again (an unconfirmed create outlived the timeout). */
  needsFullListing: Side[];
  refused: string | null;
  /**
   * Links saved before any write of the run: how a pair must be found should the run stop between its
   * writes (a crash, the deadline), where the stored link would mislead the next run. A merge a
   * modification time decided: our own writes move those times. A removal from a group: a record we
   * took out must not look like one its user took out.
   */
  ahead: Link[];
}
