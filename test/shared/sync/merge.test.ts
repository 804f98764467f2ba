// The merge rules as a table: one row per case of rule 5 (per-field three-way merge, conflict policy,
// lists as sets, an empty value never wiping the other side at a first pairing). Each row names the
// base, what each side holds and when it changed, and the value both sides must end with.
import assert from 'node:assert/strict';
import type { ConflictPolicy, Contact } from '../../../shared/sync/index.js';
import { baseAfterFailure, conflictWinner, emptyContact, mergeContacts } from '../../../shared/sync/index.js';

const c = (patch: Partial<Contact>): Contact => ({ ...emptyContact(), givenName: 'Ann', ...patch });
const phones = (...numbers: string[]) => numbers.map((number) => ({ number, type: 'mobile' as const }));
const addr = (street: string) => ({
  type: 'work' as const,
  street,
  city: 'Town',
  region: '',
  postalCode: '1000',
  country: 'NL',
});
const emails = (...addresses: string[]) => addresses.map((address) => ({ address, type: 'work' as const }));

interface Row {
  rule: string;
  policy: ConflictPolicy;
  base: Contact | null;
  crm: [Contact, number];
  google: [Contact, number];
  want: Partial<Contact>;
  conflicts?: string[];
}

const rows: Row[] = [
  {
    rule: 'a list emptied on one side while the other edits it: the removals stand, no conflict to report',
    policy: 'newest-wins',
    base: c({ emails: emails('a@x.io') }),
    crm: [c({ emails: [] }), 1000],
    google: [c({ emails: emails('a@x.io', 'b@x.io') }), 2000],
    want: { emails: emails('b@x.io') },
    conflicts: [],
  },
  {
    rule: 'a list edited on one side while the other empties it: the same, whichever side empties',
    policy: 'newest-wins',
    base: c({ phones: phones('+1 1') }),
    crm: [c({ phones: phones('+1 1', '+1 2') }), 2000],
    google: [c({ phones: [] }), 1000],
    want: { phones: phones('+1 2') },
    conflicts: [],
  },
  {
    rule: 'newest-wins: a later CRM edit beats an older Google edit of the same field',
    policy: 'newest-wins',
    base: c({ jobTitle: 'Base' }),
    crm: [c({ jobTitle: 'CRM' }), 2000],
    google: [c({ jobTitle: 'Google' }), 1000],
    want: { jobTitle: 'CRM' },
    conflicts: ['jobTitle'],
  },
  {
    rule: 'newest-wins: a later Google edit beats an older CRM edit',
    policy: 'newest-wins',
    base: c({ jobTitle: 'Base' }),
    crm: [c({ jobTitle: 'CRM' }), 1000],
    google: [c({ jobTitle: 'Google' }), 2000],
    want: { jobTitle: 'Google' },
    conflicts: ['jobTitle'],
  },
  {
    rule: 'newest-wins: a tie goes to the CRM, the system of record',
    policy: 'newest-wins',
    base: c({ jobTitle: 'Base' }),
    crm: [c({ jobTitle: 'CRM' }), 1000],
    google: [c({ jobTitle: 'Google' }), 1000],
    want: { jobTitle: 'CRM' },
  },
  {
    rule: 'crm-wins: the CRM wins a conflict however old its edit',
    policy: 'crm-wins',
    base: c({ notes: 'Base' }),
    crm: [c({ notes: 'CRM' }), 1],
    google: [c({ notes: 'Google' }), 9000],
    want: { notes: 'CRM' },
  },
  {
    rule: 'google-wins: Google wins a conflict however old its edit',
    policy: 'google-wins',
    base: c({ notes: 'Base' }),
    crm: [c({ notes: 'CRM' }), 9000],
    google: [c({ notes: 'Google' }), 1],
    want: { notes: 'Google' },
  },
  {
    rule: 'different fields edited on each side both survive, whatever the policy',
    policy: 'crm-wins',
    base: c({ jobTitle: 'Base', company: 'Base Co' }),
    crm: [c({ jobTitle: 'CRM', company: 'Base Co' }), 2000],
    google: [c({ jobTitle: 'Base', company: 'Google Co' }), 1000],
    want: { jobTitle: 'CRM', company: 'Google Co' },
    conflicts: [],
  },
  {
    rule: 'an edit on one side only arrives even when the other side is newer',
    policy: 'newest-wins',
    base: c({ department: 'Base' }),
    crm: [c({ department: 'Base' }), 9000],
    google: [c({ department: 'Sales' }), 1],
    want: { department: 'Sales' },
  },
  {
    rule: 'a value the user cleared on one side is cleared on the other',
    policy: 'newest-wins',
    base: c({ company: 'Acme' }),
    crm: [c({ company: 'Acme' }), 9000],
    google: [c({ company: '' }), 1],
    want: { company: '' },
  },
  {
    rule: 'first pairing: a newer empty Google value never wipes the CRM value',
    policy: 'newest-wins',
    base: null,
    crm: [c({ jobTitle: 'Engineer' }), 1000],
    google: [c({ jobTitle: '' }), 9000],
    want: { jobTitle: 'Engineer' },
    conflicts: [],
  },
  {
    rule: 'first pairing: a newer empty CRM value never wipes the Google value',
    policy: 'crm-wins',
    base: null,
    crm: [c({ birthday: '' }), 9000],
    google: [c({ birthday: '1970-01-02' }), 1000],
    want: { birthday: '1970-01-02' },
    conflicts: [],
  },
  {
    rule: 'first pairing: both set and different, the policy decides',
    policy: 'newest-wins',
    base: null,
    crm: [c({ familyName: 'Old' }), 1000],
    google: [c({ familyName: 'New' }), 2000],
    want: { familyName: 'New' },
    conflicts: ['familyName'],
  },
  {
    rule: 'lists: an item added on each side survives both edits',
    policy: 'newest-wins',
    base: c({ phones: phones('+1 555 0001') }),
    crm: [c({ phones: phones('+1 555 0001', '+1 555 0002') }), 2000],
    google: [c({ phones: phones('+1 555 0001', '+1 555 0003') }), 1000],
    want: { phones: phones('+1 555 0001', '+1 555 0002', '+1 555 0003') },
    conflicts: ['phones'],
  },
  {
    rule: 'lists: an item removed on the losing side stays removed although the winner edited the list',
    policy: 'newest-wins',
    base: c({ emails: emails('a@x.org', 'b@x.org') }),
    crm: [c({ emails: emails('a@x.org', 'b@x.org', 'c@x.org') }), 2000],
    google: [c({ emails: emails('a@x.org') }), 1000],
    want: { emails: emails('a@x.org', 'c@x.org') },
  },
  {
    rule: 'lists: an item removed on the winning side stays removed although the loser edited the list',
    policy: 'google-wins',
    base: c({ emails: emails('a@x.org', 'b@x.org') }),
    crm: [c({ emails: emails('a@x.org', 'b@x.org', 'c@x.org') }), 2000],
    google: [c({ emails: emails('b@x.org') }), 1000],
    want: { emails: emails('b@x.org', 'c@x.org') },
  },
  {
    rule: 'lists at a first pairing: the union, the winner first',
    policy: 'google-wins',
    base: null,
    crm: [c({ phones: phones('+1 555 0001') }), 1000],
    google: [c({ phones: phones('+1 555 0009') }), 1000],
    want: { phones: phones('+1 555 0009', '+1 555 0001') },
    conflicts: [],
  },
  {
    rule: 'a value cleared on the newer side wins over an edit on the older side',
    policy: 'newest-wins',
    base: c({ jobTitle: 'Base' }),
    crm: [c({ jobTitle: '' }), 2000],
    google: [c({ jobTitle: 'Google' }), 1000],
    want: { jobTitle: '' },
    conflicts: [],
  },
  {
    rule: 'lists: addresses merge as sets by their parts, a removed one stays removed',
    policy: 'crm-wins',
    base: c({ addresses: [addr('1 Old St'), addr('2 Gone Rd')] }),
    crm: [c({ addresses: [addr('1 Old St'), addr('2 Gone Rd'), addr('3 New Ave')] }), 1000],
    google: [c({ addresses: [addr('1 old st'), addr('4 Other Pl')] }), 2000],
    want: { addresses: [addr('1 Old St'), addr('3 New Ave'), addr('4 Other Pl')] },
    conflicts: ['addresses'],
  },
  {
    rule: 'lists: a list emptied on one side only is emptied on the other',
    policy: 'crm-wins',
    base: c({ phones: phones('+1 555 0001') }),
    crm: [c({ phones: phones('+1 555 0001') }), 1000],
    google: [c({ phones: [] }), 1000],
    want: { phones: [] },
  },
];

