// Counterexamples the convergence property found, kept as fixed scenarios so that each bug stays fixed.
import assert from 'node:assert/strict';
import type { World } from '../../fakes/world.js';
import { scenario } from './convergence.test.js';

type Cmds = Parameters<typeof scenario>[0];

const cases: { bug: string; cmds: Cmds; after?: (w: World) => void }[] = [
  {
    bug: 'a crash before the Google create, then the user makes the same person in Google: paired, not copied',
    cmds: [
      { k: 'create', side: 'crm', who: 5, inGroup: true },
      { k: 'sync', crashAt: 5, duplicate: false },
      { k: 'create', side: 'google', who: 5, inGroup: true },
      { k: 'sync', crashAt: null, duplicate: false },
    ],
  },
  {
    bug: 'a create in doubt restarted twice must not leave two links to one contact',
    cmds: [
      { k: 'create', side: 'crm', who: 0, inGroup: true },
      { k: 'sync', crashAt: 4, duplicate: false },
      { k: 'create', side: 'google', who: 0, inGroup: true },
      { k: 'sync', crashAt: 5, duplicate: false },
    ],
  },
  {
    bug: 'a create confirmed after its source was deleted takes the new contact out of the group',
    cmds: [
      { k: 'create', side: 'crm', who: 5, inGroup: true },
      { k: 'sync', crashAt: 5, duplicate: false },
      { k: 'delete', side: 'crm', who: 5 },
    ],
  },
  {
    bug: 'a confirmed pending create is saved as active (not left pending forever)',
    cmds: [
      { k: 'sync', crashAt: null, duplicate: false },
      { k: 'create', side: 'google', who: 1, inGroup: true },
      { k: 'sync', crashAt: null, duplicate: false },
      { k: 'sync', crashAt: 5, duplicate: false },
      { k: 'sync', crashAt: null, duplicate: false },
    ],
  },
  {
    bug: 'a crash between the link writes and the member list write: the next run trusts the links',
    cmds: [
      { k: 'sync', crashAt: null, duplicate: false },
      { k: 'create', side: 'crm', who: 2, inGroup: true },
      { k: 'sync', crashAt: 7, duplicate: false },
      { k: 'tick', ms: 1000 },
      { k: 'group', side: 'crm', who: 2, inGroup: false },
    ],
  },
  {
    bug: 'a membership change forgets the stale etag instead of failing every later update',
    cmds: [
      { k: 'create', side: 'crm', who: 0, inGroup: true },
      { k: 'create', side: 'crm', who: 3, inGroup: true },
      { k: 'sync', crashAt: null, duplicate: false },
      { k: 'group', side: 'crm', who: 3, inGroup: false },
      { k: 'tick', ms: 1000 },
      { k: 'edit', side: 'crm', who: 3, field: 'familyName', value: 0 },
      { k: 'sync', crashAt: null, duplicate: false },
      { k: 'group', side: 'crm', who: 3, inGroup: true },
    ],
  },
  {
    bug: 'adding a Google contact to its group forgets its etag, so the next update is not refused as stale',
    cmds: [
      { k: 'create', side: 'crm', who: 0, inGroup: true },
      { k: 'create', side: 'google', who: 0, inGroup: false },
      { k: 'sync', crashAt: null, duplicate: false },
      { k: 'edit', side: 'crm', who: 0, field: 'jobTitle', value: 1 },
      // Before Google shows our own group change, so the run updates from the link's version.
      { k: 'sync', crashAt: null, duplicate: false, soon: true },
    ],
    // The end state is the same either way (a stale etag is re-read and re-merged): only the etag's
    // refusals show whether the rotated version was forgotten.
    after: (w) => assert.equal(w.google.staleAnswers, 0, 'an update was sent with a stale etag'),
  },
  {
    bug: 'a Google contact deleted and made again by the user pairs with the CRM contact it replaced',
    cmds: [
      { k: 'create', side: 'crm', who: 0, inGroup: true },
      { k: 'sync', crashAt: null, duplicate: false },
      { k: 'delete', side: 'google', who: 0 },
      { k: 'edit', side: 'crm', who: 0, field: 'familyName', value: 0 },
      { k: 'create', side: 'google', who: 0, inGroup: true },
      { k: 'tick', ms: 1000 },
      { k: 'sync', crashAt: null, duplicate: false },
    ],
  },
  {
    bug: 'a CRM contact deleted and made again pairs with the Google contact its predecessor held',
    cmds: [
      { k: 'create', side: 'google', who: 4, inGroup: true },
      { k: 'sync', crashAt: null, duplicate: false },
      { k: 'delete', side: 'crm', who: 4 },
      { k: 'sync', crashAt: null, duplicate: false },
      { k: 'sync', crashAt: null, duplicate: false },
      { k: 'create', side: 'crm', who: 4, inGroup: true },
    ],
  },
  {
    bug: 'a full listing that no longer shows a paired record asks whether it still exists',
    cmds: [
      { k: 'create', side: 'crm', who: 0, inGroup: true },
      { k: 'sync', crashAt: 8, duplicate: false },
      { k: 'delete', side: 'google', who: 0 },
      { k: 'create', side: 'google', who: 0, inGroup: true },
      { k: 'group', side: 'crm', who: 0, inGroup: false },
      { k: 'sync', crashAt: null, duplicate: false },
    ],
  },
  {
    // An oracle fault (seed -11138311): it took the edited copy for a record of the Google user's own,
    // unpaired, and expected it to stay in its group. It is the CRM contact's copy, so rule 6 holds.
    bug: 'a Google copy whose create answer was lost, edited in Google, follows its source out of the group',
    cmds: [
      { k: 'fail', side: 'google', fault: 'lost', times: 1 },
      { k: 'create', side: 'crm', who: 0, inGroup: true },
      { k: 'sync', crashAt: null, duplicate: false },
      { k: 'edit', side: 'google', who: 0, field: 'familyName', value: 1 },
      { k: 'group', side: 'crm', who: 0, inGroup: false },
      { k: 'sync', crashAt: null, duplicate: false },
    ],
    after: (w) => assert.equal(w.google.members().length, 0, 'the copy stayed in the Google group'),
  },
  {
    // Seed 1143004584: the pair's update failed after the CRM contact was put into its group, and the
    // saved link said it was not in it; deleted in Google, the contact then came back as a new copy.
    bug: 'a pair whose update failed keeps the membership the run made: deleted in Google, the CRM contact leaves',
    cmds: [
      { k: 'fail', side: 'crm', fault: 'failed', times: 1 },
      { k: 'create', side: 'google', who: 6, inGroup: true },
      { k: 'create', side: 'crm', who: 6, inGroup: false },
      { k: 'edit', side: 'google', who: 6, field: 'phones', value: 1 },
      { k: 'sync', crashAt: null, duplicate: false },
      { k: 'delete', side: 'google', who: 6 },
    ],
    after: (w) => assert.equal(w.crm.members().length, 0, 'the CRM contact stayed in its group'),
  },
  {
    // Seed 2026 at 20,000 runs: the Google update failed, the Google group add re-dated the contact.
    bug: 'a first pairing decided by time whose Google update failed before a crash: the next run decides the same',
    cmds: [
      { k: 'create', side: 'google', who: 0, inGroup: true, email: true, variant: 0 },
      { k: 'create', side: 'crm', who: 3, inGroup: true, email: true, variant: 3 },
      { k: 'fail', side: 'google', fault: 'failed', times: 1 },
      { k: 'create', side: 'google', who: 3, inGroup: false, email: true, variant: 0 },
      { k: 'sync', crashAt: 11, duplicate: false },
      { k: 'interleave', side: 'crm', who: 0, first: 'familyName', second: 'familyName', value: 0 },
      { k: 'sync', crashAt: null, duplicate: false },
    ],
  },
  {
    // Seed 2026: the run that found the create took it out again (its source had left) and crashed.
    bug: 'a Google create our own crashed run took out of its group comes back when the user puts its source back',
    cmds: [
      { k: 'fail', side: 'google', fault: 'lost', times: 2 },
      { k: 'create', side: 'crm', who: 2, inGroup: true, email: true, variant: 0 },
      { k: 'sync', crashAt: null, duplicate: false },
      { k: 'group', side: 'crm', who: 2, inGroup: false },
      { k: 'sync', crashAt: null, duplicate: false },
      { k: 'tick', ms: 1000 },
      { k: 'group', side: 'crm', who: 2, inGroup: true },
    ],
  },
  {
    // Seed 1: the removal was saved ahead, the deadline stopped the run before it was made.
    bug: 'a removal cut short by the deadline, then its source deleted: the survivor still leaves its group',
    cmds: [
      { k: 'create', side: 'crm', who: 5, inGroup: true, email: true, variant: 0 },
      { k: 'sync', crashAt: null, duplicate: false },
      { k: 'group', side: 'crm', who: 5, inGroup: false },
      { k: 'sync', crashAt: null, duplicate: false, stopAt: 0 },
      { k: 'delete', side: 'crm', who: 5 },
      { k: 'sync', crashAt: null, duplicate: false },
    ],
  },
];

describe('regressions found by the convergence property', () => {
  for (const c of cases) it(c.bug, async () => scenario(c.cmds, 'newest-wins', c.after));
});
