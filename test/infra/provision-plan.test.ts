// The provisioning plan is pure: these tests read it step by step, and run the CLI in plan mode with
// executors that fail if touched. Nothing here calls Google Cloud.
import assert from 'node:assert/strict';
import { serviceConfig } from '../../shared/config.js';
import { FUNCTIONS, SYNC_TIMEOUT_SECONDS } from '../../infra/deploy/functions.js';
import { FUNCTION_NAMES } from '../../functions/index.js';
import { loadIndexConfig } from '../../infra/deploy/indexes.js';
import { DEAD_LETTER_SUBSCRIPTION, TOPICS } from '../../infra/deploy/names.js';
import type { Plan, PlanOptions, Step } from '../../infra/deploy/plan.js';
import { buildPlan } from '../../infra/deploy/plan.js';
import type { ProvisionDeps } from '../../infra/deploy/provisionCli.js';
import { parseProvisionArgs, provisionMain } from '../../infra/deploy/provisionCli.js';
import { stepCommands } from '../../infra/deploy/render.js';
import { DECOMMISSIONED, runtimeProblem } from '../../infra/deploy/runtime.js';

const OPTIONS: PlanOptions = {
  project: 'acme-sync-prod',
  region: 'europe-west1',
  firestoreLocation: 'eur3',
  source: '.',
  googleClientId: '1234-abc.apps.googleusercontent.com',
  tokenKeyVersion: '1',
  oauthStartUrl: null,
  oauthRedirectUrl: null,
  only: null,
};

const plan = (over: Partial<PlanOptions> = {}): Plan => buildPlan({ ...OPTIONS, ...over }, loadIndexConfig());
const gcloudSteps = (p: Plan) =>
  p.steps.filter((s): s is Extract<Step, { kind: 'gcloud' }> => s.kind === 'gcloud');
const deployOf = (p: Plan, name: string): string[] => {
  const step = gcloudSteps(p).find(
    (s) => s.args[0] === 'functions' && s.args[1] === 'deploy' && s.args[2] === name,
  );
  assert.ok(step, `no deploy step for ${name}`);
  return step.args;
};
const flag = (args: string[], name: string): string | undefined =>
  args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
const envOf = (args: string[]): Record<string, string> =>
  Object.fromEntries(
    flag(args, '--set-env-vars')!
      .split(',')
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );

