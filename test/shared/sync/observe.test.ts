// What the runner must fetch or look up before planning, and how a side's report is read, as tables.
// Expected ids are written out by hand.
import assert from 'node:assert/strict';
import type { Link, LookupKeys, Observed, SideRecord } from '../../../shared/sync/index.js';
import { emptyContact, fetchNeeds, lookupKeys, observedIds } from '../../../shared/sync/index.js';
import { LinkIndex, viewOf } from '../../../shared/sync/observe.js';

const link = (patch: Partial<Link>): Link => ({
  id: 'L',
  crmId: 'c1',
  googleId: 'g1',
  status: 'active',
  pending: null,
  inGroup: { crm: true, google: true },
  versions: { crm: '1', google: '1' },
  extras: { crm: null, google: null },
  base: null,
  syncedAt: 0,
  attention: false,
  leaving: [],
  ...patch,
});

const rec = (id: string, inGroup = true, patch: Partial<SideRecord> = {}): SideRecord => ({
  id,
  version: '2',
  modifiedAt: 0,
  contact: { ...emptyContact(), emails: [{ address: `${id}@x.io`, type: 'work' }] },
  inGroup,
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

const sorted = (r: { crm: string[]; google: string[] }) => ({
  crm: [...r.crm].sort(),
  google: [...r.google].sort(),
});

describe('what the runner fetches before planning (table)', () => {
  const rows: {
    name: string;
    links: Link[];
    crm?: Observed;
    google?: Observed;
    need: { crm: string[]; google: string[] };
  }[] = [
    { name: 'a quiet active pair: nothing', links: [link({})], need: { crm: [], google: [] } },
    {
      name: 'a pair needing attention: both records',
      links: [link({ attention: true })],
      need: { crm: ['c1'], google: ['g1'] },
    },
    {
      name: 'a pair needing attention, one side already read: only the other',
      links: [link({ attention: true })],
      crm: seen({ records: [rec('c1')] }),
      need: { crm: [], google: ['g1'] },
    },
    {
      name: 'a pair needing attention whose records departed or were unchanged: nothing',
      links: [link({ attention: true })],
      crm: seen({ departures: [{ id: 'c1', deleted: false }] }),
      google: seen({ unchanged: ['g1'] }),
      need: { crm: [], google: [] },
    },
    {
      name: 'a failed Google create needing attention: its CRM source only, never a null id',
      links: [
        link({ status: 'pending', googleId: null, attention: true, pending: { side: 'google', since: 0 } }),
      ],
      need: { crm: ['c1'], google: [] },
    },
    {
      name: 'a Google create in doubt: its CRM source',
      links: [link({ status: 'pending', googleId: null, pending: { side: 'google', since: 0 } })],
      need: { crm: ['c1'], google: [] },
    },
    {
      name: 'a CRM create in doubt: the CRM id we chose, and its Google source',
      links: [link({ status: 'pending', pending: { side: 'crm', since: 0 } })],
      need: { crm: ['c1'], google: ['g1'] },
    },
    {
      name: 'a refused create: nothing (it wrote nothing)',
      links: [link({ status: 'pending', pending: { side: 'crm', since: 0, refused: 5 } })],
      need: { crm: [], google: [] },
    },
    {
      name: 'a pending status without its pending part: nothing',
      links: [link({ status: 'pending', pending: null })],
      need: { crm: [], google: [] },
    },
    {
      name: 'a dormant pair whose CRM record came back: its Google partner',
      links: [link({ status: 'dormant', inGroup: { crm: false, google: false } })],
      crm: seen({ records: [rec('c1')] }),
      need: { crm: [], google: ['g1'] },
    },
    {
      name: 'a dormant pair whose Google record came back: its CRM partner',
      links: [link({ status: 'dormant', inGroup: { crm: false, google: false } })],
      google: seen({ records: [rec('g1')] }),
      need: { crm: ['c1'], google: [] },
    },
    {
      name: 'a dormant pair whose record changed outside its group: nothing',
      links: [link({ status: 'dormant', inGroup: { crm: false, google: false } })],
      crm: seen({ records: [rec('c1', false)] }),
      need: { crm: [], google: [] },
    },
    {
      name: 'an active pair whose record changed: nothing more (the other side reports its own changes)',
      links: [link({})],
      crm: seen({ records: [rec('c1')] }),
      need: { crm: [], google: [] },
    },
  ];
  for (const row of rows)
    it(row.name, () =>
      assert.deepEqual(sorted(fetchNeeds(row.links, row.crm ?? seen(), row.google ?? seen())), row.need),
    );
});

describe('what the runner looks up to pair newcomers (table)', () => {
  const none: LookupKeys = { ids: [], markers: [], emails: [], inDoubt: [] };
  const rows: {
    name: string;
    links: Link[];
    crm?: Observed;
    google?: Observed;
    keys: { crm: LookupKeys; google: LookupKeys };
  }[] = [
    { name: 'nothing new: nothing', links: [link({})], keys: { crm: none, google: none } },
    {
      name: 'a CRM newcomer: its id as a marker and its emails, on Google',
      links: [],
      crm: seen({ records: [rec('c9')] }),
      keys: { crm: none, google: { ids: [], markers: ['c9'], emails: ['c9@x.io'], inDoubt: [] } },
    },
    {
      name: 'a Google newcomer with a marker: the marked CRM id and its emails, in the CRM',
      links: [],
      google: seen({ records: [rec('g9', true, { marker: 'c7' })] }),
      keys: { crm: { ids: ['c7'], markers: [], emails: ['g9@x.io'], inDoubt: [] }, google: none },
    },
    {
      name: 'a Google newcomer without a marker: only its emails',
      links: [],
      google: seen({ records: [rec('g9')] }),
      keys: { crm: { ids: [], markers: [], emails: ['g9@x.io'], inDoubt: [] }, google: none },
    },
    {
      name: 'records outside their groups are no newcomers',
      links: [],
      crm: seen({ records: [rec('c9', false)] }),
      google: seen({ records: [rec('g9', false, { marker: 'c7' })] }),
      keys: { crm: none, google: none },
    },
    {
      name: 'records of a linked pair are no newcomers',
      links: [link({})],
      crm: seen({ records: [rec('c1')] }),
      google: seen({ records: [rec('g1', true, { marker: 'c1' })] }),
      keys: { crm: none, google: none },
    },
    {
      name: 'a Google create in doubt: its marker and its emails (in doubt: no read showed them), and its CRM source is looked up like a newcomer',
      links: [
        link({
          status: 'pending',
          googleId: null,
          pending: { side: 'google', since: 0 },
          base: { ...emptyContact(), emails: [{ address: 'Base@X.io', type: 'work' }] },
        }),
      ],
      crm: seen({ records: [rec('c1')] }),
      keys: {
        crm: none,
        google: { ids: [], markers: ['c1'], emails: ['base@x.io', 'c1@x.io'], inDoubt: ['base@x.io'] },
      },
    },
    {
      name: 'a Google create in doubt without a base: its marker only',
      links: [link({ status: 'pending', googleId: null, pending: { side: 'google', since: 0 } })],
      keys: { crm: none, google: { ids: [], markers: ['c1'], emails: [], inDoubt: [] } },
    },
    {
      name: 'a refused Google create: nothing to find, and its source is no newcomer',
      links: [link({ status: 'pending', googleId: null, pending: { side: 'google', since: 0, refused: 1 } })],
      crm: seen({ records: [rec('c1')] }),
      keys: { crm: none, google: none },
    },
    {
      name: 'a CRM create in doubt: nothing to look for by marker; its Google source is looked up like a newcomer',
      links: [link({ status: 'pending', pending: { side: 'crm', since: 0 } })],
      google: seen({ records: [rec('g1')] }),
      crm: seen({ records: [rec('c1')] }),
      keys: { crm: { ids: [], markers: [], emails: ['g1@x.io'], inDoubt: [] }, google: none },
    },
    {
      name: 'the target record of a create in doubt is no newcomer',
      links: [link({ status: 'pending', pending: { side: 'google', since: 0 }, crmId: null })],
      google: seen({ records: [rec('g1')] }),
      keys: { crm: none, google: none },
    },
  ];
  const sortKeys = (k: LookupKeys) => ({
    ids: [...k.ids].sort(),
    markers: [...k.markers].sort(),
    emails: [...k.emails].sort(),
    inDoubt: [...k.inDoubt].sort(),
  });
  for (const row of rows)
    it(row.name, () => {
      const got = lookupKeys(row.links, row.crm ?? seen(), row.google ?? seen());
      assert.deepEqual({ crm: sortKeys(got.crm), google: sortKeys(got.google) }, row.keys);
    });
});

describe('how a side report is read (table)', () => {
  it('every id heard of: changed records, departures and unchanged members', () => {
    assert.deepEqual(
      observedIds(seen({ records: [rec('a')], departures: [{ id: 'b', deleted: true }], unchanged: ['c'] })),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(observedIds(seen({ records: [rec('a')] })), ['a']);
  });

  it('a record reported outside its group is a departure; one reported in it is none', () => {
    const v = viewOf(
      seen({
        records: [rec('out', false), rec('back', true), rec('gone', false)],
        departures: [
          { id: 'back', deleted: false },
          { id: 'gone', deleted: true },
        ],
        missing: ['m'],
        complete: true,
        memberCount: 7,
      }),
    );
    assert.deepEqual([...v.departures.entries()].sort(), [
      ['gone', { id: 'gone', deleted: true }],
      ['out', { id: 'out', deleted: false }],
    ]);
    assert.deepEqual([...v.records.keys()], ['out', 'back', 'gone']);
    assert.deepEqual([...v.unchanged], []);
    assert.deepEqual([...v.missing], ['m']);
    assert.equal(v.complete, true);
    assert.equal(v.memberCount, 7);
  });

  it('links are found by id and by each side id; a missing side id is not indexed', () => {
    const a = link({ id: 'A' });
    const b = link({ id: 'B', crmId: 'c2', googleId: null });
    const index = new LinkIndex([a, b]);
    assert.equal(index.byId.get('A'), a);
    assert.equal(index.byId.get('B'), b);
    assert.equal(index.find('crm', 'c1'), a);
    assert.equal(index.find('google', 'g1'), a);
    assert.equal(index.find('crm', 'c2'), b);
    assert.equal(index.find('google', null as unknown as string), undefined);
    assert.equal([...index.byId.keys()].length, 2);
  });
});
