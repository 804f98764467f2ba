// `npm run tenant` against the Firestore emulator, run in-process with recording output and a recording
// scheduler. The stored document is read back through the product's own codec, store and API-key check,
// so what the command writes is what the functions accept. No Google Cloud is called.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2Client } from 'google-auth-library';
import type { Firestore } from '@google-cloud/firestore';
import { authorizeTenant } from '../../shared/apiKeys.js';
import { FirestoreMeter, FirestoreTenants } from '../../shared/adapters/firestore/index.js';
import { connectionDoc, tenantDoc } from '../../shared/adapters/firestore/paths.js';
import { crc32c } from '../../shared/adapters/secretmanager/crc32c.js';
import { Sealer, sha256 } from '../../shared/secrets.js';
import type { TickJob, TickScheduler } from '../../infra/deploy/scheduler.js';
import type { TenantDeps } from '../../infra/deploy/tenantCli.js';
import { tenantMain } from '../../infra/deploy/tenantCli.js';
import type { CreatioStandin } from '../../infra/standins/creatio/index.js';
import { startCreatioStandin } from '../../infra/standins/creatio/index.js';
import {
  firestoreEmulator,
  newFirestore,
  skipOnFirestoreFallback,
  uniqueProjectId,
} from '../support/emulators.js';

const KEY = randomBytes(32);
const KEY_B64 = KEY.toString('base64');
const PASSWORD = 'Pa55-word-only-the-crm-knows';
const CLIENT_SECRET = 'client-secret-only-the-crm-knows';

interface Run {
  code: number;
  out: string[];
  err: string[];
  text: string;
  jobs: TickJob[];
  removed: string[];
}

