// The planner's decision table, one row per real-world case: given the stored links and what each side
// reported, the exact actions, the links as they will be saved, the retired links and the notes.
// Expected values are written out by hand from the rules, never computed by the engine.
import assert from 'node:assert/strict';
import type {
  Action,
  Contact,
  Link,
  Observed,
  Plan,
  PlanInput,
  SideRecord,
} from '../../../shared/sync/index.js';
import { DEFAULT_GUARD, confirmCreate, emptyContact, plan } from '../../../shared/sync/index.js';

const NOW = 1_000_000;
const person = (given: string, patch: Partial<Contact> = {}): Contact => ({
  ...emptyContact(),
  givenName: given,
  emails: [{ address: `${given.toLowerCase()}@x.io`, type: 'work' }],
  ...patch,
});
const ada = person('Ada');

const rec = (id: string, contact: Contact, patch: Partial<SideRecord> = {}): SideRecord => ({
  id,
  version: `${id}v2`,
  modifiedAt: NOW - 100,
  contact,
  inGroup: true,
  ...patch,
});

const link = (patch: Partial<Link> = {}): Link => ({
  id: 'L1',
  crmId: 'c1',
  googleId: 'g1',
  status: 'active',
  pending: null,
  inGroup: { crm: true, google: true },
  versions: { crm: 'c1v1', google: 'g1v1' },
  extras: { crm: null, google: null },
  base: ada,
  syncedAt: NOW - 1000,
  attention: false,
  leaving: [],
  ...patch,
});

const seen = (patch: Partial<Observed> = {}): Observed => ({
  records: [],
  departures: [],
  missing: [],
  complete: false,
  memberCount: null,
  ...patch,
});

const action = (a: Action): string => {
  switch (a.kind) {
    case 'create':
      return `create ${a.side} ${a.linkId} id=${a.id} marker=${a.marker} ${a.contact.givenName}`;
    case 'update':
      return `update ${a.side} ${a.id} ${a.fields.join(',')} v=${a.version} x=${a.extra} ${a.contact.givenName}/${a.contact.jobTitle}`;
    default:
      return `${a.kind} ${a.side} ${a.id} (${a.linkId})`;
  }
};

interface Row {
  name: string;
  links?: Link[];
  crm?: Observed;
  google?: Observed;
  candidates?: Partial<PlanInput['candidates']>;
  input?: Partial<PlanInput>;
  actions: string[];
  /** Each saved link, by the fields given (the others are not judged). */
  saved?: Partial<Link>[];
  retire?: string[];
  notes?: string[];
  needsFullListing?: Plan['needsFullListing'];
  /** Each link saved ahead of the writes, by the fields given; none when absent. */
  ahead?: Partial<Link>[];
}

