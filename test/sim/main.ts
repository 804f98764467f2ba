// `npm run sim -- --seeds N [--seed S] [--jobs J]`: the deterministic whole-system simulation.
// Each seed is one scenario; a failure prints its seed, a shrunk command list that still fails, and
// its trace, so that `npm run sim -- --seed S` (or `--replay '<json>'`) reproduces it.
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Command } from './commands.js';
import { generate } from './commands.js';
import { Rng } from './rng.js';
import { runScenario } from './scenario.js';
import { closeSimulation } from './world.js';

export const commandsFor = (seed: number): Command[] => {
  const rng = new Rng(seed);
  return generate(rng, 10 + rng.int(30));
};

/** Delta debugging, bounded: drop chunks of commands while the scenario still fails. */
export async function shrink(seed: number, commands: Command[], budget = 150): Promise<Command[]> {
  let best = commands;
  let chunk = Math.max(1, Math.floor(best.length / 2));
  let tries = 0;
  while (chunk >= 1 && tries < budget) {
    let progressed = false;
    for (let i = 1; i < best.length && tries < budget; i += chunk) {
      const candidate = [...best.slice(0, i), ...best.slice(i + chunk)];
      tries++;
      if (!(await runScenario(seed, candidate)).ok) {
        best = candidate;
        progressed = true;
        i -= chunk;
      }
    }
    if (!progressed) chunk = Math.floor(chunk / 2);
  }
  return best;
}

export interface SeedReport {
  seed: number;
  ok: boolean;
  error: string | null;
  minimal?: Command[];
  trace?: string[];
}

export async function runSeed(seed: number, doShrink = true): Promise<SeedReport> {
  const commands = commandsFor(seed);
  const first = await runScenario(seed, commands);
  if (first.ok) return { seed, ok: true, error: null };
  const minimal = doShrink ? await shrink(seed, commands) : commands;
  const again = await runScenario(seed, minimal);
  return {
    seed,
    ok: false,
    error: again.error ?? first.error,
    minimal,
    trace: again.ok ? first.trace : again.trace,
  };
}

function printFailure(r: SeedReport): void {
  console.log(`\nFAIL seed ${r.seed}: ${r.error}`);
  console.log(`replay: npm run sim -- --seed ${r.seed}`);
  console.log(`minimal commands: ${JSON.stringify(r.minimal)}`);
  console.log(`trace:\n${(r.trace ?? []).map((l) => `  ${l}`).join('\n')}`);
}

async function worker(from: number, to: number): Promise<void> {
  for (let seed = from; seed < to; seed++) {
    const r = await runSeed(seed);
    process.stdout.write(`${JSON.stringify(r.ok ? { seed, ok: true } : r)}\n`);
  }
  await closeSimulation();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '100' },
      seed: { type: 'string' },
      from: { type: 'string', default: '1' },
      jobs: { type: 'string', default: String(Math.max(1, cpus().length)) },
      replay: { type: 'string' },
      worker: { type: 'boolean', default: false },
      to: { type: 'string' },
    },
  });
  if (values.worker) return worker(Number(values.from), Number(values.to));
  if (values.replay !== undefined) {
    const r = await runScenario(Number(values.seed ?? 1), JSON.parse(values.replay) as Command[]);
    console.log(r.ok ? 'ok' : `FAIL: ${r.error}\n${r.trace.join('\n')}`);
    await closeSimulation();
    process.exitCode = r.ok ? 0 : 1;
    return;
  }
  if (values.seed !== undefined) {
    const r = await runSeed(Number(values.seed));
    await closeSimulation();
    if (r.ok) console.log(`seed ${values.seed}: ok`);
    else printFailure(r);
    process.exitCode = r.ok ? 0 : 1;
    return;
  }
  const from = Number(values.from);
  const total = Number(values.seeds);
  const jobs = Math.max(1, Math.min(Number(values.jobs), total));
  const started = Date.now();
  const per = Math.ceil(total / jobs);
  const failures: SeedReport[] = [];
  let passed = 0;
  const self = fileURLToPath(import.meta.url);
  await Promise.all(
    Array.from({ length: jobs }, (_, j) => {
      const a = from + j * per;
      const b = Math.min(from + total, a + per);
      if (a >= b) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', self, '--worker', '--from', String(a), '--to', String(b)],
          {
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (!line.startsWith('{')) continue;
            const r = JSON.parse(line) as SeedReport;
            if (r.ok) passed++;
            else {
              failures.push(r);
              printFailure(r);
            }
            const done = passed + failures.length;
            if (done % 500 === 0) console.error(`  ${done}/${total} seeds, ${failures.length} failed`);
          }
        });
        child.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`worker ${j} exited with ${code}`)),
        );
      });
    }),
  );
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `\n${passed + failures.length} seeds (${from}..${from + total - 1}), ${passed} passed, ${failures.length} failed, ${secs} s, ${jobs} jobs`,
  );
  process.exitCode = failures.length === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