describe('npm run tenant (Firestore emulator)', function () {
  let project: string;
  let db: Firestore;
  let emulatorHost: string;

  before(async () => {
    project = uniqueProjectId('tenant');
    db = await newFirestore(project);
    emulatorHost = (await firestoreEmulator()).host;
  });

  /** Runs the command; `emulated` sets FIRESTORE_EMULATOR_HOST in its environment as a developer would. */
  async function tenant(
    argv: string[],
    options: { env?: Record<string, string>; emulated?: boolean; scheduler?: Partial<TickScheduler> } = {},
  ): Promise<Run> {
    const run: Run = { code: -1, out: [], err: [], text: '', jobs: [], removed: [] };
    const deps: TenantDeps = {
      env: {
        GOOGLE_CLOUD_PROJECT: project,
        TOKEN_ENCRYPTION_KEY: KEY_B64,
        ...(options.emulated === false ? {} : { FIRESTORE_EMULATOR_HOST: emulatorHost }),
        ...options.env,
      },
      out: (l) => run.out.push(l),
      err: (l) => run.err.push(l),
      firestore: (projectId) => {
        assert.equal(projectId, project);
        return db;
      },
      scheduler: () => ({
        upsert: async (job) => {
          run.jobs.push(job);
          return 'created';
        },
        remove: async (name) => {
          run.removed.push(name);
          return 'deleted';
        },
        ...options.scheduler,
      }),
      now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
    };
    run.code = await tenantMain(argv, deps);
    run.text = [...run.out, ...run.err].join('\n');
    return run;
  }

  const cookieArgs = (id: string) => [
    'add',
    '--tenant',
    id,
    '--creatio-url',
    'https://acme.creatio.com',
    '--creatio-user',
    'Supervisor',
    '--creatio-password',
    PASSWORD,
    // No Creatio at that address: the check has tests of its own, against the stand-in.
    '--no-check',
  ];
  const stored = async (id: string) => (await tenantDoc(db, id).get()).data();
  const apiKeyOf = (run: Run): string => {
    const lines = run.out.filter((l) => l.startsWith('API key: '));
    assert.equal(lines.length, 1, 'the key is printed exactly once');
    assert.match(lines[0]!, /^API key: [A-Za-z0-9_-]{43}$/);
    return lines[0]!.slice('API key: '.length);
  };

  it('registers a tenant: sealed password, hashed key printed once, no plaintext secret stored or printed', async () => {
    const run = await tenant([
      ...cookieArgs('acme'),
      '--interval',
      '30',
      '--google-group',
      'Sales',
      '--policy',
      'crm-wins',
      '--max-concurrent-runs',
      '5',
      '--creatio-daily-budget',
      '25000',
    ]);
    assert.equal(run.code, 0, run.text);
    const key = apiKeyOf(run);
    assert.ok(!run.text.includes(PASSWORD));

    const doc = await stored('acme');
    assert.ok(doc);
    const json = JSON.stringify(doc);
    assert.ok(!json.includes(PASSWORD), 'no plaintext password in the document');
    assert.ok(!json.includes(key), 'no plaintext API key in the document');
    assert.equal(doc.apiKeyHash, sha256(key));
    assert.equal(doc.creatio.auth.mode, 'cookie');
    assert.equal(doc.creatio.auth.userName, 'Supervisor');
    assert.equal(new Sealer(KEY).open(doc.creatio.auth.passwordSealed, 'creatio:acme'), PASSWORD);
    assert.throws(() => new Sealer(KEY).open(doc.creatio.auth.passwordSealed, 'creatio:other'));
    assert.deepEqual(doc.defaults, { intervalMinutes: 30, googleGroupName: 'Sales', policy: 'crm-wins' });
    assert.equal(doc.maxConcurrentRuns, 5);
    assert.equal(doc.creatioDailyBudget, 25_000);
    assert.equal(doc.createdAt, Date.UTC(2026, 0, 2, 3, 4, 5));

    // The functions' own store and API-key check accept what was written.
    const tenants = new FirestoreTenants(db, new FirestoreMeter());
    assert.equal((await authorizeTenant(tenants, 'acme', key)).tenantId, 'acme');
    await assert.rejects(authorizeTenant(tenants, 'acme', `${key}x`));

    assert.deepEqual(run.jobs, [], 'no scheduler job against the emulator');
    assert.match(run.text, /Scheduler: skipped \(FIRESTORE_EMULATOR_HOST is set/);
  });

  it('registers an OAuth tenant with the client secret taken from CREATIO_CLIENT_SECRET', async () => {
    const run = await tenant(
      [
        'add',
        '--tenant',
        'globex.eu',
        '--creatio-url',
        'https://globex.creatio.com',
        '--creatio-client-id',
        'sync-client',
        '--creatio-token-url',
        'https://globex-is.creatio.com/connect/token',
        '--no-scheduler',
        '--no-check',
      ],
      { env: { CREATIO_CLIENT_SECRET: CLIENT_SECRET } },
    );
    assert.equal(run.code, 0, run.text);
    apiKeyOf(run);
    const doc = await stored('globex.eu');
    assert.ok(doc && !JSON.stringify(doc).includes(CLIENT_SECRET));
    assert.equal(doc.creatio.auth.mode, 'oauth');
    assert.equal(doc.creatio.auth.tokenUrl, 'https://globex-is.creatio.com/connect/token');
    assert.equal(
      new Sealer(KEY).open(doc.creatio.auth.clientSecretSealed, 'creatio:globex.eu'),
      CLIENT_SECRET,
    );
    assert.deepEqual(doc.defaults, {
      intervalMinutes: 15,
      googleGroupName: "bpm'online",
      policy: 'newest-wins',
    });
    assert.match(run.text, /Scheduler: skipped \(--no-scheduler was given\)/);
  });

  it('reads the key ring from Secret Manager with its client when TOKEN_ENCRYPTION_SECRET names it', async () => {
    const version = 'projects/p/secrets/contact-sync-token-key/versions/1';
    const ring = Buffer.from(`k1:${KEY_B64}`);
    const asked: { url: string; authorization: string | undefined }[] = [];
    // Secret Manager's REST surface (v1 versions.access), which the client speaks with fallback: true.
    const server = createServer((req, res) => {
      asked.push({ url: req.url ?? '', authorization: req.headers.authorization });
      const ok = req.url?.split('?')[0] === `/v1/${version}:access`;
      res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' }).end(
        JSON.stringify(
          ok
            ? {
                name: version,
                payload: { data: ring.toString('base64'), dataCrc32c: String(crc32c(ring)) },
              }
            : { error: { code: 404, status: 'NOT_FOUND', message: 'not found' } },
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: 'test-access-token', expiry_date: Date.now() + 3_600_000 });
    const options = {
      fallback: true,
      protocol: 'http',
      apiEndpoint: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      authClient,
    };
    const out: string[] = [];
    try {
      const code = await tenantMain(['add', ...cookieArgs('initech').slice(1), '--no-scheduler'], {
        env: { GOOGLE_CLOUD_PROJECT: project, TOKEN_ENCRYPTION_SECRET: version },
        out: (l) => out.push(l),
        err: (l) => out.push(l),
        firestore: () => db,
        scheduler: () => assert.fail('no scheduler'),
        now: () => 0,
        secretManager: () => options,
      });
      assert.equal(code, 0, out.join('\n'));
      assert.equal(asked.length, 1);
      assert.equal(asked[0]!.url.split('?')[0], `/v1/${version}:access`);
      assert.equal(asked[0]!.authorization, 'Bearer test-access-token');
      const doc = await stored('initech');
      assert.match(doc!.creatio.auth.passwordSealed, /^v2\.k1\./);
      assert.equal(
        new Sealer({ current: 'k1', keys: [{ id: 'k1', key: KEY }] }).open(
          doc!.creatio.auth.passwordSealed,
          'creatio:initech',
        ),
        PASSWORD,
      );

      // A version Secret Manager refuses stops the command, and nothing is stored.
      const bad = await tenantMain(['add', ...cookieArgs('initech2').slice(1), '--no-scheduler'], {
        env: { GOOGLE_CLOUD_PROJECT: project, TOKEN_ENCRYPTION_SECRET: version.replace('/1', '/2') },
        out: (l) => out.push(l),
        err: (l) => out.push(l),
        firestore: () => db,
        scheduler: () => assert.fail('no scheduler'),
        now: () => 0,
        secretManager: () => options,
      });
      assert.equal(bad, 1);
      assert.match(
        out.join('\n'),
        /Secret Manager refused projects\/p\/secrets\/contact-sync-token-key\/versions\/2/,
      );
      assert.equal(await stored('initech2'), undefined);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe('the Creatio check before saving (Creatio stand-in)', () => {
    let creatio: CreatioStandin;
    before(async () => {
      creatio = await startCreatioStandin({ users: [{ userName: 'Supervisor', password: PASSWORD }] });
    });
    after(() => creatio.close());
    const add = (id: string, url: string, password: string) =>
      tenant(
        ['add', '--tenant', id, '--creatio-url', url, '--creatio-user', 'Supervisor', '--no-scheduler'],
        { env: { CREATIO_PASSWORD: password } },
      );

    it('a wrong password exits non-zero, says so, and stores nothing', async () => {
      const run = await add('wrongpw', creatio.url, 'not-the-password');
      assert.equal(run.code, 1, run.text);
      assert.match(run.text, /Creatio check: Creatio refused user Supervisor with the password given/);
      assert.match(run.text, /nothing was saved/);
      assert.ok(!run.text.includes('not-the-password'));
      assert.equal(await stored('wrongpw'), undefined);
    });

    it('the right password logs in, reads contact folders, and stores the tenant', async () => {
      const run = await add('rightpw', creatio.url, PASSWORD);
      assert.equal(run.code, 0, run.text);
      assert.match(
        run.text,
        /Creatio check: logged in to http:\/\/127\.0\.0\.1:\d+ and read contact folders/,
      );
      assert.ok((await stored('rightpw'))?.creatio);
    });

    it('a wrong URL or an unreachable host exits non-zero naming the problem', async () => {
      const wrongPath = await add('wrongurl', `${creatio.url}/not-creatio`, PASSWORD);
      assert.equal(wrongPath.code, 1, wrongPath.text);
      assert.match(wrongPath.text, /Creatio check: /);
      assert.equal(await stored('wrongurl'), undefined);
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      const closed = await add('nohost', `http://127.0.0.1:${port}`, PASSWORD);
      assert.equal(closed.code, 1, closed.text);
      assert.match(closed.text, /refuses connections \(ECONNREFUSED\)/);
      assert.equal(await stored('nohost'), undefined);
    });

    it('check logs in without saving; plain http:// is refused except on loopback', async () => {
      const ok = await tenant(['check', '--creatio-url', creatio.url, '--creatio-user', 'Supervisor'], {
        env: { CREATIO_PASSWORD: PASSWORD },
      });
      assert.equal(ok.code, 0, ok.text);
      const bad = await tenant(['check', '--creatio-url', creatio.url, '--creatio-user', 'Supervisor'], {
        env: { CREATIO_PASSWORD: 'wrong' },
      });
      assert.equal(bad.code, 1);
      const plain = await add('plainhttp', 'http://crm.example.com', PASSWORD);
      assert.equal(plain.code, 2);
      assert.match(
        plain.text,
        /--creatio-url must be https:\/\/ \(plain http:\/\/ is allowed only for localhost\)/,
      );
    });
  });

  it('refuses to lengthen the tick beyond a connection interval, naming the longest allowed', async () => {
    assert.equal((await tenant([...cookieArgs('ticky'), '--no-scheduler'])).code, 0);
    await connectionDoc(db, 'ticky', 'ann').set({ intervalMinutes: 20 });
    const slower = await tenant([...cookieArgs('ticky'), '--no-scheduler', '--replace', '--interval', '60']);
    assert.equal(slower.code, 1, slower.text);
    assert.match(
      slower.text,
      /tick every 60 minutes, but a connection of tenant ticky syncs every 20; use --interval 20 or less/,
    );
    assert.equal((await stored('ticky'))!.defaults.intervalMinutes, 15);
    const same = await tenant([...cookieArgs('ticky'), '--no-scheduler', '--replace', '--interval', '20']);
    assert.equal(same.code, 0, same.text);
  });

  it('creates the Cloud Scheduler job publishing {"tenantId"} to the tick topic', async () => {
    const run = await tenant([...cookieArgs('hooli'), '--interval', '90', '--region', 'europe-west1'], {
      emulated: false,
    });
    assert.equal(run.code, 0, run.text);
    assert.deepEqual(run.jobs, [
      {
        name: `projects/${project}/locations/europe-west1/jobs/contact-sync-tick-hooli`,
        parent: `projects/${project}/locations/europe-west1`,
        schedule: '0 * * * *',
        timeZone: 'Etc/UTC',
        description: 'Contact sync tick for tenant hooli',
        topicName: `projects/${project}/topics/contact-sync-tick`,
        data: '{"tenantId":"hooli"}',
      },
    ]);
    assert.match(
      run.text,
      /Scheduler: job contact-sync-tick-hooli created in europe-west1, ticking every 60 min/,
    );
  });

  it('refuses to add an existing tenant; --replace updates it and keeps the key and creation time', async () => {
    const first = await tenant(cookieArgs('umbrella'));
    const key = apiKeyOf(first);
    const before = await stored('umbrella');

    const again = await tenant(cookieArgs('umbrella'));
    assert.equal(again.code, 1);
    assert.match(again.err.join('\n'), /tenant umbrella already exists; use --replace/);
    assert.ok(!again.out.some((l) => l.startsWith('API key: ')));

    const replaced = await tenant([...cookieArgs('umbrella'), '--replace', '--interval', '60']);
    assert.equal(replaced.code, 0, replaced.text);
    assert.ok(!replaced.out.some((l) => l.startsWith('API key: ')));
    assert.match(replaced.text, /API key unchanged/);
    const after = await stored('umbrella');
    assert.equal(after!.apiKeyHash, sha256(key));
    assert.equal(after!.createdAt, before!.createdAt);
    assert.equal(after!.defaults.intervalMinutes, 60);
  });

  it('rotates the key: the new one is printed once and works, the old one no longer does', async () => {
    const old = apiKeyOf(await tenant(cookieArgs('stark')));
    const run = await tenant(['rotate-key', '--tenant', 'stark']);
    assert.equal(run.code, 0, run.text);
    const fresh = apiKeyOf(run);
    assert.notEqual(fresh, old);
    const tenants = new FirestoreTenants(db, new FirestoreMeter());
    await authorizeTenant(tenants, 'stark', fresh);
    await assert.rejects(authorizeTenant(tenants, 'stark', old));
    const missing = await tenant(['rotate-key', '--tenant', 'nobody']);
    assert.equal(missing.code, 1);
    assert.match(missing.err.join('\n'), /tenant nobody does not exist/);
  });

  it('shows and lists tenants without secrets, sealed values or the key hash', async () => {
    await tenant(cookieArgs('wayne'));
    const doc = await stored('wayne');
    const show = await tenant(['show', '--tenant', 'wayne']);
    assert.equal(show.code, 0, show.text);
    assert.match(show.text, /creatio url +https:\/\/acme\.creatio\.com/);
    assert.match(show.text, /creatio auth +user Supervisor \(password sealed\)/);
    assert.match(show.text, /connections +0/);
    assert.match(show.text, /creatio daily budget +none/);
    const list = await tenant(['list']);
    assert.equal(list.code, 0);
    assert.ok(list.out.some((l) => l.startsWith('wayne\thttps://acme.creatio.com\tcookie')));
    for (const text of [show.text, list.text]) {
      assert.ok(!text.includes(PASSWORD));
      assert.ok(!text.includes(doc!.creatio.auth.passwordSealed));
      assert.ok(!text.includes(doc!.apiKeyHash));
      assert.ok(!text.includes('API key: '));
    }
  });

  it('removes a tenant with its connections only when confirmed, and its scheduler job', async function () {
    await skipOnFirestoreFallback(this, 'ListDocuments or BatchWrite (a recursive delete uses them)');
    await tenant(cookieArgs('oscorp'));
    await connectionDoc(db, 'oscorp', 'u1').set({ userId: 'u1' });
    await connectionDoc(db, 'oscorp', 'u1').collection('links').doc('l1').set({ id: 'l1' });

    const unconfirmed = await tenant(['remove', '--tenant', 'oscorp']);
    assert.equal(unconfirmed.code, 2);
    assert.match(unconfirmed.err.join('\n'), /add --yes to confirm/);
    assert.ok(await stored('oscorp'));

    const run = await tenant(['remove', '--tenant', 'oscorp', '--yes', '--region', 'us-central1'], {
      emulated: false,
    });
    assert.equal(run.code, 0, run.text);
    assert.equal(await stored('oscorp'), undefined);
    assert.equal((await connectionDoc(db, 'oscorp', 'u1').get()).exists, false);
    assert.equal((await connectionDoc(db, 'oscorp', 'u1').collection('links').doc('l1').get()).exists, false);
    assert.deepEqual(run.removed, [
      `projects/${project}/locations/us-central1/jobs/contact-sync-tick-oscorp`,
    ]);
  });

  it('keeps the tenant and says how to retry when the scheduler job fails', async () => {
    const run = await tenant([...cookieArgs('cyberdyne'), '--region', 'us-central1'], {
      emulated: false,
      scheduler: {
        upsert: async () => {
          throw Object.assign(new Error('7 PERMISSION_DENIED: caller lacks cloudscheduler.jobs.create'), {
            code: 7,
          });
        },
      },
    });
    assert.equal(run.code, 1);
    apiKeyOf(run);
    assert.match(
      run.err.join('\n'),
      /stored but its Cloud Scheduler job failed \(7 PERMISSION_DENIED.*--replace/,
    );
    assert.ok(await stored('cyberdyne'));
  });

  const refusals: [string, string[], RegExp, Record<string, string>?][] = [
    ['no command', [], /a command is required/],
    ['an unknown command', ['destroy'], /unknown command/],
    [
      'a malformed tenant id',
      [
        'add',
        '--tenant',
        'a/b',
        '--creatio-url',
        'https://x.io',
        '--creatio-user',
        'u',
        '--creatio-password',
        'p',
      ],
      /--tenant must match/,
    ],
    ['a tenant id Firestore refuses', ['show', '--tenant', '..'], /must not be "\." or "\.\."/],
    ['a tenant id over 64 characters', ['show', '--tenant', 'x'.repeat(65)], /--tenant must match/],
    [
      'a non-http Creatio URL',
      [
        'add',
        '--tenant',
        'bad1',
        '--creatio-url',
        'ftp://x.io',
        '--creatio-user',
        'u',
        '--creatio-password',
        'p',
      ],
      /--creatio-url must be an http/,
    ],
    [
      'a run cap of 0',
      [...cookieArgs('bad2'), '--max-concurrent-runs', '0'],
      /--max-concurrent-runs must be from 1 to 50 \(got 0\)/,
    ],
    [
      'a Creatio budget of 0',
      [...cookieArgs('bad2'), '--creatio-daily-budget', '0'],
      /--creatio-daily-budget must be from 1 to 100000000 \(got 0\)/,
    ],
    [
      'a Creatio budget that is no whole number',
      [...cookieArgs('bad2'), '--creatio-daily-budget', '1e4'],
      /--creatio-daily-budget must be a whole number from 1 to 100000000/,
    ],
    [
      'a Creatio budget past the bound',
      [...cookieArgs('bad2'), '--creatio-daily-budget', '100000001'],
      /--creatio-daily-budget must be from 1 to 100000000 \(got 100000001\)/,
    ],
    [
      'a Creatio budget on a command that does not take it',
      ['show', '--tenant', 'acme', '--creatio-daily-budget', '10'],
      /show does not take --creatio-daily-budget/,
    ],
    [
      'an interval under 5',
      [...cookieArgs('bad2'), '--interval', '4'],
      /--interval must be from 5 to 1440 \(got 4\)/,
    ],
    [
      'an interval over 1440',
      [...cookieArgs('bad3'), '--interval', '1441'],
      /--interval must be from 5 to 1440/,
    ],
    [
      'an interval that is not a number',
      [...cookieArgs('bad4'), '--interval', '10m'],
      /--interval must be a whole number/,
    ],
    [
      'an unknown policy',
      [...cookieArgs('bad5'), '--policy', 'crm-always'],
      /--policy must be one of newest-wins, crm-wins, google-wins/,
    ],
    ['both kinds of Creatio credentials', [...cookieArgs('bad6'), '--creatio-client-id', 'c'], /not both/],
    [
      'no Creatio credentials',
      ['add', '--tenant', 'bad7', '--creatio-url', 'https://x.io'],
      /Creatio credentials are required/,
    ],
    [
      'a password missing everywhere',
      ['add', '--tenant', 'bad8', '--creatio-url', 'https://x.io', '--creatio-user', 'u'],
      /--creatio-password \(or CREATIO_PASSWORD\) is required/,
    ],
    [
      'a missing token URL',
      [
        'add',
        '--tenant',
        'bad9',
        '--creatio-url',
        'https://x.io',
        '--creatio-client-id',
        'c',
        '--creatio-client-secret',
        's',
      ],
      /--creatio-token-url is required/,
    ],
    ['a flag of another command', ['show', '--tenant', 'acme', '--yes'], /show does not take --yes/],
    [
      'no encryption key',
      cookieArgs('bad10'),
      /TOKEN_ENCRYPTION_KEY \(base64 of 32 bytes\) or TOKEN_ENCRYPTION_SECRET/,
      { TOKEN_ENCRYPTION_KEY: '' },
    ],
    [
      'a short encryption key',
      cookieArgs('bad11'),
      /TOKEN_ENCRYPTION_KEY must be base64 of exactly 32 bytes/,
      { TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=' },
    ],
    [
      'a malformed secret version',
      cookieArgs('bad12'),
      /TOKEN_ENCRYPTION_SECRET must name a secret version/,
      { TOKEN_ENCRYPTION_KEY: '', TOKEN_ENCRYPTION_SECRET: 'contact-sync-token-key' },
    ],
    [
      'a missing project',
      ['list'],
      /--project \(or GOOGLE_CLOUD_PROJECT\) is required/,
      { GOOGLE_CLOUD_PROJECT: '' },
    ],
    [
      'a malformed region',
      [...cookieArgs('bad13'), '--region', 'Europe'],
      /--region \(or GOOGLE_CLOUD_REGION\) "Europe" is not a Google Cloud region/,
    ],
  ];
  for (const [what, argv, message, env] of refusals)
    it(`refuses ${what}: exit code 2, a clear message, nothing written`, async () => {
      const run = await tenant(argv, { env });
      assert.equal(run.code, 2, run.text);
      assert.match(run.err[0] ?? '', message);
      assert.ok(!run.text.includes('API key: '));
      const id = argv[argv.indexOf('--tenant') + 1];
      if (argv[0] === 'add' && id && /^bad[0-9]+$/.test(id)) assert.equal(await stored(id), undefined);
    });

  it('needs a region for the scheduler unless it is skipped', async () => {
    const run = await tenant(cookieArgs('needs-region'), { emulated: false });
    assert.equal(run.code, 2);
    assert.match(
      run.err[0]!,
      /--region \(or GOOGLE_CLOUD_REGION\) is required for the Cloud Scheduler job; --no-scheduler skips it/,
    );
    assert.equal(await stored('needs-region'), undefined);
  });

  it('never echoes a stray argument, which may be a misplaced secret', async () => {
    const run = await tenant(['add', '--tenant', 'stray', PASSWORD]);
    assert.equal(run.code, 2);
    assert.ok(!run.text.includes(PASSWORD));
    assert.match(run.err[0]!, /add: unexpected argument; options start with --/);
  });
});
