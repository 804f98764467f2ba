// Per-field three-way merge against the last synced value (the base). Only a field that really changed
// on one side moves; when both sides changed one field, the conflict policy picks the winner. Lists
// (emails, phones, addresses) merge as sets, so an address added on each side survives both edits.
import type { Address, Contact, Email, Field, ListField, Phone, Side, TextField } from './model.js';
import { FIELDS, SIDES, emptyContact, isListField } from './model.js';
import { addressKey, fieldEquals, fieldSignature, phoneKey } from './normalize.js';

export type ConflictPolicy = 'newest-wins' | 'crm-wins' | 'google-wins';
export const CONFLICT_POLICIES: readonly ConflictPolicy[] = ['newest-wins', 'crm-wins', 'google-wins'];

export interface SideVersion {
  /** The side's current value (its last observed value when it reported no change). */
  contact: Contact;
  /** When the side last changed the record, in ms; decides newest-wins. */
  modifiedAt: number;
}

export interface MergeResult {
  merged: Contact;
  /** Fields both sides changed to different values; the policy decided them. */
  conflicts: Field[];
  /** The side whose value wins a conflict. */
  winner: Side;
}

/** Who wins a conflict. A tie goes to the CRM, the system of record. */
export function conflictWinner(policy: ConflictPolicy, crm: SideVersion, google: SideVersion): Side {
  if (policy === 'crm-wins') return 'crm';
  if (policy === 'google-wins') return 'google';
  return google.modifiedAt > crm.modifiedAt ? 'google' : 'crm';
}

type Item = Email | Phone | Address;
const itemKey: Record<ListField, (item: Item) => string> = {
  emails: (e) => (e as Email).address,
  phones: (p) => phoneKey((p as Phone).number),
  addresses: (a) => addressKey(a as Address),
};

function mergeList(f: ListField, base: Contact | null, win: Contact, lose: Contact): Item[] {
  const key = itemKey[f];
  const winItems = win[f] as Item[];
  const loseItems = lose[f] as Item[];
  const baseKeys = new Set((base?.[f] as Item[] | undefined)?.map(key) ?? []);
  const winKeys = new Set(winItems.map(key));
  const loseKeys = new Set(loseItems.map(key));
  // A key one side removed since the base stays removed: a deletion is an edit too.
  const removed = (k: string) => baseKeys.has(k) && (!winKeys.has(k) || !loseKeys.has(k));
  const out: Item[] = [];
  const taken = new Set<string>();
  for (const item of [...winItems, ...loseItems]) {
    const k = key(item);
    if (taken.has(k) || removed(k)) continue;
    taken.add(k);
    out.push(item);
  }
  return out;
}

function pickText(f: TextField, base: Contact | null, crm: SideVersion, google: SideVersion, winner: Side) {
  const c = crm.contact[f];
  const g = google.contact[f];
  if (base === null) {
    // First pairing: an empty value never wipes the other side's data.
    if (c === '') return g;
    if (g === '') return c;
  }
  return winner === 'crm' ? c : g;
}

export function mergeContacts(
  base: Contact | null,
  crm: SideVersion,
  google: SideVersion,
  policy: ConflictPolicy,
): MergeResult {
  const merged = { ...crm.contact } as Contact;
  const conflicts: Field[] = [];
  const winner = conflictWinner(policy, crm, google);
  for (const f of FIELDS) {
    if (fieldEquals(crm.contact, google.contact, f)) continue;
    const crmChanged = base === null || !fieldEquals(base, crm.contact, f);
    const googleChanged = base === null || !fieldEquals(base, google.contact, f);
    if (!googleChanged) continue; // merged already holds the CRM value
    if (!crmChanged) {
      assign(merged, f, google.contact);
      continue;
    }
    if (isListField(f)) {
      const [win, lose] = winner === 'crm' ? [crm.contact, google.contact] : [google.contact, crm.contact];
      (merged as unknown as Record<ListField, Item[]>)[f] = mergeList(f, base, win, lose);
      if (base !== null && fieldSignature(crm.contact, f) !== '' && fieldSignature(google.contact, f) !== '')
        conflicts.push(f);
      continue;
    }
    const value = pickText(f, base, crm, google, winner);
    (merged as unknown as Record<TextField, string>)[f] = value;
    if (crm.contact[f] !== '' && google.contact[f] !== '') conflicts.push(f);
  }
  return { merged, conflicts, winner };
}

function assign(target: Contact, f: Field, from: Contact): void {
  (target as unknown as Record<Field, unknown>)[f] = from[f];
}

/** The fields where `current` differs from `wanted`: what a side must be told. */
export const changedFields = (current: Contact, wanted: Contact): Field[] =>
  FIELDS.filter((f) => !fieldEquals(current, wanted, f));

/**
 * The base a pair keeps when some of the updates planned for it failed, so that the next merge lands
 * where this one meant to whatever our successful writes did to the records' modification times (a
 * group add re-dates a record without changing its data). Per field: what both sides hold, when they
 * agree; else what the side whose update failed still holds, so that only the other side looks changed
 * and its value, the one this merge chose, wins again. A list neither side took is merged again from the
 * base it had (none: every item is kept).
 */
export function baseAfterFailure(
  merged: Contact,
  before: Contact | null,
  held: Record<Side, Contact>,
): Contact {
  const out = { ...merged };
  for (const f of FIELDS) {
    const behind = SIDES.filter((s) => !fieldEquals(held[s], merged, f));
    if (behind.length === 1) assign(out, f, held[behind[0]!]);
    else if (behind.length === 2) assign(out, f, before ?? emptyContact());
  }
  return out;
}
