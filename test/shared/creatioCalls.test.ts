// The Creatio call meter's rules (shared/creatioCalls.ts) and the job's use of them over the in-memory
// fakes: the UTC day, when the periodic full read waits, what a run adds to the day's count, and that
// a run whose full read is not due reads neither the tenant nor the count.
import assert from 'node:assert/strict';
import type { FullReadCost } from '../../shared/creatioCalls.js';
import { fullReadDeferral, utcDay } from '../../shared/creatioCalls.js';
import type { ContactSide, Tenant, TenantStore } from '../../shared/ports.js';
import { SyncError } from '../../shared/errors.js';
import { syncConnection } from '../../shared/syncConnection.js';
import { JobWorld, TENANT, USER } from '../fakes/job.js';

describe('the Creatio call meter', () => {
  describe('the UTC day', () => {
    const cases: [string, string][] = [
      ['2026-12-05T00:00:00.000Z', '2026-12-05'],
      ['2026-12-05T23:59:59.999Z', '2026-12-05'],
      ['2026-12-06T00:00:00.000Z', '2026-12-06'],
      // Creatio resets at 00:00 UTC whatever the tenant's zone: 23:30 in New York is the next UTC day.
      ['2026-12-05T23:30:00-05:00', '2026-12-06'],
      ['2024-02-29T12:00:00Z', '2024-02-29'],
    ];
    for (const [at, day] of cases)
      it(`${at} counts towards ${day}`, () => assert.equal(utcDay(Date.parse(at)), day));
  });

  describe('whether the periodic full read waits', () => {
    const cases: { name: string; cost: FullReadCost; waits: boolean }[] = [
      { name: 'no budget: never', cost: { used: 1e9, budget: null, expected: 500 }, waits: false },
      { name: 'well under the budget', cost: { used: 100, budget: 10_000, expected: 160 }, waits: false },
      {
        name: 'reaching the budget exactly',
        cost: { used: 9_840, budget: 10_000, expected: 160 },
        waits: false,
      },
      { name: 'one call past the budget', cost: { used: 9_841, budget: 10_000, expected: 160 }, waits: true },
      { name: 'the budget already spent', cost: { used: 10_000, budget: 10_000, expected: 0 }, waits: true },
      {
        name: 'past the budget before it',
        cost: { used: 12_000, budget: 10_000, expected: 160 },
        waits: true,
      },
      {
        name: 'unknown cost, budget left',
        cost: { used: 9_999, budget: 10_000, expected: null },
        waits: false,
      },
      {
        name: 'unknown cost, budget spent',
        cost: { used: 10_000, budget: 10_000, expected: null },
        waits: true,
      },
      { name: 'a full read larger than a day', cost: { used: 0, budget: 100, expected: 101 }, waits: true },
    ];
    for (const c of cases)
      it(`${c.name}: ${c.waits ? 'waits' : 'runs'}`, () => {
        const reason = fullReadDeferral(c.cost);
        assert.equal(reason !== null, c.waits, String(reason));
        if (reason) {
          assert.match(reason, /waits for the next UTC day/);
          assert.match(reason, new RegExp(`budget of ${c.cost.budget!.toLocaleString('en-US')}`));
        }
      });
  });

  describe('the job', () => {
    let w: JobWorld;
    let options: { deferFullRead?: boolean }[];
    let due: { expectedCalls: number | null } | null;
    let billed: number;
    let tenantReads: number;
    let budget: number | undefined;

    const tenants: TenantStore = {
      get: async (tenantId) => {
        tenantReads++;
        return { tenantId, creatioDailyBudget: budget } as Tenant;
      },
      put: async () => undefined,
    };
    // The fake CRM side, with a periodic full read due or not and a bill, as the Creatio adapter has.
    const crmOf = (w: JobWorld): ContactSide =>
      new Proxy(w.crm, {
        get(target, key) {
          if (key === 'periodicFullRead') return () => due;
          if (key === 'billedCalls') return () => billed;
          if (key === 'readChanges')
            return (cursor: string | null, o: Parameters<ContactSide['readChanges']>[1]) => {
              options.push({ ...(o.deferFullRead ? { deferFullRead: true } : {}) });
              return target.readChanges(cursor, o);
            };
          const v = Reflect.get(target, key, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    const run = () => (w.tick(), runAt());
    const runAt = () =>
      syncConnection(
        {
          ...w.deps,
          openSides: async () => ({ crm: crmOf(w), google: w.google }),
          tenants,
          creatioCalls: w.connections,
        },
        { tenantId: TENANT, userId: USER, trigger: 'schedule', runId: `r-${w.time}`, requestedAt: w.time },
      );
    const usedToday = (n: number) => w.connections.creatioCalls.set(`${TENANT}/${utcDay(w.time)}`, n);
    const row = () => w.connections.rows.get(`${TENANT}/${USER}`)!;

    beforeEach(async () => {
      w = new JobWorld();
      await w.connect();
      options = [];
      due = null;
      billed = 0;
      tenantReads = 0;
      budget = 1_000;
    });

    it('a full read that would pass the budget waits; the run reads what changed, ends ok and says why', async () => {
      due = { expectedCalls: 300 };
      usedToday(800);
      const out = await run();
      assert.equal(out.ack && out.result, 'done');
      assert.deepEqual(options, [{ deferFullRead: true }]);
      assert.match(out.reason ?? '', /daily full read waits for the next UTC day: 800 billed Creatio calls/);
      assert.equal(row().status, 'ok');
      assert.equal(row().statusReason, out.reason);
      assert.equal(row().recentRuns[0]!.reason, out.reason);
      assert.equal(row().recentRuns[0]!.outcome, 'ok');
    });

    it('a full read within the budget runs', async () => {
      due = { expectedCalls: 200 };
      usedToday(800);
      const out = await run();
      assert.deepEqual(options, [{}]);
      assert.equal(out.reason, null);
    });

    it('without a budget nothing waits', async () => {
      due = { expectedCalls: 200 };
      budget = undefined;
      usedToday(1e9);
      await run();
      assert.deepEqual(options, [{}]);
    });

    it('a run whose full read is not due reads neither the tenant nor the count', async () => {
      usedToday(1e9);
      await run();
      assert.equal(tenantReads, 0);
      assert.deepEqual(options, [{}]);
    });

    it("adds the run's billed calls to the day it ended, even a failed run's", async () => {
      billed = 7;
      await run();
      assert.equal(await w.connections.today(TENANT, w.time), 7);
      billed = 5;
      w.crm.hook = (call) => {
        if (call === 'readChanges') throw new SyncError('unavailable', 'Creatio is down', { side: 'crm' });
      };
      const failed = await run();
      assert.equal(failed.ack, false, JSON.stringify(failed));
      w.crm.hook = () => {};
      assert.equal(await w.connections.today(TENANT, w.time), 12);
      w.time = Date.parse(utcDay(w.time) + 'T00:00:00Z') + 86_400_000;
      assert.equal(await w.connections.today(TENANT, w.time), 0, 'a new UTC day starts at zero');
    });
  });
});
