// One simulated scenario: run the commands, then a final clean sync, then check the invariants.
// Deterministic for a given command list: the clock is manual, ids are counters, jitter is seeded.
import type { Contact, Field, Link } from '../../shared/sync/index.js';
import { contactsEqual, emptyContact, fieldSignature } from '../../shared/sync/index.js';
import { personToContact } from '../../shared/adapters/google/index.js';
import type { Person } from '../../shared/adapters/google/schemas.js';
import { runSync } from '../../shared/runSync.js';
import type { SyncRequest } from '../../shared/ports.js';
import type { SyncConnectionDeps, SyncOutcome } from '../../shared/syncConnection.js';
import { syncConnection } from '../../shared/syncConnection.js';
import type { Command, SimSide } from './commands.js';
import { Rng } from './rng.js';
import { Crash, SimWorld, TENANT, USER, editedValue, nameOf } from './world.js';

const LEASE_TTL = 10 * 60_000;
const BUDGET = 8 * 60_000;

export class InvariantError extends Error {}

const check = (ok: boolean, message: string) => {
  if (!ok) throw new InvariantError(message);
};

export interface ScenarioResult {
  ok: boolean;
  error: string | null;
  trace: string[];
}

export async function runScenario(seed: number, commands: Command[]): Promise<ScenarioResult> {
  const rng = new Rng(seed ^ 0x5f3759df);
  const w = await SimWorld.start(rng);
  const trace: string[] = [];
  try {
    await play(w, commands, trace);
    return { ok: true, error: null, trace };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), trace };
  } finally {
    await w.close();
  }
}