const rows: Row[] = [
  // ---- known pairs (pair.ts) ----
  {
    name: 'an echo of our own write: nothing to do, nothing to save',
    links: [link()],
    crm: seen({ records: [rec('c1', ada)] }),
    actions: [],
    saved: [],
  },
  {
    name: 'changed in the CRM: Google is updated with that field, the link takes the new base and versions',
    links: [link({ extras: { crm: 'cx', google: 'gx' } })],
    crm: seen({ records: [rec('c1', { ...ada, jobTitle: 'Lead' }, { extra: 'cx2' })] }),
    actions: ['update google g1 jobTitle v=g1v1 x=gx Ada/Lead'],
    saved: [
      {
        id: 'L1',
        status: 'active',
        versions: { crm: 'c1v2', google: 'g1v1' },
        extras: { crm: 'cx2', google: 'gx' },
        base: { ...ada, jobTitle: 'Lead' },
        syncedAt: NOW,
        attention: false,
        leaving: [],
      },
    ],
  },
  {
    name: 'changed in Google: the CRM is updated, with the version and extra the link holds for it',
    links: [link({ extras: { crm: 'cx', google: null } })],
    google: seen({ records: [rec('g1', { ...ada, notes: 'met' }, { extra: 'gx' })] }),
    actions: ['update crm c1 notes v=c1v1 x=cx Ada/'],
    saved: [
      { versions: { crm: 'c1v1', google: 'g1v2' }, extras: { crm: 'cx', google: 'gx' }, syncedAt: NOW },
    ],
  },
  {
    name: 'changed on both, different fields: each side gets the other one',
    links: [link()],
    crm: seen({ records: [rec('c1', { ...ada, jobTitle: 'Lead' })] }),
    google: seen({ records: [rec('g1', { ...ada, company: 'Acme' })] }),
    actions: [
      'update crm c1 company v=c1v2 x=null Ada/Lead',
      'update google g1 jobTitle v=g1v2 x=null Ada/Lead',
    ],
    saved: [{ base: { ...ada, jobTitle: 'Lead', company: 'Acme' } }],
  },
  {
    name: 'changed on both, one field: the newer side wins and the conflict is noted',
    links: [link()],
    crm: seen({ records: [rec('c1', { ...ada, jobTitle: 'Old' }, { modifiedAt: NOW - 500 })] }),
    google: seen({ records: [rec('g1', { ...ada, jobTitle: 'New' }, { modifiedAt: NOW - 100 })] }),
    actions: ['update crm c1 jobTitle v=c1v2 x=null Ada/New'],
    notes: ['conflict:crm:c1'],
    // A time decided it: saved first as it stands should the CRM update fail, the CRM's value as base.
    ahead: [
      {
        base: { ...ada, jobTitle: 'Old' },
        versions: { crm: null, google: null },
        inGroup: { crm: true, google: true },
        attention: true,
        leaving: [],
      },
    ],
  },
  {
    name: 'changed on both under crm-wins: no time decided it, nothing is saved ahead',
    links: [link()],
    crm: seen({ records: [rec('c1', { ...ada, jobTitle: 'Old' }, { modifiedAt: NOW - 500 })] }),
    google: seen({ records: [rec('g1', { ...ada, jobTitle: 'New' }, { modifiedAt: NOW - 100 })] }),
    input: { policy: 'crm-wins' },
    actions: ['update google g1 jobTitle v=g1v2 x=null Ada/Old'],
  },
  {
    name: 'a list changed on both: united whatever the times, nothing is saved ahead',
    links: [link()],
    crm: seen({
      records: [
        rec('c1', { ...ada, phones: [{ number: '+1 555 0001', type: 'work' }] }, { modifiedAt: NOW - 500 }),
      ],
    }),
    google: seen({
      records: [
        rec('g1', { ...ada, phones: [{ number: '+1 555 0002', type: 'work' }] }, { modifiedAt: NOW - 100 }),
      ],
    }),
    actions: ['update crm c1 phones v=c1v2 x=null Ada/', 'update google g1 phones v=g1v2 x=null Ada/'],
  },
  {
    name: 'a pair saved ahead with a removal in flight, found in both groups: saved again without it',
    links: [link({ leaving: ['google'] })],
    crm: seen({ records: [rec('c1', ada)] }),
    google: seen({ records: [rec('g1', ada)] }),
    actions: [],
    saved: [{ leaving: [], status: 'active' }],
  },
  {
    name: 'a pair stored with its CRM record outside its group, found in it: saved in both groups',
    links: [link({ inGroup: { crm: false, google: true } })],
    crm: seen({ records: [rec('c1', ada)] }),
    actions: [],
    saved: [{ inGroup: { crm: true, google: true } }],
  },
  {
    name: 'a pair whose records are both already equal but with no base: saved with its base, nothing written',
    links: [link({ base: null })],
    crm: seen({ records: [rec('c1', ada)] }),
    google: seen({ records: [rec('g1', ada)] }),
    actions: [],
    saved: [{ base: ada, syncedAt: NOW }],
  },
  {
    name: 'a pair needing attention is settled again, and the attention cleared',
    links: [link({ attention: true })],
    crm: seen({ records: [rec('c1', ada)] }),
    google: seen({ records: [rec('g1', ada)] }),
    actions: [],
    saved: [{ attention: false, syncedAt: NOW }],
  },
  {
    name: 'a pair needing attention that no side reported is looked at anyway, from what the link holds',
    links: [link({ attention: true })],
    actions: [],
    saved: [{ attention: false, syncedAt: NOW }],
  },
  {
    name: 'left the CRM group: the Google partner leaves its group, the pair sleeps',
    links: [link()],
    crm: seen({ records: [rec('c1', ada, { inGroup: false })] }),
    actions: ['removeFromGroup google g1 (L1)'],
    saved: [{ status: 'dormant', inGroup: { crm: false, google: false }, syncedAt: NOW }],
    // Saved ahead as the stored pair with the removal in flight: not a departure should it happen unsaved.
    ahead: [{ status: 'active', inGroup: { crm: true, google: true }, leaving: ['google'], attention: true }],
  },
  {
    name: 'left the Google group (a departure): the CRM partner leaves its group',
    links: [link()],
    google: seen({ departures: [{ id: 'g1', deleted: false }] }),
    actions: ['removeFromGroup crm c1 (L1)'],
    saved: [{ status: 'dormant', inGroup: { crm: false, google: false } }],
    ahead: [{ leaving: ['crm'], attention: true }],
  },
  {
    name: 'a full listing that no longer shows a member: it left, its partner leaves too',
    links: [link()],
    google: seen({ complete: true, memberCount: 1, records: [rec('g9', person('Zed'))] }),
    actions: ['removeFromGroup crm c1 (L1)', 'create crm n1 id=n2 marker=null Zed'],
    ahead: [{ leaving: ['crm'] }],
  },
  {
    name: 'a full listing that shows a member unchanged: nothing to do',
    links: [link()],
    google: seen({ complete: true, memberCount: 1, unchanged: ['g1'] }),
    actions: [],
    saved: [],
  },
  {
    name: 'a person rejected the held removals: the one that left goes back into its group',
    links: [link()],
    crm: seen({ records: [rec('c1', ada, { inGroup: false })] }),
    input: { restoreDepartures: true },
    actions: ['addToGroup crm c1 (L1)'],
    // As stored: in both groups once the add succeeds.
    saved: [],
  },
  {
    name: 'a sleeping pair, changed outside its groups: it sleeps on, nothing saved',
    links: [link({ status: 'dormant', inGroup: { crm: false, google: false } })],
    crm: seen({ records: [rec('c1', { ...ada, jobTitle: 'x' }, { inGroup: false })] }),
    actions: [],
    saved: [],
  },
  {
    name: 'a sleeping pair whose CRM record came back: both back in, merged',
    links: [link({ status: 'dormant', inGroup: { crm: false, google: false } })],
    crm: seen({ records: [rec('c1', { ...ada, jobTitle: 'Back' })] }),
    actions: ['addToGroup google g1 (L1)', 'update google g1 jobTitle v=g1v1 x=null Ada/Back'],
    saved: [
      { status: 'active', inGroup: { crm: true, google: true }, versions: { crm: 'c1v2', google: 'g1v1' } },
    ],
  },
  {
    name: 'deleted in Google: the pair ends and the CRM survivor leaves its group',
    links: [link()],
    google: seen({ departures: [{ id: 'g1', deleted: true }] }),
    actions: ['removeFromGroup crm c1 (L1)'],
    retire: ['L1'],
    saved: [],
  },
  {
    name: 'deleted in the CRM (asked for, missing): the pair ends and the Google survivor leaves its group',
    links: [link()],
    crm: seen({ missing: ['c1'] }),
    actions: ['removeFromGroup google g1 (L1)'],
    retire: ['L1'],
  },
  {
    name: 'deleted, while a person rejected the held removals: the pair ends, the survivor stays',
    links: [link()],
    google: seen({ departures: [{ id: 'g1', deleted: true }] }),
    input: { restoreDepartures: true },
    actions: [],
    retire: ['L1'],
  },
  {
    name: 'deleted on one side after leaving on the other: the pair ends, nobody is removed',
    links: [link({ status: 'dormant', inGroup: { crm: false, google: false } })],
    google: seen({ departures: [{ id: 'g1', deleted: true }] }),
    actions: [],
    retire: ['L1'],
  },
  {
    name: 'deleted in Google, replaced by a Google newcomer of the same email: it pairs with the survivor',
    links: [link()],
    google: seen({ departures: [{ id: 'g1', deleted: true }], records: [rec('g2', ada)] }),
    crm: seen({ records: [rec('c1', ada)] }),
    actions: [],
    retire: ['L1'],
    saved: [
      { id: 'n1', crmId: 'c1', googleId: 'g2', status: 'active', inGroup: { crm: true, google: true } },
    ],
  },
  {
    name: 'deleted in Google while the CRM survivor was out of its group: it is free, and no removal',
    links: [link({ inGroup: { crm: false, google: true } })],
    google: seen({ departures: [{ id: 'g1', deleted: true }] }),
    crm: seen({ records: [rec('c1', ada)] }),
    actions: ['create google n1 id=null marker=c1 Ada'],
    retire: ['L1'],
  },
  {
    name: 'deleted in Google while its CRM survivor was edited: the survivor leaves its group, nothing is created',
    links: [link()],
    google: seen({ departures: [{ id: 'g1', deleted: true }] }),
    crm: seen({ records: [rec('c1', { ...ada, jobTitle: 'Edited' })] }),
    actions: ['removeFromGroup crm c1 (L1)'],
    retire: ['L1'],
    saved: [],
  },
  {
    name: 'deleted in Google while its CRM survivor left its group: no removal of what is already out',
    links: [link()],
    google: seen({ departures: [{ id: 'g1', deleted: true }] }),
    crm: seen({ records: [rec('c1', ada, { inGroup: false })] }),
    actions: [],
    retire: ['L1'],
  },
  {
    name: 'both left their groups while a person rejected the held removals: both go back in',
    links: [link()],
    crm: seen({ records: [rec('c1', ada, { inGroup: false })] }),
    google: seen({ departures: [{ id: 'g1', deleted: false }] }),
    input: { restoreDepartures: true },
    actions: ['addToGroup crm c1 (L1)', 'addToGroup google g1 (L1)'],
  },
  {
    name: 'a record put back keeps the edit it had while out of its group',
    links: [link()],
    crm: seen({ records: [rec('c1', { ...ada, jobTitle: 'Out' }, { inGroup: false })] }),
    input: { restoreDepartures: true },
    actions: ['addToGroup crm c1 (L1)', 'update google g1 jobTitle v=g1v1 x=null Ada/Out'],
  },
  {
    name: 'an echo that brings only new CRM side-private data: the link keeps it, nothing is written',
    links: [link({ extras: { crm: 'cx', google: 'gx' } })],
    crm: seen({ records: [rec('c1', ada, { extra: 'cx2' })] }),
    actions: [],
    saved: [{ extras: { crm: 'cx2', google: 'gx' }, syncedAt: NOW }],
  },
  {
    name: 'an echo that brings only new Google side-private data: the link keeps it, nothing is written',
    links: [link({ extras: { crm: 'cx', google: 'gx' } })],
    google: seen({ records: [rec('g1', ada, { extra: 'gx2' })] }),
    actions: [],
    saved: [{ extras: { crm: 'cx', google: 'gx2' }, syncedAt: NOW }],
  },
  {
    name: 'a pair whose Google record is not yet in its group (an add that failed) shows up: added, saved in both groups',
    links: [link({ inGroup: { crm: true, google: false } })],
    google: seen({ records: [rec('g1', ada, { inGroup: false })] }),
    actions: ['addToGroup google g1 (L1)'],
    saved: [{ inGroup: { crm: true, google: true } }],
  },
  {
    name: 'deleted in Google, its CRM survivor leaves; a CRM newcomer of the same run is still created',
    links: [link()],
    google: seen({ departures: [{ id: 'g1', deleted: true }] }),
    crm: seen({ records: [rec('c3', person('Cy'))] }),
    actions: ['removeFromGroup crm c1 (L1)', 'create google n1 id=null marker=c3 Cy'],
    retire: ['L1'],
  },
  {
    name: 'a Google create in doubt, not yet seen: it waits, and so does a newcomer with its email',
    links: [link({ status: 'pending', googleId: null, pending: { side: 'google', since: NOW - 60_000 } })],
    google: seen({ records: [rec('g7', ada)] }),
    actions: [],
    notes: ['waiting-for-create:google:L1', 'waiting-for-create:google:g7'],
    needsFullListing: [],
  },
  {
    name: 'a Google create in doubt past the timeout: a full Google listing settles it (asked once)',
    links: [
      link({ status: 'pending', googleId: null, pending: { side: 'google', since: NOW - 901_000 } }),
      link({
        id: 'L2',
        crmId: 'c2',
        status: 'pending',
        googleId: null,
        pending: { side: 'google', since: 0 },
      }),
    ],
    actions: [],
    notes: ['waiting-for-create:google:L1', 'waiting-for-create:google:L2'],
    needsFullListing: ['google'],
  },
  {
    name: 'a Google create exactly at the timeout still waits',
    links: [link({ status: 'pending', googleId: null, pending: { side: 'google', since: NOW - 900_000 } })],
    actions: [],
    needsFullListing: [],
  },
  {
    name: 'a CRM create in doubt past the timeout: no listing (its id is ours, it is asked for)',
    links: [link({ status: 'pending', pending: { side: 'crm', since: 0 } })],
    actions: [],
    notes: ['waiting-for-create:crm:L1'],
    needsFullListing: [],
  },
  {
    name: 'a Google create found by its marker in the group: the pair is made, no write',
    links: [
      link({
        status: 'pending',
        googleId: null,
        pending: { side: 'google', since: 0 },
        inGroup: { crm: true, google: false },
        versions: { crm: 'c1v1', google: null },
      }),
    ],
    google: seen({ records: [rec('g5', ada, { marker: 'c1' })] }),
    actions: [],
    saved: [
      {
        id: 'L1',
        googleId: 'g5',
        status: 'active',
        pending: null,
        inGroup: { crm: true, google: true },
        // Equal to the base, the pair keeps the versions it had: the next update re-reads the etag.
        versions: { crm: 'c1v1', google: null },
      },
    ],
  },
  {
    // A create puts the record in its group in the same write, so outside it a user took it out.
    name: 'a Google create found by its marker outside the group: a user took it out, so its source leaves too',
    links: [
      link({
        status: 'pending',
        googleId: null,
        pending: { side: 'google', since: 0 },
        inGroup: { crm: true, google: false },
      }),
    ],
    candidates: { google: [rec('g5', ada, { marker: 'c1', inGroup: false })] },
    actions: ['removeFromGroup crm c1 (L1)'],
    saved: [{ googleId: 'g5', status: 'dormant', inGroup: { crm: false, google: false } }],
    ahead: [{ googleId: 'g5', leaving: ['crm'] }],
  },
  {
    name: 'a Google create taken out of its group, with the held removals rejected by a person: it is put back',
    links: [
      link({
        status: 'pending',
        googleId: null,
        pending: { side: 'google', since: 0 },
        inGroup: { crm: true, google: false },
      }),
    ],
    candidates: { google: [rec('g5', ada, { marker: 'c1', inGroup: false })] },
    input: { restoreDepartures: true },
    actions: ['addToGroup google g5 (L1)'],
    saved: [{ googleId: 'g5', status: 'active', inGroup: { crm: true, google: true } }],
  },
  {
    name: 'a Google create found by its marker among several records looked up: that one, with its own data',
    links: [
      link({
        status: 'pending',
        googleId: null,
        pending: { side: 'google', since: 0 },
        inGroup: { crm: true, google: false },
      }),
    ],
    candidates: {
      google: [rec('g4', person('Zed'), { inGroup: false }), rec('g5', ada, { marker: 'c1', inGroup: true })],
    },
    actions: [],
    saved: [{ googleId: 'g5', status: 'active' }],
  },
  {
    name: 'a marked Google contact another link holds is not this create: it still waits',
    links: [
      link({ status: 'pending', googleId: null, pending: { side: 'google', since: 0 } }),
      link({ id: 'L2', crmId: 'c2', googleId: 'g5' }),
    ],
    google: seen({ records: [rec('g5', ada, { marker: 'c1' })] }),
    actions: [],
    notes: ['waiting-for-create:google:L1'],
  },
  {
    name: 'a Google create found by its id: the pair is made; its source left meanwhile, so it leaves again',
    links: [
      link({
        status: 'pending',
        pending: { side: 'google', since: 0 },
        inGroup: { crm: true, google: false },
      }),
    ],
    google: seen({ records: [rec('g1', ada)] }),
    crm: seen({ records: [rec('c1', ada, { inGroup: false })] }),
    actions: ['removeFromGroup google g1 (L1)'],
    saved: [{ status: 'dormant' }],
    ahead: [{ status: 'active', pending: null, inGroup: { crm: true, google: true }, leaving: ['google'] }],
  },
  {
    name: 'a CRM create found outside its folder: a user took it out since, so its Google source leaves too',
    links: [
      link({ status: 'pending', pending: { side: 'crm', since: 0 }, inGroup: { crm: false, google: true } }),
    ],
    crm: seen({ records: [rec('c1', ada, { inGroup: false })] }),
    actions: ['removeFromGroup google g1 (L1)'],
    saved: [{ status: 'dormant', inGroup: { crm: false, google: false } }],
    ahead: [{ status: 'active', inGroup: { crm: true, google: true }, leaving: ['google'] }],
  },
  {
    name: 'a CRM create reported only as gone from its folder: the same departure',
    links: [
      link({ status: 'pending', pending: { side: 'crm', since: 0 }, inGroup: { crm: false, google: true } }),
    ],
    crm: seen({ departures: [{ id: 'c1', deleted: false }] }),
    actions: ['removeFromGroup google g1 (L1)'],
    saved: [{ status: 'dormant', inGroup: { crm: false, google: false } }],
    ahead: [{ leaving: ['google'] }],
  },
  {
    name: 'a Google create seen only as a deletion: the user deleted what we made; the pair ends, its source leaves',
    links: [
      link({
        status: 'pending',
        pending: { side: 'google', since: 0 },
        inGroup: { crm: true, google: false },
      }),
    ],
    google: seen({ departures: [{ id: 'g1', deleted: true }] }),
    actions: ['removeFromGroup crm c1 (L1)'],
    retire: ['L1'],
    saved: [],
  },
  {
    name: 'a CRM create seen only as a deletion, its source read: the pair ends, the source leaves, nothing is made again',
    links: [
      link({ status: 'pending', pending: { side: 'crm', since: 0 }, inGroup: { crm: false, google: true } }),
    ],
    crm: seen({ departures: [{ id: 'c1', deleted: true }] }),
    google: seen({ records: [rec('g1', { ...ada, jobTitle: 'Edited' })] }),
    actions: ['removeFromGroup google g1 (L1)'],
    retire: ['L1'],
    saved: [],
  },
  {
    name: 'a create seen only as a deletion whose source left its group meanwhile: the pair ends, no removal',
    links: [
      link({
        status: 'pending',
        pending: { side: 'google', since: 0 },
        inGroup: { crm: true, google: false },
      }),
    ],
    google: seen({ departures: [{ id: 'g1', deleted: true }] }),
    crm: seen({ records: [rec('c1', ada, { inGroup: false })] }),
    actions: [],
    retire: ['L1'],
  },
  {
    name: 'a create seen only as a deletion, replaced by a Google newcomer of the same email: it pairs with the source',
    links: [
      link({
        status: 'pending',
        pending: { side: 'google', since: 0 },
        inGroup: { crm: true, google: false },
      }),
    ],
    google: seen({ departures: [{ id: 'g1', deleted: true }], records: [rec('g2', ada)] }),
    crm: seen({ records: [rec('c1', ada)] }),
    actions: [],
    retire: ['L1'],
    saved: [
      { id: 'n1', crmId: 'c1', googleId: 'g2', status: 'active', inGroup: { crm: true, google: true } },
    ],
  },
  {
    name: 'a create seen only as a deletion, while a person rejected the held removals: the pair ends, the source stays',
    links: [
      link({
        status: 'pending',
        pending: { side: 'google', since: 0 },
        inGroup: { crm: true, google: false },
      }),
    ],
    google: seen({ departures: [{ id: 'g1', deleted: true }] }),
    input: { restoreDepartures: true },
    actions: [],
    retire: ['L1'],
  },
  {
    name: 'a Google create that never happened, source in its group and unread: sent again, same ids',
    links: [link({ status: 'pending', googleId: null, pending: { side: 'google', since: 0 } })],
    google: seen({ complete: true, memberCount: 0 }),
    input: { allowLargeRemoval: true },
    actions: ['create google L1 id=null marker=c1 Ada'],
    saved: [{ id: 'L1', status: 'pending' }],
  },
  {
    name: 'a CRM create that never happened (its id missing), source unread: sent again with that id',
    links: [link({ status: 'pending', pending: { side: 'crm', since: 0 }, base: null })],
    crm: seen({ missing: ['c1'] }),
    actions: ['create crm L1 id=c1 marker=null '],
  },
  {
    name: 'a CRM create that never happened, its source read: a newcomer again, under the same link id',
    links: [
      link({ status: 'pending', pending: { side: 'crm', since: 0 } }),
      link({
        id: 'L2',
        crmId: 'c2',
        googleId: 'g2',
        status: 'dormant',
        inGroup: { crm: false, google: false },
      }),
    ],
    crm: seen({ missing: ['c1', 'c2'] }),
    google: seen({ records: [rec('g1', ada)] }),
    actions: ['create crm L1 id=n1 marker=null Ada'],
    retire: ['L2'],
    saved: [{ id: 'L1', crmId: 'n1', googleId: 'g1', status: 'pending' }],
  },
  {
    name: 'a Google create that never happened, its source gone: the link is retired',
    links: [link({ status: 'pending', googleId: null, pending: { side: 'google', since: 0 } })],
    google: seen({ complete: true, memberCount: 0 }),
    crm: seen({ departures: [{ id: 'c1', deleted: true }] }),
    input: { allowLargeRemoval: true },
    actions: [],
    retire: ['L1'],
  },
  {
    name: 'a refused create whose source is still in its group: sent again with the source as it is now',
    links: [link({ status: 'pending', googleId: null, pending: { side: 'google', since: 0, refused: 5 } })],
    crm: seen({ records: [rec('c1', { ...ada, jobTitle: 'Now' })] }),
    google: seen({ records: [rec('g8', ada)] }),
    actions: ['create google L1 id=null marker=c1 Ada'],
    saved: [{ id: 'L1', base: { ...ada, jobTitle: 'Now' } }],
    notes: ['side-full:google:L1', 'waiting-for-create:google:g8'],
  },
  {
    name: 'a refused create, source unread: sent again from the base, the link as stored',
    links: [link({ status: 'pending', googleId: null, pending: { side: 'google', since: 0, refused: 5 } })],
    actions: ['create google L1 id=null marker=c1 Ada'],
    saved: [{ id: 'L1', base: ada }],
    notes: ['side-full:google:L1'],
  },
  {
    name: 'a refused create whose source left its group: no longer wanted, retired',
    links: [link({ status: 'pending', googleId: null, pending: { side: 'google', since: 0, refused: 5 } })],
    crm: seen({ records: [rec('c1', ada, { inGroup: false })] }),
    actions: [],
    retire: ['L1'],
  },
  {
    name: 'a refused create whose source was deleted: retired',
    links: [link({ status: 'pending', googleId: null, pending: { side: 'google', since: 0, refused: 5 } })],
    crm: seen({ missing: ['c1'] }),
    actions: [],
    retire: ['L1'],
  },
  {
    name: 'a CRM create in doubt is not taken for made because other CRM records were looked up',
    links: [link({ status: 'pending', pending: { side: 'crm', since: 0 } })],
    candidates: { crm: [rec('c5', person('Other'), { inGroup: false })] },
    actions: [],
    notes: ['waiting-for-create:crm:L1'],
  },
  {
    name: 'a Google create in doubt is not taken for made by a namesake without our marker',
    links: [link({ status: 'pending', googleId: null, pending: { side: 'google', since: 0 } })],
    candidates: { google: [rec('g5', ada, { inGroup: false })] },
    actions: [],
    notes: ['waiting-for-create:google:L1'],
  },
  // ---- newcomers (plan.ts) ----
  {
    name: 'a CRM newcomer: created in Google, marked with its CRM id, the link pending',
    crm: seen({ records: [rec('c3', person('Cy'), { extra: 'cx' })] }),
    actions: ['create google n1 id=null marker=c3 Cy'],
    saved: [
      {
        id: 'n1',
        crmId: 'c3',
        googleId: null,
        status: 'pending',
        pending: { side: 'google', since: NOW },
        inGroup: { crm: true, google: false },
        versions: { crm: 'c3v2', google: null },
        extras: { crm: 'cx', google: null },
        base: person('Cy'),
        syncedAt: NOW,
        attention: false,
        leaving: [],
      },
    ],
  },
  {
    name: 'a Google newcomer: created in the CRM under an id we choose',
    google: seen({ records: [rec('g3', person('Gus'), { extra: 'gx' })] }),
    actions: ['create crm n1 id=n2 marker=null Gus'],
    saved: [
      {
        id: 'n1',
        crmId: 'n2',
        googleId: 'g3',
        pending: { side: 'crm', since: NOW },
        inGroup: { crm: false, google: true },
        versions: { crm: null, google: 'g3v2' },
        extras: { crm: null, google: 'gx' },
      },
    ],
  },
  {
    name: 'newcomers on both sides with one email: paired, merged, nothing created',
    crm: seen({ records: [rec('c3', person('Cy', { jobTitle: 'Lead' }))] }),
    google: seen({ records: [rec('g3', person('Cy', { company: 'Acme' }))] }),
    actions: [
      'update crm c3 company v=c3v2 x=null Cy/Lead',
      'update google g3 jobTitle v=g3v2 x=null Cy/Lead',
    ],
    saved: [
      {
        id: 'n1',
        crmId: 'c3',
        googleId: 'g3',
        status: 'active',
        base: person('Cy', { jobTitle: 'Lead', company: 'Acme' }),
      },
    ],
  },
  {
    name: 'a pair a person chose: linked though their emails differ',
    crm: seen({ records: [rec('c3', person('Cy'))] }),
    candidates: { google: [rec('g3', person('Cyrus'), { inGroup: false })] },
    input: { chosen: [{ crmId: 'c3', googleId: 'g3' }] },
    // A first pairing: no base, so a tie of times goes to the CRM for text and lists are united.
    actions: [
      'addToGroup google g3 (n1)',
      'update crm c3 emails v=c3v2 x=null Cy/',
      'update google g3 givenName,emails v=g3v2 x=null Cy/',
    ],
    saved: [{ id: 'n1', crmId: 'c3', googleId: 'g3', status: 'active' }],
    // The names differ and a time (a tie) decided: saved first, Google not yet in its group.
    ahead: [
      {
        id: 'n1',
        status: 'active',
        versions: { crm: null, google: null },
        inGroup: { crm: true, google: false },
        attention: true,
      },
    ],
  },
  {
    name: 'a Google newcomer carrying the marker of a pair we keep: a duplicate, reported, never imported',
    links: [link()],
    google: seen({ records: [rec('g2', person('Copy'), { marker: 'c1' })] }),
    actions: [],
    notes: ['duplicate-marker:google:g2'],
  },
  {
    name: 'a pair a person chose among several records found: exactly the chosen ones are linked',
    crm: seen({ records: [rec('c3', person('Cy'))] }),
    candidates: {
      google: [rec('g2', person('Cyra'), { inGroup: false }), rec('g3', person('Cyrus'), { inGroup: false })],
    },
    input: { chosen: [{ crmId: 'c3', googleId: 'g3' }] },
    actions: [
      'addToGroup google g3 (n1)',
      'update crm c3 emails v=c3v2 x=null Cy/',
      'update google g3 givenName,emails v=g3v2 x=null Cy/',
    ],
    saved: [{ id: 'n1', crmId: 'c3', googleId: 'g3' }],
    ahead: [{ id: 'n1', crmId: 'c3', googleId: 'g3' }],
  },
  {
    name: 'a chosen pair both outside their groups: nothing',
    candidates: {
      crm: [rec('c3', person('Cy'), { inGroup: false })],
      google: [rec('g3', person('Cy'), { inGroup: false })],
    },
    input: { chosen: [{ crmId: 'c3', googleId: 'g3' }] },
    actions: [],
    saved: [],
  },
  {
    name: 'a chosen pair one of whose records is already linked: nothing new',
    links: [link({ crmId: 'c9', googleId: 'g3' })],
    crm: seen({ records: [rec('c3', person('Cy'))] }),
    google: seen({ unchanged: ['g3'] }),
    candidates: { google: [rec('g3', person('Zed'))] },
    input: { chosen: [{ crmId: 'c3', googleId: 'g3' }] },
    actions: ['create google n1 id=null marker=c3 Cy'],
  },
  {
    name: 'a chosen pair whose record is not at hand: nothing',
    crm: seen({ records: [rec('c3', person('Cy'))] }),
    input: { chosen: [{ crmId: 'c3', googleId: 'g404' }] },
    actions: ['create google n1 id=null marker=c3 Cy'],
  },
];

