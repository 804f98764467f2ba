// Benchmark data: fictional people on example.com. Shared people have the same name, email, phone and
// title on both sides, as a CRM export imported into Google would.
import type { BenchWorld } from './world.js';

const GROUP = "bpm'online";

export interface Seeded {
  account?: string;
  ids: string[];
  folderId: string;
}

export function seedGoogle(w: BenchWorld, account: string, count: number, shared: number): Seeded {
  const group = w.google.user.createGroup(account, GROUP).resourceName as string;
  const memberships = [group, 'contactGroups/myContacts'].map((g) => ({
    contactGroupMembership: { contactGroupResourceName: g },
  }));
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const own = i >= shared;
    const p = w.google.user.createContact(account, {
      names: [{ givenName: own ? `G${i}` : `C${i}`, familyName: 'Person' }],
      emailAddresses: [{ value: own ? `g${i}@example.com` : `c${i}@example.com`, type: 'work' }],
      phoneNumbers: [{ value: `+1 555 ${String(i).padStart(7, '0')}`, type: 'mobile' }],
      organizations: [{ title: 'Engineer' }],
      memberships,
    });
    ids.push(p.resourceName as string);
  }
  return { account, ids, folderId: '' };
}

/** Contacts in My Contacts only: they fill the account without being synced. */
export function seedOutsideGroup(w: BenchWorld, account: string, count: number): void {
  const memberships = [{ contactGroupMembership: { contactGroupResourceName: 'contactGroups/myContacts' } }];
  for (let i = 0; i < count; i++)
    w.google.user.createContact(account, {
      names: [{ givenName: `O${i}`, familyName: 'Outside' }],
      emailAddresses: [{ value: `o${i}@example.com`, type: 'work' }],
      memberships,
    });
}

export function seedCreatio(w: BenchWorld, label: string, count: number): Seeded {
  const ui = w.creatio.ui;
  const folderId = ui.createFolder({ name: `Sync ${label}` }).Id as string;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const row = ui.createContact({
      GivenName: `C${i}`,
      Surname: 'Person',
      JobTitle: 'Engineer',
      communications: [
        { type: 'Email', number: `c${i}@example.com`, externalType: 'work' },
        { type: 'MobilePhone', number: `+1 555 ${String(i).padStart(7, '0')}` },
      ],
    });
    ui.addToFolder(folderId, row.Id as string);
    ids.push(row.Id as string);
  }
  return { ids, folderId };
}

/** Users edit job titles of the first n contacts they own (not shared ones) in the Google UI. */
export function editGoogle(w: BenchWorld, s: Seeded, n: number): void {
  for (const id of s.ids.slice(-n))
    w.google.user.updateContact(s.account!, id, { organizations: [{ title: 'Lead engineer' }] });
}

export function editCreatio(w: BenchWorld, s: Seeded, n: number): void {
  for (const id of s.ids.slice(-n)) w.creatio.ui.updateContact(id, { JobTitle: 'Principal engineer' });
}