async function play(w: SimWorld, commands: Command[], trace: string[]): Promise<void> {
  const deps: SyncConnectionDeps = {
    connections: w.connections,
    queue: w.queue,
    clock: w.clock,
    newId: w.newId,
    openSides: async () => w.openSides(),
    timeBudgetMs: BUDGET,
    leaseTtlMs: LEASE_TTL,
  };
  const deletedByUser: Record<SimSide, Set<string>> = { crm: new Set(), google: new Set() };
  const seen: Record<SimSide, Set<string>> = { crm: new Set(), google: new Set() };
  const created: Record<SimSide, Set<number>> = { crm: new Set(), google: new Set() };
  // Edits made while a pair was in sync, by person and field: the last canonical value per side.
  let pending = new Map<string, Partial<Record<SimSide, Partial<Contact>>>>();
  // The synced value of each pending field, as its signature: what both sides held before the first
  // edit. The merge is three-way per field, so a side whose last value equals it changed nothing
  // (an edit that set the field to what it held, or set it and then back) and cannot win that field.
  let baseline = new Map<string, string>();
  // When each user last changed each person's record (an edit; a Google group move; leaving the CRM
  // group): under newest-wins the later change wins a field both sides edited.
  const touched: Record<SimSide, Map<number, number>> = { crm: new Map(), google: new Map() };
  const unsettled = new Set<number>();

  const links = (): Link[] => [...(w.connections.states.get(`${TENANT}/${USER}`)?.links.values() ?? [])];
  const idOf = (side: SimSide, who: number): string | undefined =>
    side === 'crm'
      ? (w.crmOf(who)?.Id as string | undefined)
      : (w.googleOf(who)?.resourceName as string | undefined);
  const inSync = (who: number): boolean => {
    const c = idOf('crm', who);
    const g = idOf('google', who);
    return links().some(
      (l) => l.status === 'active' && !l.attention && l.crmId === c && l.googleId === g && c !== undefined,
    );
  };
  const remember = () => {
    w.crmContacts().forEach((r) => seen.crm.add(String(r.Id)));
    w.googlePeople().forEach((p) => seen.google.add(String(p.resourceName)));
  };

  const request = (trigger: SyncRequest['trigger']): SyncRequest => ({
    tenantId: TENANT,
    userId: USER,
    trigger,
    runId: w.newId(),
    requestedAt: w.clock.now(),
  });
  const job = async (req: SyncRequest): Promise<SyncOutcome> => {
    const outcome = await syncConnection(deps, req);
    trace.push(`  -> ${JSON.stringify(outcome)}`);
    if (process.env.SIM_DEBUG) {
      const row = w.connections.rows.get(`${TENANT}/${USER}`);
      trace.push(
        `     run ${JSON.stringify(row?.recentRuns[0]?.counts)} links ${JSON.stringify(links().map((l) => [l.crmId?.slice(-4), l.googleId, l.status, l.base?.birthday]))}`,
      );
    }
    return outcome;
  };
  /** Continuations the job published run next, as Pub/Sub would deliver them. */
  const drain = async () => {
    for (let i = 0; i < 20 && w.queue.sent.length > 0; i++) await job(w.queue.sent.shift()!);
  };
  const clean = async (outcome: SyncOutcome) => {
    if (outcome.ack && outcome.result === 'done' && outcome.reason === null) await checkEdits();
  };

  const checkEdits = async () => {
    const sides = w.openSides();
    for (const [key, bySide] of pending) {
      const [p, field] = key.split('/') as [string, Field];
      const who = Number(p);
      if (unsettled.has(who)) continue;
      const c = idOf('crm', who);
      const g = idOf('google', who);
      if (!c || !g) continue;
      const [cr] = (await sides.crm.fetch([c])).records;
      const [gr] = (await sides.google.fetch([g])).records;
      if (!cr || !gr) continue;
      check(
        fieldSignature(cr.contact, field) === fieldSignature(gr.contact, field),
        `pair ${nameOf(who)} differs in ${field} after a clean run`,
      );
      // Only net changes count: a side back at the synced value made no edit the merge can see.
      const base = baseline.get(key);
      for (const side of ['crm', 'google'] as const) {
        const v = bySide[side];
        if (v && fieldSignature({ ...emptyContact(), ...v } as Contact, field) === base) delete bySide[side];
      }
      if (!bySide.crm && !bySide.google) {
        check(
          fieldSignature(cr.contact, field) === base,
          `${field} of ${nameOf(who)} changed though neither user's edits changed it`,
        );
        continue;
      }
      const edits = Object.values(bySide);
      if (field === 'phones' && edits.length > 1) {
        // Both sides replaced the list: it merges as a set, so every number either side added is
        // kept and every number both removed stays removed.
        const kept = [...new Set(cr.contact.phones.map((p) => p.number.replace(/[^0-9+]/g, '')))].sort();
        const added = [
          ...new Set(edits.flatMap((v) => v.phones ?? []).map((p) => p.number.replace(/[^0-9+]/g, ''))),
        ];
        check(
          JSON.stringify(kept) === JSON.stringify(added.sort()),
          `phones of ${nameOf(who)}: ${kept.join(',')}, but the users' edits give ${added.join(',')}`,
        );
        continue;
      }
      // One side's edit arrives; when both sides edited the field, the later change wins (a tie to the CRM).
      const winner: SimSide =
        bySide.crm && bySide.google
          ? (touched.google.get(who) ?? 0) > (touched.crm.get(who) ?? 0)
            ? 'google'
            : 'crm'
          : bySide.crm
            ? 'crm'
            : 'google';
      const wanted = fieldSignature({ ...emptyContact(), ...bySide[winner] } as Contact, field);
      check(
        fieldSignature(cr.contact, field) === wanted,
        `${field} of ${nameOf(who)} is ${JSON.stringify(fieldSignature(cr.contact, field))}, but the users' edits (newest-wins) give ${JSON.stringify(wanted)}`,
      );
    }
    pending = new Map();
    baseline = new Map();
    unsettled.clear();
  };

  for (const cmd of commands) {
    trace.push(JSON.stringify(cmd));
    // People act at distinct moments; two versions of a record never share a timestamp.
    w.clock.advance(1000);
    switch (cmd.k) {
      case 'tick':
        w.clock.advance(cmd.ms);
        break;
      case 'create': {
        if (created[cmd.side].has(cmd.who) || idOf(cmd.side, cmd.who)) break;
        created[cmd.side].add(cmd.who);
        unsettled.add(cmd.who);
        if (cmd.side === 'crm') w.createCrm(cmd.who, cmd.inGroup);
        else w.createGoogle(cmd.who, cmd.inGroup);
        break;
      }
      case 'edit': {
        const id = idOf(cmd.side, cmd.who);
        if (!id) break;
        const tracked = inSync(cmd.who);
        const key = `${cmd.who}/${cmd.field}`;
        if (tracked && !baseline.has(key)) {
          // The pair is in sync, so Google's value before the first edit is the synced one.
          const person = w.googleOf(cmd.who) as Person | undefined;
          if (person) baseline.set(key, fieldSignature(personToContact(person).contact, cmd.field));
        }
        editSide(w, cmd.side, id, cmd.field, cmd.who, cmd.value);
        touched[cmd.side].set(cmd.who, w.clock.now());
        if (tracked) {
          pending.set(key, { ...pending.get(key), [cmd.side]: editedValue(cmd.field, cmd.who, cmd.value) });
        } else unsettled.add(cmd.who);
        break;
      }
      case 'group': {
        const id = idOf(cmd.side, cmd.who);
        if (!id) break;
        unsettled.add(cmd.who);
        if (cmd.side === 'crm') w.setGroupCrm(id, cmd.inGroup);
        else w.setGroupGoogle(id, cmd.inGroup);
        if (cmd.side === 'google' || !cmd.inGroup) touched[cmd.side].set(cmd.who, w.clock.now());
        break;
      }
      case 'delete': {
        const id = idOf(cmd.side, cmd.who);
        if (!id) break;
        unsettled.add(cmd.who);
        deletedByUser[cmd.side].add(id);
        if (cmd.side === 'crm') w.creatio.ui.deleteContact(id);
        else w.google.user.deleteContact(w.account, id);
        break;
      }
      case 'fault':
        injectFault(w, cmd.side, cmd.fault, cmd.times);
        break;
      case 'sync': {
        w.clock.advance(60_000);
        if (cmd.trigger === 'concurrent') {
          const [a, b] = await Promise.all([job(request('schedule')), job(request('manual'))]);
          await clean(a.ack && a.result === 'done' ? a : b);
        } else {
          const req = request(cmd.trigger === 'duplicate' ? 'schedule' : cmd.trigger);
          const outcome = await job(req);
          if (cmd.trigger === 'duplicate') await job(req); // Pub/Sub delivered it twice
          await clean(outcome);
        }
        await drain();
        break;
      }
      case 'crash': {
        w.clock.advance(60_000);
        const req = request('schedule');
        const lease = await w.connections.acquireLease(req, 'doomed', w.clock.now(), LEASE_TTL);
        if (!lease.ok) break;
        w.armCrash(cmd.at, cmd.after);
        try {
          const report = await runSync(
            {
              ...w.openSides(),
              state: w.connections.syncState(lease.connection),
              clock: w.clock,
              newId: w.newId,
            },
            { policy: 'newest-wins', deadline: w.clock.now() + BUDGET },
          );
          // The run finished before the crash point: commit it as the job would have.
          w.crashPlan = null;
          await w.connections.finishRun(TENANT, USER, {
            runId: req.runId,
            attempt: 'doomed',
            checkpoint: null,
            status: 'ok',
            statusReason: null,
            summary: {
              runId: req.runId,
              trigger: 'schedule',
              startedAt: req.requestedAt,
              endedAt: w.clock.now(),
              outcome: 'ok',
              counts: {},
              error: null,
              reason: null,
            },
            nextDueAt: w.clock.now(),
          });
          trace.push('  -> finished before the crash point');
          // A whole run settles the edits before it, like any clean run: later edits start anew.
          if (report.outcome === 'ok' && !report.more) await checkEdits();
          break;
        } catch (e) {
          w.crashPlan = null;
          // A fault may stop the doomed run before its crash point: it dies all the same, lease held.
          trace.push(
            `  -> ${e instanceof Crash ? e.message : `died of ${e instanceof Error ? e.name : 'error'} before the crash point`}`,
          );
        }
        // No cursor check here: a run dies before its last call, the only one that moves cursors, so
        // such a check could not fail. The property test (convergence.test.ts) checks the cursors of
        // runs stopped at their deadline, refused or dead at every call.
        // Pub/Sub redelivers: while the dead attempt's lease lives the job asks to come back later.
        const retry = await job(req);
        check(!retry.ack, 'a redelivery ran while the dead attempt still held the lease');
        if (cmd.retryAfterLease) {
          w.clock.advance(LEASE_TTL + 1);
          await clean(await job(req));
          await drain();
        }
        break;
      }
    }
    remember();
  }

  // The end: no faults, time enough for every lease, token and daily full read; then clean runs.
  w.google.faults.clear();
  w.creatio.faults.clear();
  w.clock.advance(25 * 3600_000);
  trace.push('final clean syncs');
  for (let i = 0; i < 3; i++) {
    w.clock.advance(20 * 60_000);
    const outcome = await job(request(i === 0 ? 'schedule' : 'manual'));
    await drain();
    check(
      outcome.ack && (outcome.result === 'done' || outcome.result === 'refused'),
      `a clean sync did not finish: ${JSON.stringify(outcome)}`,
    );
    if (outcome.ack && outcome.result === 'refused') {
      // A person confirms what the guard refused, as the status page would ask them to.
      const c = w.connections.rows.get(`${TENANT}/${USER}`)!;
      c.allowLargeRemoval = true;
      c.status = 'ok';
      i--;
      continue;
    }
    if (i === 0) await checkEdits();
  }
  await invariants(w, links(), deletedByUser, seen);
}