describe('merge: the per-field rules of rule 5, as a table', () => {
  for (const row of rows)
    it(row.rule, () => {
      const { merged, conflicts } = mergeContacts(
        row.base,
        { contact: row.crm[0], modifiedAt: row.crm[1] },
        { contact: row.google[0], modifiedAt: row.google[1] },
        row.policy,
      );
      for (const [f, v] of Object.entries(row.want)) assert.deepEqual(merged[f as keyof Contact], v, f);
      if (row.conflicts) assert.deepEqual(conflicts, row.conflicts);
    });

  it('the winner of a conflict, per policy and time', () => {
    const at = (t: number) => ({ contact: emptyContact(), modifiedAt: t });
    const table: [ConflictPolicy, number, number, 'crm' | 'google'][] = [
      ['newest-wins', 1, 2, 'google'],
      ['newest-wins', 2, 1, 'crm'],
      ['newest-wins', 1, 1, 'crm'],
      ['crm-wins', 1, 2, 'crm'],
      ['google-wins', 2, 1, 'google'],
    ];
    for (const [policy, crm, google, want] of table)
      assert.equal(conflictWinner(policy, at(crm), at(google)), want, `${policy} ${crm}/${google}`);
  });
});

// After a run whose updates of a pair partly failed, the kept base must make the next merge decide as
// this one did, whichever record our successful writes (a group add, the other side's update) re-dated.
describe('merge: the base a pair keeps when an update failed (table)', () => {
  const rows: {
    name: string;
    before: Contact | null;
    merged: Contact;
    crm: Contact;
    google: Contact;
    want: Partial<Contact>;
    /** The next merge still sees both sides changed: the conflict (a list's union) is reported again. */
    conflict?: boolean;
  }[] = [
    {
      name: 'first pairing, the Google update failed: the base holds what Google still holds',
      before: null,
      merged: c({ familyName: 'Initial' }),
      crm: c({ familyName: 'Initial' }),
      google: c({ familyName: 'Second' }),
      want: { familyName: 'Second' },
    },
    {
      name: 'first pairing, the CRM update failed on an empty field: the base holds the empty value',
      before: null,
      merged: c({ jobTitle: 'Lead' }),
      crm: c({ jobTitle: '' }),
      google: c({ jobTitle: 'Lead' }),
      want: { jobTitle: '' },
    },
    {
      name: "a list one side failed to take: the base holds that side's list",
      before: c({ emails: emails('a@x.io') }),
      merged: c({ emails: emails('b@x.io', 'c@x.io') }),
      crm: c({ emails: emails('b@x.io', 'c@x.io') }),
      google: c({ emails: emails('a@x.io', 'c@x.io') }),
      want: { emails: emails('a@x.io', 'c@x.io') },
    },
    {
      name: 'a list both sides failed to take: merged again from the base it had',
      conflict: true,
      before: c({ emails: emails('a@x.io') }),
      merged: c({ emails: emails('b@x.io', 'c@x.io') }),
      crm: c({ emails: emails('b@x.io') }),
      google: c({ emails: emails('a@x.io', 'c@x.io') }),
      want: { emails: emails('a@x.io') },
    },
    {
      name: 'a list both sides failed to take at a first pairing: no base, every item kept',
      conflict: true,
      before: null,
      merged: c({ emails: emails('b@x.io', 'c@x.io') }),
      crm: c({ emails: emails('b@x.io') }),
      google: c({ emails: emails('c@x.io') }),
      want: { emails: [] },
    },
    {
      name: 'fields both sides hold as merged: the merged value',
      before: c({ company: 'Old' }),
      merged: c({ company: 'New', jobTitle: 'Lead' }),
      crm: c({ company: 'New', jobTitle: 'Lead' }),
      google: c({ company: 'New', jobTitle: 'Lead' }),
      want: { company: 'New', jobTitle: 'Lead' },
    },
  ];
  const keys = (x: Contact) => JSON.stringify({ ...x, emails: x.emails.map((e) => e.address).sort() });
  for (const row of rows)
    it(row.name, () => {
      const base = baseAfterFailure(row.merged, row.before, { crm: row.crm, google: row.google });
      for (const [f, v] of Object.entries(row.want)) assert.deepEqual(base[f as keyof Contact], v, f);
      for (const [tc, tg] of [
        [1, 2],
        [2, 1],
      ])
        for (const policy of ['newest-wins', 'crm-wins', 'google-wins'] as const) {
          const again = mergeContacts(
            base,
            { contact: row.crm, modifiedAt: tc! },
            { contact: row.google, modifiedAt: tg! },
            policy,
          );
          assert.equal(keys(again.merged), keys(row.merged), `${policy} ${tc}/${tg}`);
          // Only a list both sides still disagree on is the conflict it was.
          assert.deepEqual(again.conflicts, row.conflict ? ['emails'] : [], 'conflicts');
        }
    });
});