describe('the planner, case by case (table)', () => {
  for (const row of rows)
    it(row.name, () => {
      let ids = 0;
      const out = plan({
        links: row.links ?? [],
        crm: row.crm ?? seen(),
        google: row.google ?? seen(),
        candidates: { crm: row.candidates?.crm ?? [], google: row.candidates?.google ?? [] },
        policy: 'newest-wins',
        now: NOW,
        activeLinks: (row.links ?? []).length,
        guard: DEFAULT_GUARD,
        pendingTimeoutMs: 900_000,
        allowLargeRemoval: false,
        newId: () => `n${++ids}`,
        ...row.input,
      });
      assert.equal(out.refused, null);
      assert.deepEqual(out.actions.map(action).sort(), [...row.actions].sort());
      const judge = (got: Link[], wants: Partial<Link>[], what: string) => {
        assert.equal(got.length, wants.length, what);
        wants.forEach((want, i) => {
          const picked = Object.fromEntries(Object.keys(want).map((k) => [k, got[i]![k as keyof Link]]));
          assert.deepEqual(picked, want, what);
        });
      };
      if (row.saved) judge(out.links, row.saved, 'links saved');
      judge(out.ahead, row.ahead ?? [], 'links saved ahead of the writes');
      assert.deepEqual(out.retire, row.retire ?? []);
      if (row.notes)
        assert.deepEqual(out.notes.map((n) => `${n.kind}:${n.side}:${n.id}`).sort(), [...row.notes].sort());
      if (row.needsFullListing) assert.deepEqual(out.needsFullListing, row.needsFullListing);
    });

  it('a conflict note says what each side had and which one the policy kept', () => {
    const out = plan({
      links: [link()],
      crm: seen({ records: [rec('c1', { ...ada, jobTitle: 'Old' }, { modifiedAt: NOW - 500 })] }),
      google: seen({ records: [rec('g1', { ...ada, jobTitle: 'New' }, { modifiedAt: NOW - 100 })] }),
      candidates: { crm: [], google: [] },
      policy: 'newest-wins',
      now: NOW,
      activeLinks: 1,
      guard: DEFAULT_GUARD,
      pendingTimeoutMs: 900_000,
      allowLargeRemoval: false,
      newId: () => 'n',
    });
    assert.deepEqual(out.notes, [
      {
        kind: 'conflict',
        side: 'crm',
        id: 'c1',
        fields: ['jobTitle'],
        partner: 'g1',
        brief: { name: 'Ada', emails: ['ada@x.io'] },
        decisions: [{ field: 'jobTitle', crm: 'Old', google: 'New', winner: 'google' }],
      },
    ]);
  });

  it('a waiting create says until when', () => {
    const out = plan({
      links: [link({ status: 'pending', googleId: null, pending: { side: 'google', since: NOW - 10 } })],
      crm: seen(),
      google: seen(),
      candidates: { crm: [], google: [] },
      policy: 'newest-wins',
      now: NOW,
      activeLinks: 0,
      guard: DEFAULT_GUARD,
      pendingTimeoutMs: 900_000,
      allowLargeRemoval: false,
      newId: () => 'n',
    });
    assert.deepEqual(out.notes, [
      { kind: 'waiting-for-create', side: 'google', id: 'L1', until: NOW - 10 + 900_000 },
    ]);
  });
});

