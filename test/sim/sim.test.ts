// A few hundred seeds of the whole-system simulation on every `npm test`; `npm run sim -- --seeds N`
// runs any number. A failure names its seed and a shrunk command list to replay.
import assert from 'node:assert/strict';
import { runSeed } from './main.js';
import { closeSimulation } from './world.js';

const SEEDS = Number(process.env.SIM_SEEDS ?? 200);
const FROM = Number(process.env.SIM_FROM ?? 1);
// Seeds that once failed in a long run, kept so that what they found stays fixed. 1319: a phone edit
// settled by a whole run, then replaced in Google, was taken for a concurrent edit by the checker.
// 757: Google "cleared" a job title that was already empty while the CRM set one; the checker let the
// later no-op edit win, but a three-way merge sees only net changes against the synced value.
const ONCE_FAILED = [1319, 757];

describe(`whole-system simulation (${SEEDS} seeds from ${FROM}): stand-ins over HTTP, real adapters and runner`, function () {
  this.timeout(SEEDS * 5_000);
  after(closeSimulation);

  it('every scenario converges with its invariants held', async () => {
    const failures: string[] = [];
    const seeds = [...ONCE_FAILED, ...Array.from({ length: SEEDS }, (_, i) => FROM + i)];
    for (const seed of new Set(seeds)) {
      const r = await runSeed(seed, failures.length === 0);
      if (!r.ok)
        failures.push(
          `seed ${seed}: ${r.error}\n  replay: npm run sim -- --seed ${seed}\n  minimal: ${JSON.stringify(r.minimal)}`,
        );
    }
    assert.deepEqual(failures, []);
  });
});
