// Fail fast: a function started as the platform starts it (functions-framework in its own process,
// FUNCTION_TARGET set, on loopback) refuses to start when its configuration is incomplete, and its log
// names every missing variable; with the configuration complete the same command serves requests.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { completeFunctionEnv } from '../support/functionEnv.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(
  new URL('../../node_modules/@google-cloud/functions-framework/build/src/main.js', import.meta.url),
);

const COMPLETE = completeFunctionEnv();

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

interface Started {
  exitCode: number | null;
  output: string;
  answered: number | null;
}

/** Starts syncStatus; waits until it exits or answers a request on its port (bounded: 40 s). */
async function start(env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, `--source=functions/index.ts`], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      FUNCTION_TARGET: 'syncStatus',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 40_000;
  try {
    while (Date.now() < deadline) {
      const done = await Promise.race([exited, new Promise<'wait'>((r) => setTimeout(() => r('wait'), 250))]);
      if (done !== 'wait') return { exitCode: done, output, answered: null };
      try {
        const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
        return { exitCode: null, output, answered: r.status };
      } catch {
        // not listening yet
      }
    }
    throw new Error(`neither exited nor answered within 40 s:\n${output}`);
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  }
}

describe('functions: configuration checked when an instance starts', function () {
  this.timeout(120_000);

  it('refuses to start with missing variables, and its log names every one of them', async () => {
    const env = { ...COMPLETE };
    delete env.GOOGLE_CLIENT_ID;
    delete env.OAUTH_START_URL;
    const r = await start(env);
    assert.equal(r.answered, null, r.output);
    assert.notEqual(r.exitCode, 0, r.output);
    const refusal = r.output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { severity: string; message: string; variables?: string })
      .find((l) => l.message === 'configuration refused: the instance does not start');
    assert.ok(refusal, r.output);
    assert.equal(refusal.severity, 'ERROR');
    assert.deepEqual(refusal.variables!.split(', ').sort(), ['GOOGLE_CLIENT_ID', 'OAUTH_START_URL']);
    assert.ok(!r.output.includes(COMPLETE.GOOGLE_CLIENT_SECRET!), 'a secret in the log');
    assert.ok(!r.output.includes(COMPLETE.TOKEN_ENCRYPTION_KEYS!.slice(3)), 'a key in the log');
  });

  it('names an invalid value too, and starts and answers once the configuration is complete', async () => {
    const bad = await start({ ...COMPLETE, TOKEN_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' });
    assert.equal(bad.answered, null, bad.output);
    assert.match(bad.output, /"variables":"TOKEN_ENCRYPTION_KEYS"/);
    const good = await start(COMPLETE);
    assert.equal(good.exitCode, null, good.output);
    // syncStatus itself answers (a GET without an API key is refused by the function, not the framework).
    assert.ok(good.answered !== null && good.answered < 500, `${good.answered}\n${good.output}`);
  });
});
