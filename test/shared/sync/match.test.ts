// Pairing newcomers, as a table: who pairs with whom (by marker, then by a unique email), who is left
// to be created, and what a person is told. Expected ids are written out by hand.
import assert from 'node:assert/strict';
import type { Link, Side, SideRecord } from '../../../shared/sync/index.js';
import { emptyContact } from '../../../shared/sync/index.js';
import { pairNewcomers } from '../../../shared/sync/match.js';
import { viewOf } from '../../../shared/sync/observe.js';

const rec = (id: string, emails: string[], patch: Partial<SideRecord> = {}): SideRecord => ({
  id,
  version: '1',
  modifiedAt: 0,
  contact: { ...emptyContact(), givenName: id, emails: emails.map((address) => ({ address, type: 'work' })) },
  inGroup: true,
  ...patch,
});

interface Row {
  name: string;
  crm?: SideRecord[];
  google?: SideRecord[];
  candidates?: Partial<Record<Side, SideRecord[]>>;
  linked?: string[];
  owned?: string[];
  orphans?: string[];
  held?: string[];
  pairs: [string, string][];
  unpaired: string[];
  notes?: string[];
}

const rows: Row[] = [
  {
    name: 'one email each way: a pair',
    crm: [rec('c1', ['a@x.io'])],
    google: [rec('g1', ['A@X.io '])],
    pairs: [['c1', 'g1']],
    unpaired: [],
  },
  {
    name: 'no counterpart: both to be created, in id order, each on its own side',
    crm: [rec('c2', ['b@x.io']), rec('c1', ['a@x.io'])],
    google: [rec('g1', ['z@x.io'])],
    pairs: [],
    unpaired: ['crm:c1', 'crm:c2', 'google:g1'],
  },
  {
    name: 'a newcomer without email has no counterpart',
    crm: [rec('c1', [])],
    google: [rec('g1', [])],
    pairs: [],
    unpaired: ['crm:c1', 'google:g1'],
  },
  {
    name: 'our marker pairs a Google newcomer with its CRM newcomer whatever their emails',
    crm: [rec('c1', ['a@x.io'])],
    google: [rec('g1', ['b@x.io'], { marker: 'c1' })],
    pairs: [['c1', 'g1']],
    unpaired: [],
  },
  {
    name: 'our marker on a Google contact outside the group pairs it with the CRM newcomer',
    crm: [rec('c1', ['a@x.io'])],
    candidates: { google: [rec('g1', [], { marker: 'c1', inGroup: false })] },
    pairs: [['c1', 'g1']],
    unpaired: [],
  },
  {
    name: 'a marked Google newcomer pairs with its CRM record found outside the group',
    google: [rec('g1', [], { marker: 'c1' })],
    candidates: { crm: [rec('c1', [], { inGroup: false })] },
    pairs: [['c1', 'g1']],
    unpaired: [],
  },
  {
    name: 'a marker between two records neither of which is a newcomer pairs nothing',
    candidates: {
      crm: [rec('c1', ['a@x.io'])],
      google: [rec('g1', ['a@x.io'], { marker: 'c1', inGroup: false })],
    },
    pairs: [],
    unpaired: [],
  },
  {
    name: 'our marker on a second Google newcomer: a duplicate of a kept pair, reported, never imported',
    google: [rec('g2', ['a@x.io'], { marker: 'c1' })],
    crm: [rec('c5', ['a@x.io'])],
    owned: ['c1'],
    pairs: [],
    unpaired: ['crm:c5'],
    notes: ['duplicate-marker:google:g2'],
  },
  {
    name: 'an owned marker on a contact outside the group is no newcomer: nothing reported',
    candidates: { google: [rec('g2', ['q@x.io'], { marker: 'c1', inGroup: false })] },
    owned: ['c1'],
    pairs: [],
    unpaired: [],
  },
  {
    name: 'a marker naming a CRM record not at hand pairs nothing; the email still may',
    crm: [rec('c2', ['a@x.io'])],
    google: [rec('g1', ['a@x.io'], { marker: 'c9' })],
    pairs: [['c2', 'g1']],
    unpaired: [],
  },
  {
    name: 'a record paired by marker is not paired again by email',
    crm: [rec('c1', ['a@x.io'])],
    google: [rec('g1', ['b@x.io'], { marker: 'c1' }), rec('g2', ['a@x.io'])],
    pairs: [['c1', 'g1']],
    unpaired: ['google:g2'],
  },
  {
    name: 'two CRM newcomers with one email, one Google newcomer: ambiguous, all three wait',
    crm: [rec('c1', ['a@x.io']), rec('c2', ['a@x.io'])],
    google: [rec('g1', ['a@x.io'])],
    pairs: [],
    unpaired: [],
    notes: ['ambiguous-match:crm:c1', 'ambiguous-match:crm:c2', 'ambiguous-match:google:g1'],
  },
  {
    name: 'one Google newcomer sharing emails with two CRM newcomers: ambiguous',
    crm: [rec('c1', ['a@x.io']), rec('c2', ['b@x.io'])],
    google: [rec('g1', ['a@x.io', 'b@x.io'])],
    pairs: [],
    unpaired: [],
    notes: ['ambiguous-match:crm:c1', 'ambiguous-match:crm:c2', 'ambiguous-match:google:g1'],
  },
  {
    name: 'several Google records share the email but one is in its group: that one is meant',
    crm: [rec('c1', ['a@x.io'])],
    google: [rec('g2', ['a@x.io'])],
    candidates: { google: [rec('g1', ['a@x.io'], { inGroup: false })] },
    pairs: [['c1', 'g2']],
    unpaired: [],
  },
  {
    name: 'two Google records outside the group share the email: ambiguous, only the newcomer is told',
    crm: [rec('c1', ['a@x.io'])],
    candidates: {
      google: [rec('g1', ['a@x.io'], { inGroup: false }), rec('g2', ['a@x.io'], { inGroup: false })],
    },
    pairs: [],
    unpaired: [],
    notes: ['ambiguous-match:crm:c1'],
  },
  {
    name: 'a Google record outside the group pairs with the CRM newcomer of its email',
    crm: [rec('c1', ['a@x.io'])],
    candidates: { google: [rec('g1', ['a@x.io'], { inGroup: false })] },
    pairs: [['c1', 'g1']],
    unpaired: [],
  },
  {
    name: 'a linked record is neither a newcomer nor a counterpart',
    crm: [rec('c1', ['a@x.io'])],
    google: [rec('g1', ['a@x.io'])],
    candidates: { google: [rec('g9', ['a@x.io'], { inGroup: false })] },
    linked: ['google:g1', 'google:g9'],
    pairs: [],
    unpaired: ['crm:c1'],
  },
  {
    name: 'a survivor of a deleted partner is no newcomer, but pairs with one that shares its email',
    crm: [rec('c1', ['a@x.io']), rec('c2', ['b@x.io'])],
    google: [rec('g1', ['a@x.io'])],
    orphans: ['crm:c1', 'crm:c2'],
    pairs: [['c1', 'g1']],
    unpaired: [],
  },
  {
    name: 'a newcomer whose email waits for a create in doubt waits too',
    crm: [rec('c1', ['a@x.io'])],
    google: [rec('g1', ['A@x.io'])],
    held: ['a@x.io'],
    pairs: [],
    unpaired: [],
    notes: ['waiting-for-create:crm:c1', 'waiting-for-create:google:g1'],
  },
  {
    name: 'records outside their groups in the read are no newcomers',
    crm: [rec('c1', ['a@x.io'], { inGroup: false })],
    google: [rec('g1', ['b@x.io'], { inGroup: false })],
    pairs: [],
    unpaired: [],
  },
];