async function invariants(
  w: SimWorld,
  links: Link[],
  deletedByUser: Record<SimSide, Set<string>>,
  seen: Record<SimSide, Set<string>>,
): Promise<void> {
  // No duplicates: one record per person and side.
  const crmNames = w.crmContacts().map((r) => String(r.GivenName));
  const googleNames = w
    .googlePeople()
    .map((p) => String((p.names as { givenName?: string }[] | undefined)?.[0]?.givenName));
  check(new Set(crmNames).size === crmNames.length, `duplicate CRM contacts: ${crmNames.sort().join(',')}`);
  check(
    new Set(googleNames).size === googleNames.length,
    `duplicate Google contacts: ${googleNames.sort().join(',')}`,
  );

  // Nothing deleted: every record ever seen still exists unless its user deleted it.
  const crmAlive = new Set(w.crmContacts().map((r) => String(r.Id)));
  const googleAlive = new Set(w.googlePeople().map((p) => String(p.resourceName)));
  for (const id of seen.crm)
    check(crmAlive.has(id) || deletedByUser.crm.has(id), `the sync deleted CRM contact ${id}`);
  for (const id of seen.google)
    check(googleAlive.has(id) || deletedByUser.google.has(id), `the sync deleted Google contact ${id}`);

  // Group memberships equal, through the pairs.
  const active = links.filter((l) => l.status === 'active');
  const crmMembers = new Set(w.crmMembers());
  const googleMembers = new Set(w.googleMembers());
  check(
    links.every((l) => l.status !== 'pending'),
    'a create is still in doubt after clean runs',
  );
  check(
    active.length === crmMembers.size,
    `CRM group has ${crmMembers.size} members, ${active.length} pairs`,
  );
  check(
    active.length === googleMembers.size,
    `Google group has ${googleMembers.size} members, ${active.length} pairs`,
  );
  for (const l of active) {
    check(
      l.crmId !== null && crmMembers.has(l.crmId),
      `paired CRM contact ${l.crmId} is not in the static group`,
    );
    check(
      l.googleId !== null && googleMembers.has(l.googleId),
      `paired Google contact ${l.googleId} is not in the group`,
    );
  }

  // Pairs equal in every mapped field, read back through the adapters.
  const sides = w.openSides();
  const crm = await sides.crm.fetch(active.map((l) => l.crmId!));
  const google = await sides.google.fetch(active.map((l) => l.googleId!));
  const byId = new Map([...crm.records, ...google.records].map((r) => [r.id, r.contact]));
  for (const l of active) {
    const c = byId.get(l.crmId!);
    const g = byId.get(l.googleId!);
    check(
      c !== undefined && g !== undefined && contactsEqual(c, g),
      `pair ${c?.givenName ?? l.crmId} differs between the sides`,
    );
  }
}

