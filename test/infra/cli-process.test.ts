// The two commands as an operator runs them: real entry points in child processes, the tenant command
// against the Firestore emulator (FIRESTORE_EMULATOR_HOST) and provisioning in plan mode only.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { tenantDoc } from '../../shared/adapters/firestore/paths.js';
import { sha256 } from '../../shared/secrets.js';
import { firestoreEmulator, newFirestore, uniqueProjectId } from '../support/emulators.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function run(script: string, args: string[], env: Record<string, string>) {
  // Only what the command needs: no credentials or emulator settings leak in from the test's shell.
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_OPTIONS: '' };
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { cwd: ROOT, env: { ...base, ...env }, timeout: 60_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('the commands in a child process', () => {
  it('npm run tenant -- add: prints the key once, stores its hash, skips the scheduler on the emulator, exits', async () => {
    const project = uniqueProjectId('tenantproc');
    const env = {
      FIRESTORE_EMULATOR_HOST: (await firestoreEmulator()).host,
      GOOGLE_CLOUD_PROJECT: project,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      CREATIO_PASSWORD: 'process-test-password',
    };
    const r = await run(
      'infra/tenant.ts',
      [
        'add',
        '--tenant',
        'proc',
        '--creatio-url',
        'http://127.0.0.1:5000',
        '--creatio-user',
        'Supervisor',
        '--no-check',
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const keys = r.stdout.split('\n').filter((l) => l.startsWith('API key: '));
    assert.equal(keys.length, 1);
    assert.match(r.stdout, /Scheduler: skipped \(FIRESTORE_EMULATOR_HOST is set/);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(env.CREATIO_PASSWORD));
    assert.ok(!`${r.stdout}${r.stderr}`.includes(env.TOKEN_ENCRYPTION_KEY));

    const db = await newFirestore(project);
    const doc = (await tenantDoc(db, 'proc').get()).data();
    assert.equal(doc?.apiKeyHash, sha256(keys[0]!.slice('API key: '.length)));
  });

  it('npm run tenant with invalid arguments exits 2 with the reason on stderr', async () => {
    const r = await run('infra/tenant.ts', ['add', '--tenant', 'x', '--interval', '2'], {
      GOOGLE_CLOUD_PROJECT: 'demo-never-used',
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^tenant: --creatio-url is required/);
    assert.equal(r.stdout, '');
  });

  it('npm run provision -- --plan prints the plan and exits 0 without gcloud', async () => {
    const r = await run(
      'infra/provision.ts',
      ['--project', 'acme-sync-prod', '--region', 'us-east4', '--plan'],
      {
        PATH: '/nonexistent', // a gcloud call would fail loudly
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /plan mode: nothing is called/);
    assert.match(r.stdout, /gcloud functions deploy syncUser /);
  });

  it('npm run provision with a bad region exits 2', async () => {
    const r = await run(
      'infra/provision.ts',
      ['--project', 'acme-sync-prod', '--region', 'east', '--plan'],
      {},
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--region "east" is not a Google Cloud region/);
  });
});
