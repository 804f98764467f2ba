// `npm start` end to end: the stack's main function in-process on free ports (its own emulators,
// both stand-ins, the functions), the demo walk-through, and a full stop; plus the CLI's quick refusals
// as child processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portOpen, waitUntil } from '../../../infra/local/emulators-process.js';
import { KEY_FILE } from '../../../infra/local/stack-state.js';
import { parseStackArgs } from '../../../infra/local/stack-options.js';
import type { LocalStack } from '../../../infra/local/stack.js';
import { startLocalStack } from '../../../infra/local/stack.js';
import { DEMO_ACCOUNT, emailsOf, groupsOf } from '../../../infra/standins/google/index.js';
import { skipWith } from '../../support/emulators.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GROUP = "bpm'online";

const portOf = (hostOrUrl: string): number => Number(/:(\d+)(?:\/|$)/.exec(hostOrUrl)?.[1]);

async function startDemoStack(stateDir: string, say: (line: string) => void): Promise<LocalStack> {
  const parsed = parseStackArgs(
    [
      ...['functions', 'google', 'creatio', 'firestore', 'pubsub'].flatMap((p) => [`--${p}-port`, '0']),
      ...['--state-dir', stateDir, '--tick-seconds', '2', '--demo-and-exit'],
    ],
    {},
  );
  if (parsed.help) throw new Error('unexpected --help');
  const env = { ...process.env };
  // The stand-ins, whatever the machine's shell has set.
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'CREATIO_URL', 'TOKEN_ENCRYPTION_KEY'])
    delete env[name];
  return startLocalStack(parsed.options, env, say);
}

describe('npm start: the local stack', function () {
  this.timeout(180_000);
  let stack: LocalStack | null = null;
  let stateDir: string;
  const lines: string[] = [];
  const transcript = () => lines.slice(-40).join('\n');

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'contact-sync-start-'));
    stack = await startDemoStack(stateDir, (line) => lines.push(line));
  });

  after(async () => {
    await stack?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('walks the demo to the end', () => {
    assert.ok(stack, 'started');
    assert.equal(stack.demoError, null, transcript());
    assert.ok(stack.demo, transcript());
    assert.ok(
      lines.some((l) => l.startsWith('Demo complete:')),
      transcript(),
    );
  });

  it('connected the demo Google account through oauthStart and oauthCallback', async () => {
    const c = await stack!.app.connections.get(stack!.api.tenantId, stack!.api.userId);
    assert.ok(c, 'the connection exists');
    assert.equal(c.google?.email, DEMO_ACCOUNT);
    assert.equal(c.status, 'ok');
    assert.equal(c.enabled, true);
    assert.ok(c.recentRuns.length >= 3, 'the three demo runs are recorded');
    assert.ok(c.recentRuns.every((r) => r.outcome === 'ok'));
  });

  it('created the Google group once, on the first sync', () => {
    const groups = stack!.google!.user.listGroups(DEMO_ACCOUNT).filter((g) => g.name === GROUP);
    assert.equal(groups.length, 1);
    assert.equal(stack!.demo!.groupsBefore, 0);
    assert.equal(stack!.demo!.groupsAfter, 1);
  });

  it('moved contacts both ways and linked the overlapping ones by email', () => {
    const demo = stack!.demo!;
    const google = stack!.google!;
    const creatio = stack!.creatio!;
    const group = String(google.user.listGroups(DEMO_ACCOUNT).find((g) => g.name === GROUP)!.resourceName);
    const contacts = google.user.listContacts(DEMO_ACCOUNT);

    assert.ok(demo.createdInGoogle >= 1 && demo.createdInCrm >= 1, JSON.stringify(demo));
    // Creatio → Google: Miles was only in the static group.
    const miles = contacts.filter((p) => emailsOf(p).includes('miles@example.com'));
    assert.equal(miles.length, 1);
    assert.ok(groupsOf(miles[0]!).includes(group));
    // Google → Creatio: Bo and Cy were put into the group, and are now in the static group.
    const folder = creatio.ui.rows('ContactInFolder', '').map((r) => String(r.ContactId).toLowerCase());
    for (const email of ['bo@example.org', 'cy@example.net']) {
      const rows = creatio.ui.rows('Contact', `$filter=Email eq '${email}'`);
      assert.equal(rows.length, 1, email);
      assert.ok(folder.includes(String(rows[0]!.Id).toLowerCase()), `${email} in the static group`);
    }
    // Linked, not duplicated.
    assert.deepEqual(demo.linkedByEmail, ['ada@example.com', 'alan@example.com']);
    for (const email of demo.linkedByEmail)
      assert.equal(contacts.filter((p) => emailsOf(p).includes(email)).length, 1, email);
    assert.ok(demo.googleEditArrived && demo.crmEditArrived);
  });

  it('prints the API key once, the URLs and the demo group, no hints for a stopped stack, and keeps the key file private', () => {
    const keyLines = lines.filter((l) => l.startsWith('API key: '));
    assert.equal(keyLines.length, 1);
    const key = keyLines[0]!.slice('API key: '.length);
    assert.equal(lines.filter((l) => l.includes(key)).length, 1, 'the key appears nowhere else');
    for (const name of ['syncNow', 'syncStatus', 'oauthStart', 'oauthCallback'])
      assert.ok(
        lines.some((l) => l.includes(stack!.functions.url(name as 'syncNow'))),
        name,
      );
    // What Pub/Sub gives up on reaches deadLetter, as deployed.
    assert.ok(
      lines.some((l) => l.includes(stack!.functions.url('deadLetter')) && /dead/.test(l)),
      'the dead-letter route',
    );
    // --demo-and-exit stops everything next: no hints for a stack that is gone.
    assert.ok(!lines.some((l) => l.includes('curl ')), 'no curl hints');
    assert.ok(
      lines.some((l) => /^CRM group to sync: [0-9a-f-]{36}/.test(l)),
      'the demo group id',
    );
    assert.ok(lines.some((l) => l.includes(stack!.google!.url)));
    assert.ok(lines.some((l) => l.includes(stack!.creatio!.url)));
    assert.ok(lines.some((l) => l.includes(stack!.emulatorHosts.firestore)));
    assert.equal(statSync(join(stateDir, KEY_FILE)).mode & 0o077, 0, 'key file readable by its owner only');
    for (const l of lines)
      assert.doesNotMatch(l, /Supervisor\/Supervisor|ticket=[A-Za-z0-9]|code=[A-Za-z0-9]/);
  });

  it("signs the demo salesperson in to the pages by the stack's link", async () => {
    const url = new URL(stack!.signIn.user);
    assert.ok(url.href.startsWith(stack!.functions.url('pages')));
    assert.equal((await fetch(url)).status, 200, 'opening the link shows a button and spends nothing');
    const token = url.searchParams.get('token')!;
    const signIn = await fetch(`${stack!.functions.url('pages')}/signin`, {
      method: 'POST',
      body: new URLSearchParams({ token }),
      redirect: 'manual',
    });
    assert.equal(signIn.status, 303);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const page = await fetch(`${stack!.functions.url('pages')}/`, { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), new RegExp(`Syncing as ${DEMO_ACCOUNT.replace('.', '\\.')}`));
  });

  it('stops everything it started', async () => {
    const s = stack!;
    const ports = [
      portOf(s.functions.base),
      s.google!.port,
      s.creatio!.port,
      portOf(s.emulatorHosts.firestore),
      ...(s.emulatorHosts.pubsub ? [portOf(s.emulatorHosts.pubsub)] : []),
    ];
    await s.stop();
    for (const port of ports)
      assert.ok(await waitUntil(async () => !(await portOpen(port)), 10_000), `127.0.0.1:${port} closed`);
  });
});