describe('a create confirmed (table)', () => {
  const pendingGoogle = link({
    status: 'pending',
    googleId: null,
    pending: { side: 'google', since: 0 },
    inGroup: { crm: true, google: false },
    versions: { crm: 'c1v1', google: null },
    extras: { crm: 'cx', google: null },
    attention: true,
  });
  it('on Google: takes the new id, version and extra; active, in both groups', () =>
    assert.deepEqual(confirmCreate(pendingGoogle, { id: 'g9', version: 'g9v1', extra: 'gx' }, NOW), {
      ...pendingGoogle,
      googleId: 'g9',
      status: 'active',
      pending: null,
      inGroup: { crm: true, google: true },
      versions: { crm: 'c1v1', google: 'g9v1' },
      extras: { crm: 'cx', google: 'gx' },
      syncedAt: NOW,
      attention: false,
      leaving: [],
    }));
  it('on the CRM: takes the id the side answered, no extra', () => {
    const pendingCrm = link({
      status: 'pending',
      pending: { side: 'crm', since: 0 },
      extras: { crm: null, google: 'gx' },
    });
    const got = confirmCreate(pendingCrm, { id: 'c9', version: 'c9v1' }, NOW);
    assert.deepEqual(
      [got.crmId, got.googleId, got.versions, got.extras],
      ['c9', 'g1', { crm: 'c9v1', google: 'g1v1' }, { crm: null, google: 'gx' }],
    );
  });
  it('a link no longer pending is left as it is', () => {
    const active = link();
    assert.equal(confirmCreate(active, { id: 'x', version: 'y' }, NOW), active);
    const half = link({ status: 'pending', pending: null });
    assert.equal(confirmCreate(half, { id: 'x', version: 'y' }, NOW), half);
  });
});