function editSide(w: SimWorld, side: SimSide, id: string, field: string, who: number, value: number): void {
  const v = editedValue(field, who, value);
  if (side === 'crm') {
    const ui = w.creatio.ui;
    if (field === 'familyName') ui.updateContact(id, { Surname: v.familyName });
    else if (field === 'jobTitle') ui.updateContact(id, { JobTitle: v.jobTitle });
    else if (field === 'notes') ui.updateContact(id, { Notes: v.notes });
    else if (field === 'birthday') ui.updateContact(id, { BirthDate: v.birthday || null });
    else if (field === 'company') {
      const name = v.company ?? '';
      let account = name ? ui.rows('Account', `$filter=Name eq '${name}'`)[0] : undefined;
      if (name && !account) account = ui.insert('Account', { Name: name });
      ui.updateContact(id, { AccountId: account ? account.Id : null });
    } else if (field === 'phones') {
      for (const row of ui.rows('ContactCommunication', `$filter=ContactId eq ${id}`))
        if (String(row.Number).includes('@') === false) ui.deleteCommunication(String(row.Id));
      for (const p of v.phones ?? []) ui.addCommunication(id, { type: 'MobilePhone', number: p.number });
    }
    return;
  }
  const current = w.google.user.getContact(w.account, id) as Record<string, unknown[]> | undefined;
  const org = ((current?.organizations as Record<string, unknown>[] | undefined) ?? [])[0] ?? {};
  const fields: Record<string, unknown> = {};
  if (field === 'familyName')
    fields.names = [{ givenName: nameOf(who), ...(v.familyName ? { familyName: v.familyName } : {}) }];
  else if (field === 'jobTitle' || field === 'company') {
    const next = {
      ...org,
      [field === 'jobTitle' ? 'title' : 'name']: (field === 'jobTitle' ? v.jobTitle : v.company) || undefined,
    };
    fields.organizations =
      next.title || next.name
        ? [{ ...(next.name ? { name: next.name } : {}), ...(next.title ? { title: next.title } : {}) }]
        : [];
  } else if (field === 'notes')
    fields.biographies = v.notes ? [{ value: v.notes, contentType: 'TEXT_PLAIN' }] : [];
  else if (field === 'phones')
    fields.phoneNumbers = (v.phones ?? []).map((p) => ({ value: p.number, type: 'mobile' }));
  else if (field === 'birthday') {
    const [y, m, d] = (v.birthday ?? '').split('-').map(Number);
    fields.birthdays = v.birthday ? [{ date: { year: y, month: m, day: d } }] : [];
  }
  w.google.user.updateContact(w.account, id, fields);
}

function injectFault(w: SimWorld, side: SimSide, fault: string, times: number): void {
  if (side === 'google') {
    const f = w.google.faults;
    const match = { path: '/v1/', account: w.account };
    if (fault === '429') f.add({ match, status: 429, retryAfterSec: 2, times });
    else if (fault === '5xx') f.add({ match, status: 503, times });
    else if (fault === 'drop' || fault === 'ram') f.add({ match, drop: true, times });
    else if (fault === 'dropAfter') f.add({ match, dropAfter: true, times });
    else if (fault === 'timeout') f.add({ match, delayMs: 600, times: 1 });
    // Google access tokens expire with time (ticks of 90 minutes and more), not by a fault.
    return;
  }
  const f = w.creatio.faults;
  if (fault === '429' || fault === '5xx') f.add({ status: 503, times });
  else if (fault === 'drop' || fault === 'dropAfter') f.add({ status: 502, times });
  else if (fault === 'timeout') f.add({ delayMs: 600, times: 1 });
  else if (fault === 'session') w.creatio.expireAllSessions();
  else if (fault === 'ram') f.add({ ramLimit: true, times: 1 } as Parameters<typeof f.add>[0]);
}
