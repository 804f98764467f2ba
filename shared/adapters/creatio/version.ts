// A CRM record's version: the Contact's ModifiedOn, whether the contact has rows whose deletion leaves
// no trace in ModifiedOn (a non-primary communication row, any address: reference §6.2 and the
// stand-in's README), and a digest of the names of the Account and Department it points at (a rename
// does not touch the contact). A full read finds a member unchanged from its expanded Contact alone
// when ModifiedOn and the names match and it has no such rows; otherwise it reads the member's rows.
import { createHash } from 'node:crypto';
import { cleanText } from '../../sync/index.js';

export interface VersionParts {
  /** ModifiedOn, ms. */
  at: number;
  rows: boolean;
  names: string;
}

export const namesDigest = (account: string, department: string): string =>
  createHash('sha256')
    .update(`${cleanText(account).toLowerCase()}\u0000${cleanText(department).toLowerCase()}`)
    .digest('base64url')
    .slice(0, 8);

export function crmVersion(
  modifiedOn: string | number,
  rows: boolean,
  account: string,
  department: string,
): string {
  const at = typeof modifiedOn === 'number' ? modifiedOn : Date.parse(modifiedOn);
  return `${new Date(at).toISOString()}|${rows ? 'r' : 'f'}${namesDigest(account, department)}`;
}

/** Our own string back from storage: anything else (an older form) is null, "read it". */
export function parseVersion(v: string | null | undefined): VersionParts | null {
  const m = /^(\d{4}-\d\d-\d\dT[^|]+)\|([rf])([A-Za-z0-9_-]{8})$/.exec(v ?? '');
  if (!m) return null;
  const at = Date.parse(m[1]!);
  return Number.isNaN(at) ? null : { at, rows: m[2] === 'r', names: m[3]! };
}

/** Whether a contact's rows include one whose deletion would not touch the contact. */
export function hasUntracedRows(
  communications: readonly { CommunicationTypeId: string | null }[],
  addresses: number,
): boolean {
  if (addresses > 0) return true;
  const seen = new Set<string | null>();
  for (const r of communications) {
    if (seen.has(r.CommunicationTypeId)) return true;
    seen.add(r.CommunicationTypeId);
  }
  return false;
}
