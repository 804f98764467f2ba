// In-memory state per Google account. Every mutation takes the next value of a per-account change
// sequence; sync tokens are positions in that sequence, so "changed since token" is `seq > pos`.
import { createHash, randomBytes, randomInt } from 'node:crypto';

export type FieldItem = Record<string, unknown>;

export interface StoredPerson {
  resourceName: string;
  /** Hex id used in `metadata.sources[].id` and field metadata, as Google does. */
  sourceId: string;
  etag: string;
  sourceEtag: string;
  updateTime: number;
  seq: number;
  fields: Map<string, FieldItem[]>;
  /** Group resource names, in the order they were added. */
  memberships: Set<string>;
}

export interface PersonTombstone {
  resourceName: string;
  sourceId: string;
  etag: string;
  sourceEtag: string;
  updateTime: number;
  seq: number;
}

export type GroupType = 'USER_CONTACT_GROUP' | 'SYSTEM_CONTACT_GROUP';

export interface StoredGroup {
  resourceName: string;
  name: string;
  formattedName: string;
  groupType: GroupType;
  clientData: FieldItem[];
  etag: string;
  updateTime: number;
  seq: number;
  members: Set<string>;
}

export interface GroupTombstone {
  resourceName: string;
  etag: string;
  updateTime: number;
  seq: number;
}

/** Reference §7 lists these system groups as seen in list output. */
const SYSTEM_GROUPS: [string, string][] = [
  ['myContacts', 'My Contacts'],
  ['starred', 'Starred'],
  ['friends', 'Friends'],
];
/** Reference §7: the only system groups that accept additions. */
export const ADDABLE_SYSTEM_GROUPS = new Set(['contactGroups/myContacts', 'contactGroups/starred']);
export const MY_CONTACTS = 'contactGroups/myContacts';

export const newPersonEtag = (): string => `%EgUBAgkLLhoEAQIFByIM${randomBytes(9).toString('base64')}`;
export const newSourceEtag = (): string => `#${randomBytes(8).toString('base64')}`;
export const newGroupEtag = (): string => randomBytes(8).toString('base64');

/** Stable 21-digit numeric id, like a Google account id (`sub`), derived from the email. */
export function profileIdFor(email: string): string {
  const digest = createHash('sha256').update(email).digest();
  let digits = '1';
  for (let i = 0; digits.length < 21 && i < digest.length; i++) digits += String(digest[i]! % 10);
  return digits;
}

export class Account {
  readonly people = new Map<string, StoredPerson>();
  readonly personTombstones = new Map<string, PersonTombstone>();
  /** Resource name → seq, re-inserted on every change so iteration order is ascending seq. */
  readonly personChanges = new Map<string, number>();
  readonly groups = new Map<string, StoredGroup>();
  readonly groupTombstones = new Map<string, GroupTombstone>();
  readonly groupChanges = new Map<string, number>();
  readonly profileId: string;
  readonly profileEtag = newPersonEtag();
  /** Overrides the stand-in's `maxContacts` for this account (tests, benchmarks). */
  contactLimit: number | null = null;
  seq = 0;
  /** seqTimes[s - 1] = clock time of change s; non-decreasing while the clock is monotonic. */
  private readonly seqTimes: number[] = [];

  constructor(
    readonly email: string,
    now: number,
  ) {
    this.profileId = profileIdFor(email);
    for (const [id, formatted] of SYSTEM_GROUPS) {
      const rn = `contactGroups/${id}`;
      this.groups.set(rn, {
        resourceName: rn,
        name: id,
        formattedName: formatted,
        groupType: 'SYSTEM_CONTACT_GROUP',
        clientData: [],
        etag: newGroupEtag(),
        updateTime: now,
        seq: 0,
        members: new Set(),
      });
    }
  }

  private nextSeq(now: number): number {
    this.seq += 1;
    this.seqTimes.push(now);
    return this.seq;
  }

  touchPerson(p: StoredPerson, now: number): void {
    p.seq = this.nextSeq(now);
    p.etag = newPersonEtag();
    p.sourceEtag = newSourceEtag();
    p.updateTime = now;
    this.personChanges.delete(p.resourceName);
    this.personChanges.set(p.resourceName, p.seq);
  }

  touchGroup(g: StoredGroup, now: number): void {
    g.seq = this.nextSeq(now);
    g.etag = newGroupEtag();
    g.updateTime = now;
    this.groupChanges.delete(g.resourceName);
    this.groupChanges.set(g.resourceName, g.seq);
  }

  /** Removes a person and leaves the tombstone that sync requests report. */
  buryPerson(p: StoredPerson, now: number): void {
    this.people.delete(p.resourceName);
    const seq = this.nextSeq(now);
    this.personTombstones.set(p.resourceName, {
      resourceName: p.resourceName,
      sourceId: p.sourceId,
      etag: newPersonEtag(),
      sourceEtag: newSourceEtag(),
      updateTime: now,
      seq,
    });
    this.personChanges.delete(p.resourceName);
    this.personChanges.set(p.resourceName, seq);
  }

  buryGroup(g: StoredGroup, now: number): void {
    this.groups.delete(g.resourceName);
    const seq = this.nextSeq(now);
    this.groupTombstones.set(g.resourceName, {
      resourceName: g.resourceName,
      etag: newGroupEtag(),
      updateTime: now,
      seq,
    });
    this.groupChanges.delete(g.resourceName);
    this.groupChanges.set(g.resourceName, seq);
  }

  /** Highest seq whose change is at least `delayMs` old: the newest position sync may report. */
  visibleSeq(now: number, delayMs: number): number {
    if (delayMs <= 0) return this.seq;
    const cutoff = now - delayMs;
    let lo = 0;
    let hi = this.seqTimes.length; // invariant: answer (count of old-enough changes) in [lo, hi]
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.seqTimes[mid - 1]! <= cutoff) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  newPersonResourceName(): string {
    // `people/c` + 19 digits = 27 characters, the documented maximum (reference §5).
    for (let attempt = 0; attempt < 100; attempt++) {
      const digits = `${randomInt(1, 10)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e9)).padStart(9, '0')}`;
      const rn = `people/c${digits}`;
      if (!this.people.has(rn) && !this.personTombstones.has(rn)) return rn;
    }
    throw new Error('could not allocate a person id');
  }

  newGroupResourceName(): string {
    for (let attempt = 0; attempt < 100; attempt++) {
      const rn = `contactGroups/${randomBytes(8).toString('hex')}`;
      if (!this.groups.has(rn) && !this.groupTombstones.has(rn)) return rn;
    }
    throw new Error('could not allocate a group id');
  }
}

export class Store {
  private readonly accounts = new Map<string, Account>();

  /** Accounts are keyed by email (case-insensitive) and created on first use. */
  account(email: string, now: number): Account {
    const key = email.trim().toLowerCase();
    let acc = this.accounts.get(key);
    if (!acc) {
      acc = new Account(key, now);
      this.accounts.set(key, acc);
    }
    return acc;
  }
}

export const sourceIdFor = (resourceName: string): string =>
  BigInt(resourceName.replace(/^people\/c/, '')).toString(16);
