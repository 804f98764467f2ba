// Ports: what the sync use case needs from the outside world, named for the need, not the technology.
// Adapters (shared/adapters/*) implement them; tests use in-memory fakes of these same interfaces.
import type { Contact, Field, Link, LookupKeys, Side, SideRecord, Departure } from './sync/index.js';

export interface Clock {
  now(): number;
}

export interface SideChanges {
  /** Changed records, or every member when `complete`; in-group flag set on each. */
  records: SideRecord[];
  departures: Departure[];
  complete: boolean;
  memberCount: number | null;
  /**
   * The group's full member id list, for a side that learns membership only by listing it (Creatio
   * keeps no tombstones). The runner diffs it against the last committed list.
   */
  members: string[] | null;
  /** Where the next read starts; stored only after this run's writes are committed. */
  cursor: string;
}

export interface CreateItem {
  /** The link id: the runner's key for the result. */
  key: string;
  /** A preassigned id (CRM), so that a repeated create is recognised instead of duplicated. */
  id: string | null;
  contact: Contact;
  /** The CRM id to stamp on a Google contact. */
  marker: string | null;
}

export interface UpdateItem {
  id: string;
  /** The version the record had when last seen; null when unknown (the side must read it). */
  version: string | null;
  /** The side-private data last seen with the record (SideRecord.extra). */
  extra: string | null;
  /** Only these fields are written; the side must not touch any other. */
  fields: Field[];
  contact: Contact;
}

export type ItemErrorKind = 'stale' | 'not-found' | 'validation' | 'failed';

export type ItemResult<T> =
  { ok: true; value: T } | { ok: false; error: { kind: ItemErrorKind; message: string } };

/** Results keyed by CreateItem.key, or by record id for the other writes. */
export type ItemResults<T> = Map<string, ItemResult<T>>;

export interface Written {
  id: string;
  version: string | null;
  /** Side-private data after the write, to keep with the link. */
  extra?: string | null;
}

/**
 * One side of the sync, for one connection: the Google account's sync group, or the CRM static group.
 * Whole-call failures throw SyncError (shared/errors.ts); per-record failures come back as results.
 */
export interface ContactSide {
  readonly side: Side;
  /** Largest number of items one call of each write should carry (the runner commits between calls). */
  readonly limits: { create: number; update: number; membership: number };
  /** Changes since `cursor`; a null cursor or `full` lists the whole group. */
  readChanges(cursor: string | null, options: { full: boolean }): Promise<SideChanges>;
  /** Current state of known records, in or out of the group; ids that no longer exist come back missing. */
  fetch(ids: string[]): Promise<{ records: SideRecord[]; missing: string[] }>;
  /** Records anywhere on the side that carry one of the ids, markers or emails. */
  lookup(keys: LookupKeys): Promise<SideRecord[]>;
  /** Create records, each already in the group. */
  create(items: CreateItem[]): Promise<ItemResults<Written>>;
  update(items: UpdateItem[]): Promise<ItemResults<Written>>;
  addToGroup(ids: string[]): Promise<ItemResults<null>>;
  removeFromGroup(ids: string[]): Promise<ItemResults<null>>;
  /** The cursor to store after this run's writes (a side may remember its own writes to skip their echo). */
  settleCursor(cursor: string): string;
}

export interface Checkpoint {
  cursors: Record<Side, string | null>;
  /** Hash of the last committed member list of sides that report one. */
  membersHash: Record<Side, string | null>;
  /** Pairs in sync after the last run: the base of the mass-removal guard. */
  activeLinks: number;
  /**
   * Set before a run first writes links, cleared with the next checkpoint. When a run died in between,
   * the member lists and the pair count may lag the links, so the next run derives them from the links.
   */
  dirty: boolean;
}

/** Per-connection sync state: links, cursors and the committed member lists. */
export interface SyncStateStore {
  loadCheckpoint(): Promise<Checkpoint>;
  saveCheckpoint(checkpoint: Checkpoint): Promise<void>;
  linksFor(side: Side, ids: string[]): Promise<Link[]>;
  /** Links with an unconfirmed create or a failed write. */
  attentionLinks(): Promise<Link[]>;
  allLinks(): Promise<Link[]>;
  saveLinks(links: Link[], retire: string[]): Promise<void>;
  loadMembers(side: Side): Promise<string[] | null>;
  saveMembers(side: Side, ids: string[]): Promise<void>;
}