describe('provisioning plan', () => {
  it('creates the tick, per-user and dead-letter topics and a pull subscription on the dead letters', () => {
    const p = plan();
    const topics = p.steps.flatMap((s) => (s.kind === 'topic' ? [s.topic] : []));
    assert.deepEqual(topics, ['contact-sync-tick', 'contact-sync-user', 'contact-sync-dead']);
    const dead = p.steps.find((s) => s.kind === 'pull-subscription');
    assert.ok(dead && dead.kind === 'pull-subscription');
    assert.equal(dead.name, DEAD_LETTER_SUBSCRIPTION);
    assert.equal(dead.topic, TOPICS.dead);
    assert.ok(dead.retentionSeconds >= 7 * 24 * 3600);
  });

  it("gives the syncUser trigger's subscription backoff 10-600 s, dead-lettering after 5 attempts, ack deadline above the timeout", () => {
    const p = plan();
    const sub = p.steps.find((s) => s.kind === 'trigger-subscription');
    assert.ok(sub && sub.kind === 'trigger-subscription');
    assert.equal(sub.functionName, 'syncUser');
    assert.equal(sub.topic, 'contact-sync-user');
    assert.equal(sub.minBackoffSeconds, 10);
    assert.equal(sub.maxBackoffSeconds, 600);
    assert.equal(sub.maxDeliveryAttempts, 5);
    assert.equal(sub.deadLetterTopic, 'contact-sync-dead');
    const timeout = Number(flag(deployOf(p, 'syncUser'), '--timeout')!.replace('s', ''));
    assert.equal(timeout, SYNC_TIMEOUT_SECONDS);
    assert.ok(sub.ackDeadlineSeconds > timeout && sub.ackDeadlineSeconds <= 600);
    // Configured after the function (and so its trigger) exists.
    assert.ok(
      p.steps.indexOf(sub) > p.steps.findIndex((s) => s.kind === 'gcloud' && s.args[2] === 'syncUser'),
    );
  });

  it('deploys each of the functions as gen2 Node 24 with its own trigger, entry point and account', () => {
    const p = plan();
    assert.deepEqual(
      FUNCTIONS.map((f) => f.name),
      [
        'tickTenant',
        'syncUser',
        'deadLetter',
        'syncNow',
        'syncStatus',
        'syncSettings',
        'oauthStart',
        'oauthCallback',
        'pages',
      ],
    );
    // Deployed by the names functions/index.ts registers.
    assert.deepEqual(
      FUNCTIONS.map((f) => f.name),
      FUNCTION_NAMES,
    );
    for (const f of FUNCTIONS) {
      const args = deployOf(p, f.name);
      for (const expected of [
        '--gen2',
        '--runtime=nodejs24',
        '--region=europe-west1',
        '--source=.',
        // Every run the benchmark measures fits the smallest tier, syncUser's included.
        '--memory=256Mi',
      ])
        assert.ok(args.includes(expected), `${f.name}: ${expected}`);
      assert.equal(flag(args, '--entry-point'), f.name);
      // V8 must collect before the instance's memory runs out: the old space leaves 116 MiB for the rest.
      // Only flags Node allows in NODE_OPTIONS (the built functions' test starts them so).
      assert.equal(envOf(args).NODE_OPTIONS, '--max-old-space-size=140 --max-semi-space-size=1');
      assert.equal(flag(args, '--project'), 'acme-sync-prod');
      assert.match(
        flag(args, '--service-account')!,
        /^contact-sync-[a-z]+@acme-sync-prod\.iam\.gserviceaccount\.com$/,
      );
    }
    const tick = deployOf(p, 'tickTenant');
    assert.equal(flag(tick, '--trigger-topic'), 'contact-sync-tick');
    assert.ok(!tick.includes('--retry'));
    const sync = deployOf(p, 'syncUser');
    assert.equal(flag(sync, '--trigger-topic'), 'contact-sync-user');
    assert.ok(sync.includes('--retry'));
    assert.equal(flag(sync, '--timeout'), '540s');
    assert.equal(
      flag(sync, '--service-account'),
      'contact-sync-runner@acme-sync-prod.iam.gserviceaccount.com',
    );
    // What Pub/Sub gives up on is recorded by deadLetter, retried so that no record is lost.
    const dead = deployOf(p, 'deadLetter');
    assert.equal(flag(dead, '--trigger-topic'), 'contact-sync-dead');
    assert.ok(dead.includes('--retry'));
    for (const name of ['syncNow', 'syncStatus', 'syncSettings', 'oauthStart', 'oauthCallback'])
      assert.ok(deployOf(p, name).includes('--trigger-http'), name);
  });

  it("passes the configuration the colleague's serviceConfig accepts, secrets as Secret Manager references", () => {
    const p = plan();
    for (const f of FUNCTIONS) {
      const args = deployOf(p, f.name);
      const env = envOf(args);
      assert.equal(env.GOOGLE_CLOUD_PROJECT, 'acme-sync-prod');
      assert.equal(env.SYNC_TOPIC, 'contact-sync-user');
      assert.equal(
        env.OAUTH_REDIRECT_URL,
        'https://europe-west1-acme-sync-prod.cloudfunctions.net/oauthCallback',
      );
      assert.equal(env.OAUTH_START_URL, 'https://europe-west1-acme-sync-prod.cloudfunctions.net/oauthStart');
      assert.equal(env.GOOGLE_CLIENT_ID, '1234-abc.apps.googleusercontent.com');
      assert.equal(env.TOKEN_ENCRYPTION_KEY, undefined);
      assert.equal(env.TOKEN_ENCRYPTION_KEYS, undefined);
      assert.equal(env.GOOGLE_CLIENT_SECRET, undefined);
      // The key ring pinned to its version, the client secret at its latest.
      assert.equal(
        flag(args, '--set-secrets'),
        'TOKEN_ENCRYPTION_KEYS=contact-sync-token-key:1,GOOGLE_CLIENT_SECRET=contact-sync-google-client-secret:latest',
      );
      assert.ok(Number(flag(args, '--max-instances')) >= 1, `${f.name}: --max-instances`);
      // What Cloud Run will hand the function: the plain variables plus the mounted secrets.
      const config = serviceConfig({
        ...env,
        GOOGLE_CLIENT_SECRET: 'mounted-at-runtime',
        TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      });
      assert.ok(config.timeBudgetMs < SYNC_TIMEOUT_SECONDS * 1000);
      assert.ok(config.leaseTtlMs > SYNC_TIMEOUT_SECONDS * 1000);
    }
  });

  it('grants each runtime account Firestore, publishing to the per-user topic and only the secrets it reads', () => {
    const p = plan();
    const iam = gcloudSteps(p)
      .filter((s) => s.group === 'iam')
      .map((s) => s.args.join(' '));
    for (const account of ['contact-sync-ticker', 'contact-sync-runner', 'contact-sync-api']) {
      const member = `--member=serviceAccount:${account}@acme-sync-prod.iam.gserviceaccount.com`;
      assert.ok(iam.some((c) => c.includes(member) && c.includes('roles/datastore.user')));
      assert.ok(
        iam.some((c) => c.includes(member) && c.includes('topics add-iam-policy-binding contact-sync-user')),
      );
    }
    // No broad roles anywhere.
    for (const c of iam) assert.doesNotMatch(c, /roles\/(owner|editor|pubsub\.admin|datastore\.owner)/);
    const readers = gcloudSteps(p)
      .filter((s) => s.args.slice(0, 2).join(' ') === 'secrets add-iam-policy-binding')
      .map((s) => `${s.args[2]} ${flag(s.args, '--member')}`);
    const needs = FUNCTIONS.flatMap((f) => f.secrets.map((k) => `${k}:${f.account}`));
    assert.equal(readers.length, new Set(needs).size);
    // The invoker account alone invokes the three event functions.
    const invokers = gcloudSteps(p).filter((s) => s.args[1] === 'add-invoker-policy-binding');
    assert.deepEqual(
      invokers.map((s) => s.args[2]),
      ['tickTenant', 'syncUser', 'deadLetter'],
    );
  });

  it('deploys every function on a runtime that is not decommissioned on the day the test runs', () => {
    const today = new Date();
    for (const f of FUNCTIONS) {
      const runtime = flag(deployOf(plan(), f.name), '--runtime');
      assert.ok(runtime, `${f.name}: no --runtime`);
      assert.equal(runtimeProblem(runtime, today), null, `${f.name}: ${runtimeProblem(runtime, today)}`);
    }
    // The same check refuses what is past its date, and what it knows no date for.
    assert.match(
      runtimeProblem('nodejs22', new Date(`${DECOMMISSIONED.nodejs22}T00:00:00Z`)) ?? '',
      /2027-10-31/,
    );
    assert.equal(runtimeProblem('nodejs22', new Date('2027-10-30T23:59:59Z')), null);
    assert.match(runtimeProblem('nodejs20', today) ?? '', /not a runtime/);
    assert.match(runtimeProblem('nodejs18', today) ?? '', /not a runtime/);
  });

  it('creates the composite index the due-connection query needs and the TTL policy of one-time tokens', () => {
    const commands = gcloudSteps(plan())
      .filter((s) => s.group === 'firestore')
      .map((s) => s.args.join(' '));
    assert.ok(
      commands.some(
        (c) =>
          c.includes('indexes composite create --collection-group=connections --query-scope=collection') &&
          c.includes(
            '--field-config=field-path=schedulable,order=ascending ' +
              '--field-config=field-path=nextDueAt,order=ascending ' +
              '--field-config=field-path=userId,order=ascending',
          ),
      ),
    );
    assert.ok(commands.some((c) => c.includes('indexes composite create --collection-group=members')));
    assert.ok(
      commands.some((c) =>
        c.startsWith('firestore fields ttls update expireAt --collection-group=oneTime --enable-ttl'),
      ),
    );
    assert.ok(
      commands.some((c) =>
        c.startsWith('firestore indexes fields update ids --collection-group=members --disable-indexes'),
      ),
    );
    // Creating what exists already is not a failure, so the plan can be applied again.
    for (const s of gcloudSteps(plan()).filter((x) => x.args.includes('create')))
      assert.equal(s.okIfExists, true, s.title);
  });

  it('keeps only the requested groups with --only', () => {
    const p = plan({ only: ['deploy'] });
    assert.ok(p.steps.length > 0);
    assert.ok(p.steps.every((s) => s.group === 'deploy'));
  });
});