describe('npm start: the command line', function () {
  this.timeout(60_000);

  function run(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts', ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
  }

  it('--help prints the flags and variables', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0, r.out);
    for (const s of [
      '--tick-seconds',
      '--demo-and-exit',
      'GOOGLE_CLIENT_ID',
      'CREATIO_URL',
      'CREATIO_GROUP_ID',
    ])
      assert.ok(r.out.includes(s), s);
  });

  it('refuses an unknown flag and an incomplete real Creatio with exit code 2, echoing no value', async () => {
    assert.equal((await run(['--bogus'])).code, 2);
    const r = await run([], {
      CREATIO_URL: 'https://tenant.example',
      CREATIO_USER: 'someone',
      CREATIO_PASSWORD: 'pw-xyz',
    });
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /CREATIO_GROUP_ID/);
    assert.doesNotMatch(r.out, /pw-xyz/);
  });

  it('without the Cloud SDK: --demo-and-exit completes with in-process delivery, says so, and exits 0', async function () {
    const stateDir = mkdtempSync(join(tmpdir(), 'contact-sync-start-'));
    try {
      const ports = ['functions', 'google', 'creatio', 'firestore', 'pubsub'].flatMap((p) => [
        `--${p}-port`,
        '0',
      ]);
      const r = await run([...ports, '--state-dir', stateDir, '--demo-and-exit'], {
        CONTACT_SYNC_NO_GCLOUD: '1',
      });
      if (r.code !== 0 && /is not installed/.test(r.out))
        return skipWith(this, 'no Firestore fallback package');
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /^Pub\/Sub: no emulator .*delivered in-process/m);
      assert.match(r.out, /^Firestore: gcloud emulator not found/m);
      assert.match(r.out, /in-process push → http:\/\/127\.0\.0\.1:\d+\/syncUser .*then dead-lettered/);
      assert.match(r.out, /in-process push → http:\/\/127\.0\.0\.1:\d+\/deadLetter/);
      assert.match(r.out, /^Demo complete: /m);
      assert.match(r.out, /^Demo completed; everything stopped\.$/m);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('names the flag to change when a chosen port is busy, before starting anything', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await run([
        '--creatio-port',
        String(port),
        '--state-dir',
        join(tmpdir(), 'contact-sync-unused'),
      ]);
      assert.equal(r.code, 1, r.out);
      assert.match(
        r.out,
        new RegExp(`127\\.0\\.0\\.1:${port} \\(creatio\\) is already in use.*--creatio-port`),
      );
      assert.doesNotMatch(r.out, /Starting the Firestore/);
    } finally {
      busy.close();
    }
  });
});
