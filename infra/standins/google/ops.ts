// Mutations shared by the HTTP handlers and the in-process "user edits in the Contacts UI" API,
// so both rotate etags, stamp updateTime and enter the change log in exactly the same way.
import { ApiError, failedPrecondition, invalidArgument, notFound } from './errors.js';
import type { PersonInput } from './person.js';
import type { Account, FieldItem, StoredGroup, StoredPerson } from './store.js';
import { ADDABLE_SYSTEM_GROUPS, MY_CONTACTS, newPersonEtag, newSourceEtag, sourceIdFor } from './store.js';

export const STALE_ETAG =
  'Request person.etag is different than the current person.etag. Clear local cache and get the latest person.';
export const MISSING_ETAG =
  'Request must set person.etag or person.metadata.sources.etag for the source that is being updated.';

function requireGroup(acc: Account, rn: string): StoredGroup {
  const g = acc.groups.get(rn);
  if (!g) throw invalidArgument(`Contact group "${rn}" does not exist.`);
  return g;
}

function checkAddable(g: StoredGroup): void {
  if (g.groupType === 'SYSTEM_CONTACT_GROUP' && !ADDABLE_SYSTEM_GROUPS.has(g.resourceName)) {
    throw invalidArgument(`Cannot add contacts to system contact group "${g.resourceName}".`);
  }
}

/** Validates a complete new membership list against the current one; returns it unchanged. */
function validateMemberships(acc: Account, current: Set<string>, next: string[]): string[] {
  for (const rn of next) {
    const g = requireGroup(acc, rn);
    if (!current.has(rn)) checkAddable(g);
  }
  return next;
}

/** Applies a membership set, keeping each group's member set in step. Returns touched groups. */
function applyMemberships(acc: Account, p: StoredPerson, next: string[]): StoredGroup[] {
  const touched: StoredGroup[] = [];
  const nextSet = new Set(next);
  for (const rn of p.memberships) {
    if (nextSet.has(rn)) continue;
    const g = acc.groups.get(rn);
    if (g) {
      g.members.delete(p.resourceName);
      touched.push(g);
    }
  }
  for (const rn of next) {
    if (p.memberships.has(rn)) continue;
    const g = acc.groups.get(rn);
    if (g) {
      g.members.add(p.resourceName);
      touched.push(g);
    }
  }
  p.memberships = nextSet;
  return touched;
}

/** Validation only, so batch calls can fail atomically before anything is written. */
export function checkCreate(acc: Account, input: PersonInput): void {
  if (input.memberships !== undefined) validateMemberships(acc, new Set(), input.memberships);
}

export function createPerson(acc: Account, input: PersonInput, now: number): StoredPerson {
  checkCreate(acc, input);
  const resourceName = acc.newPersonResourceName();
  const p: StoredPerson = {
    resourceName,
    sourceId: sourceIdFor(resourceName),
    etag: newPersonEtag(),
    sourceEtag: newSourceEtag(),
    updateTime: now,
    seq: 0,
    fields: new Map<string, FieldItem[]>(),
    memberships: new Set(),
  };
  for (const [field, items] of input.fields) if (items.length > 0) p.fields.set(field, items);
  acc.people.set(resourceName, p);
  // Assumption (reference §6 says unknown): a contact created without memberships joins myContacts.
  const groups = input.memberships && input.memberships.length > 0 ? input.memberships : [MY_CONTACTS];
  const touched = applyMemberships(acc, p, groups);
  acc.touchPerson(p, now);
  for (const g of touched) acc.touchGroup(g, now);
  return p;
}

export function getContact(acc: Account, rn: string): StoredPerson {
  const p = acc.people.get(rn);
  if (!p) throw notFound();
  return p;
}

/** Etag rules of reference §6/§8: either the top-level or the CONTACT source etag is accepted. */
export function checkEtag(p: StoredPerson, input: PersonInput): void {
  if (input.etag === undefined && input.sourceEtags.length === 0) throw invalidArgument(MISSING_ETAG);
  const ok = input.etag === p.etag || input.sourceEtags.includes(p.sourceEtag);
  if (!ok) throw failedPrecondition(STALE_ETAG);
}

export function checkUpdate(
  acc: Account,
  p: StoredPerson,
  input: PersonInput,
  mask: readonly string[],
): void {
  if (mask.includes('memberships')) {
    const next = input.memberships ?? [];
    if (next.length === 0) {
      throw invalidArgument('Contact person must have at least one contact group membership.');
    }
    validateMemberships(acc, p.memberships, next);
  }
}