// ---- The CLI in plan mode ----

function deps(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const touched: string[] = [];
  const d: ProvisionDeps = {
    env,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    indexes: () => loadIndexConfig(),
    runner: () => {
      touched.push('runner');
      throw new Error('plan mode must not run gcloud');
    },
    pubsub: () => {
      touched.push('pubsub');
      throw new Error('plan mode must not call Pub/Sub');
    },
  };
  return { d, out, err, touched };
}

describe('npm run provision', () => {
  it('prints every step with its command and calls nothing in --plan mode', async () => {
    const { d, out, touched } = deps();
    const code = await provisionMain(['--project', 'acme-sync-prod', '--region', 'us-central1', '--plan'], d);
    assert.equal(code, 0);
    assert.deepEqual(touched, []);
    const text = out.join('\n');
    const p = buildPlan(
      { ...OPTIONS, region: 'us-central1', firestoreLocation: 'us-central1', googleClientId: null },
      loadIndexConfig(),
    );
    p.steps.forEach((s, i) => {
      assert.ok(text.includes(`${String(i + 1).padStart(2)}. [${s.group}] ${s.title}`), s.title);
      for (const c of stepCommands(s)) assert.ok(text.includes(c), c);
    });
    assert.match(
      text,
      /gcloud functions deploy syncUser --gen2 --runtime=nodejs24 --region=us-central1 --source=\. --entry-point=syncUser --trigger-topic=contact-sync-user/,
    );
    assert.match(
      text,
      /OAuth callback URL to register on the OAuth client: https:\/\/us-central1-acme-sync-prod\.cloudfunctions\.net\/oauthCallback/,
    );
    assert.match(text, /<GOOGLE_CLIENT_ID>/);
  });

  it('never prints secrets from the environment', async () => {
    const secrets = {
      GOOGLE_CLIENT_SECRET: 'GOCSPX-very-secret-value',
      TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      CREATIO_PASSWORD: 'creatio-password-123',
    };
    const { d, out, err } = deps({ ...secrets, GOOGLE_CLIENT_ID: '1234-abc.apps.googleusercontent.com' });
    assert.equal(await provisionMain(['--project=acme-sync-prod', '--region=europe-west1', '--plan'], d), 0);
    const text = [...out, ...err].join('\n');
    for (const value of Object.values(secrets)) assert.ok(!text.includes(value));
    assert.match(text, /GOOGLE_CLIENT_ID=1234-abc\.apps\.googleusercontent\.com/);
    assert.match(
      text,
      /--set-secrets=TOKEN_ENCRYPTION_KEYS=contact-sync-token-key:1,GOOGLE_CLIENT_SECRET=contact-sync-google-client-secret:latest/,
    );
  });

  const refusals: [string, string[], RegExp][] = [
    [
      'a region Cloud Run functions do not serve',
      ['--project', 'acme-sync-prod', '--region', 'europe-west7', '--plan'],
      /"europe-west7" is not a region Cloud Run functions serve/,
    ],
    ['a missing project', ['--region', 'us-central1', '--plan'], /--project is required/],
    [
      'a malformed project',
      ['--project', 'My_Project', '--region', 'us-central1', '--plan'],
      /--project "My_Project" is not a Google Cloud project id/,
    ],
    [
      'a malformed region',
      ['--project', 'acme-sync-prod', '--region', 'uscentral', '--plan'],
      /--region "uscentral" is not a Google Cloud region/,
    ],
    [
      'an unknown flag',
      ['--project', 'acme-sync-prod', '--region', 'us-central1', '--bogus'],
      /Unknown option '--bogus'/,
    ],
    [
      'an unknown group',
      ['--project', 'acme-sync-prod', '--region', 'us-central1', '--plan', '--only', 'nope'],
      /--only: unknown group "nope"/,
    ],
    [
      'apply without a client id',
      ['--project', 'acme-sync-prod', '--region', 'us-central1'],
      /--google-client-id \(or GOOGLE_CLIENT_ID\) is required to deploy/,
    ],
    [
      'a redirect URL that is not http(s)',
      [
        '--project',
        'acme-sync-prod',
        '--region',
        'us-central1',
        '--plan',
        '--oauth-redirect-url',
        'ftp://x/cb',
      ],
      /--oauth-redirect-url must be an http/,
    ],
  ];
  for (const [what, argv, message] of refusals)
    it(`refuses ${what} with exit code 2 and a clear message`, async () => {
      const { d, err, touched } = deps();
      assert.equal(await provisionMain(argv, d), 2);
      assert.match(err[0] ?? '', message);
      assert.deepEqual(touched, []);
    });

  it('applies groups without deploy steps before the OAuth client exists', () => {
    const args = parseProvisionArgs(
      ['--project', 'acme-sync-prod', '--region', 'us-central1', '--only', 'apis,secrets'],
      {},
    );
    assert.ok(args !== 'help' && !args.plan && args.options.googleClientId === null);
  });

  it('refuses to apply while an emulator variable would redirect the Pub/Sub client', async () => {
    const { d, err, touched } = deps({ PUBSUB_EMULATOR_HOST: '127.0.0.1:8085' });
    const argv = [
      '--project',
      'acme-sync-prod',
      '--region',
      'us-central1',
      '--google-client-id',
      'x.apps.googleusercontent.com',
    ];
    assert.equal(await provisionMain(argv, d), 2);
    assert.match(err.join('\n'), /PUBSUB_EMULATOR_HOST is set/);
    assert.deepEqual(touched, []);
  });
});