describe('pairing newcomers (table)', () => {
  for (const row of rows)
    it(row.name, () => {
      const has = (list: string[] | undefined, side: Side, id: string) =>
        (list ?? []).includes(`${side}:${id}`);
      const owner: Link = {
        id: 'L',
        crmId: 'c1',
        googleId: 'g1',
        status: 'active',
        pending: null,
        inGroup: { crm: true, google: true },
        versions: { crm: null, google: null },
        extras: { crm: null, google: null },
        base: null,
        syncedAt: 0,
        attention: false,
        leaving: [],
      };
      const observed = (records: SideRecord[] = []) => ({
        records,
        departures: [],
        missing: [],
        complete: false,
        memberCount: null,
      });
      const got = pairNewcomers({
        views: { crm: viewOf(observed(row.crm)), google: viewOf(observed(row.google)) },
        candidates: { crm: row.candidates?.crm ?? [], google: row.candidates?.google ?? [] },
        isLinked: (side, id) => has(row.linked, side, id),
        markerOwner: (crmId) => ((row.owned ?? []).includes(crmId) ? owner : undefined),
        notNewcomer: (side, id) => has(row.orphans, side, id),
        held: new Set(row.held ?? []),
      });
      assert.deepEqual(
        got.pairs.map((p) => [p.crm.id, p.google.id]),
        row.pairs,
      );
      assert.deepEqual(
        got.unpaired.map((r) => `${got.sideOf(r)}:${r.id}`),
        row.unpaired,
      );
      assert.deepEqual(
        got.notes.map((n) => `${n.kind}:${n.side}:${n.id}`).sort(),
        (row.notes ?? []).slice().sort(),
      );
    });

  it('an ambiguous cluster names every record in it, with its side and who it is', () => {
    const observed = (records: SideRecord[]) => ({
      records,
      departures: [],
      missing: [],
      complete: false,
      memberCount: null,
    });
    const got = pairNewcomers({
      views: {
        crm: viewOf(observed([rec('c1', ['a@x.io']), rec('c2', ['a@x.io'])])),
        google: viewOf(observed([rec('g1', ['a@x.io'])])),
      },
      candidates: { crm: [], google: [] },
      isLinked: () => false,
      markerOwner: () => undefined,
      notNewcomer: () => false,
      held: new Set(),
    });
    const note = got.notes.find((n) => n.id === 'g1')!;
    assert.deepEqual(note.brief, { name: 'g1', emails: ['a@x.io'] });
    assert.deepEqual(note.cluster?.map((c) => `${c.side}:${c.id}:${c.brief.name}`).sort(), [
      'crm:c1:c1',
      'crm:c2:c2',
      'google:g1:g1',
    ]);
  });
});