/** Every masked field is replaced wholesale; a masked field absent from the body is cleared. */
export function updatePerson(
  acc: Account,
  p: StoredPerson,
  input: PersonInput,
  mask: readonly string[],
  now: number,
): StoredPerson {
  checkUpdate(acc, p, input, mask);
  let touched: StoredGroup[] = [];
  for (const field of mask) {
    if (field === 'memberships') {
      touched = applyMemberships(acc, p, input.memberships ?? []);
      continue;
    }
    const items = input.fields.get(field) ?? [];
    if (items.length > 0) p.fields.set(field, items);
    else p.fields.delete(field);
  }
  acc.touchPerson(p, now);
  for (const g of touched) acc.touchGroup(g, now);
  return p;
}

export function deletePerson(acc: Account, p: StoredPerson, now: number): void {
  const touched = applyMemberships(acc, p, []);
  acc.buryPerson(p, now);
  for (const g of touched) acc.touchGroup(g, now);
}

export interface ModifyResult {
  notFoundResourceNames: string[];
  canNotRemoveLastContactGroupResourceNames: string[];
}

export function modifyMembers(
  acc: Account,
  g: StoredGroup,
  add: readonly string[],
  remove: readonly string[],
  now: number,
): ModifyResult {
  const result: ModifyResult = { notFoundResourceNames: [], canNotRemoveLastContactGroupResourceNames: [] };
  if (add.length > 0) checkAddable(g);
  const changed = new Set<StoredPerson>();
  for (const rn of add) {
    const p = acc.people.get(rn);
    if (!p) {
      if (!result.notFoundResourceNames.includes(rn)) result.notFoundResourceNames.push(rn);
      continue;
    }
    if (p.memberships.has(g.resourceName)) continue;
    p.memberships.add(g.resourceName);
    g.members.add(rn);
    changed.add(p);
  }
  for (const rn of remove) {
    const p = acc.people.get(rn);
    if (!p) {
      if (!result.notFoundResourceNames.includes(rn)) result.notFoundResourceNames.push(rn);
      continue;
    }
    if (!p.memberships.has(g.resourceName)) continue;
    if (p.memberships.size === 1) {
      result.canNotRemoveLastContactGroupResourceNames.push(rn);
      continue;
    }
    p.memberships.delete(g.resourceName);
    g.members.delete(rn);
    changed.add(p);
  }
  // A membership change is a mutation of the person: new etag, new updateTime, shows in sync.
  for (const p of changed) acc.touchPerson(p, now);
  if (changed.size > 0) acc.touchGroup(g, now);
  return result;
}

export function getGroup(acc: Account, rn: string): StoredGroup {
  const g = acc.groups.get(rn);
  if (!g) throw notFound();
  return g;
}

function groupNameTaken(acc: Account, name: string, except?: string): boolean {
  for (const g of acc.groups.values()) {
    if (g.resourceName !== except && g.groupType === 'USER_CONTACT_GROUP' && g.name === name) return true;
  }
  return false;
}

function checkGroupName(acc: Account, name: unknown, except?: string): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw invalidArgument('Contact group name must not be empty.');
  // Reference §7: names are unique per user; status string unknown, ALREADY_EXISTS assumed.
  if (groupNameTaken(acc, name, except)) {
    throw new ApiError(409, 'ALREADY_EXISTS', 'Contact group name already exists.');
  }
  return name;
}

export function createGroup(acc: Account, name: unknown, clientData: FieldItem[], now: number): StoredGroup {
  const checked = checkGroupName(acc, name);
  const g: StoredGroup = {
    resourceName: acc.newGroupResourceName(),
    name: checked,
    formattedName: checked,
    groupType: 'USER_CONTACT_GROUP',
    clientData,
    etag: '',
    updateTime: now,
    seq: 0,
    members: new Set(),
  };
  acc.groups.set(g.resourceName, g);
  acc.touchGroup(g, now);
  return g;
}

export function updateGroup(
  acc: Account,
  g: StoredGroup,
  patch: { name?: unknown; clientData?: FieldItem[] },
  mask: readonly string[],
  now: number,
): StoredGroup {
  if (g.groupType === 'SYSTEM_CONTACT_GROUP') {
    throw invalidArgument(`System contact group "${g.resourceName}" cannot be modified.`);
  }
  const name = mask.includes('name') ? checkGroupName(acc, patch.name, g.resourceName) : undefined;
  if (name !== undefined) {
    g.name = name;
    g.formattedName = name;
  }
  if (mask.includes('clientData')) g.clientData = patch.clientData ?? [];
  acc.touchGroup(g, now);
  return g;
}

export function deleteGroup(acc: Account, g: StoredGroup, deleteContacts: boolean, now: number): void {
  if (g.groupType === 'SYSTEM_CONTACT_GROUP') {
    throw invalidArgument(`System contact group "${g.resourceName}" cannot be deleted.`);
  }
  const members = [...g.members];
  acc.buryGroup(g, now);
  for (const rn of members) {
    const p = acc.people.get(rn);
    if (!p) continue;
    if (deleteContacts) {
      deletePerson(acc, p, now);
    } else {
      p.memberships.delete(g.resourceName);
      acc.touchPerson(p, now);
    }
  }
}
