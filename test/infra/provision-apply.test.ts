// Apply mode with a recording stand-in for gcloud and the Pub/Sub emulator for the Pub/Sub steps:
// the steps run in order, converge when repeated, and stop at the first failure. No Google Cloud.
import assert from 'node:assert/strict';
import type { PubSub } from '@google-cloud/pubsub';
import type { CommandResult, CommandRunner } from '../../infra/deploy/gcloud.js';
import { PROPAGATION_DELAYS_MS, StepFailed, applyPlan } from '../../infra/deploy/apply.js';
import { FUNCTIONS } from '../../infra/deploy/functions.js';
import { loadIndexConfig } from '../../infra/deploy/indexes.js';
import type { PlanOptions } from '../../infra/deploy/plan.js';
import { buildPlan } from '../../infra/deploy/plan.js';
import { provisionMain } from '../../infra/deploy/provisionCli.js';
import { newPubSub, skipUnlessPubsub, uniqueProjectId } from '../support/emulators.js';

const REGION = 'europe-west1';
const NUMBER = '123456789012';
const TRIGGER_SUB = 'eventarc-europe-west1-syncuser-482913-sub-117';

function fakeGcloud(fail?: (args: readonly string[]) => CommandResult | null) {
  const calls: string[][] = [];
  const runner: CommandRunner = {
    async run(args) {
      calls.push([...args]);
      const failure = fail?.(args);
      if (failure) return failure;
      if (args[0] === 'projects' && args[1] === 'describe')
        return { code: 0, stdout: `${NUMBER}\n`, stderr: '' };
      // Service accounts exist from an earlier run.
      if (args.slice(0, 3).join(' ') === 'iam service-accounts create')
        return {
          code: 1,
          stdout: '',
          stderr:
            'ERROR: (gcloud.iam.service-accounts.create) Resource in projects [p] is the subject of a conflict: Service account x already exists within project.',
        };
      return { code: 0, stdout: '', stderr: '' };
    },
  };
  return { runner, calls };
}

describe('provisioning in apply mode (gcloud stand-in, Pub/Sub emulator)', function () {
  let project: string;
  let pubsub: PubSub;
  let options: PlanOptions;
  const grants: string[] = [];
  const grant = async (s: { name: string }, role: string, member: string) => {
    grants.push(`${s.name.split('/').pop()} ${role} ${member}`);
  };

  before(async function () {
    await skipUnlessPubsub(this);
    project = uniqueProjectId('prov');
    pubsub = await newPubSub(project);
    // What deploying syncUser leaves behind: Eventarc's push subscription on the per-user topic.
    const [user] = await pubsub.createTopic('contact-sync-user');
    await user.createSubscription(TRIGGER_SUB);
    await user.createSubscription('someone-elses-subscription');
    options = {
      project,
      region: REGION,
      firestoreLocation: REGION,
      source: '.',
      googleClientId: '1234-abc.apps.googleusercontent.com',
      tokenKeyVersion: '1',
      oauthStartUrl: null,
      oauthRedirectUrl: null,
      only: null,
    };
  });

  it('runs every step, resolves the project number, and configures topics and subscriptions', async () => {
    const plan = buildPlan(options, loadIndexConfig());
    const { runner, calls } = fakeGcloud();
    const log: string[] = [];
    await applyPlan(
      plan,
      { project, region: REGION },
      { runner, pubsub: () => pubsub, log: (l) => log.push(l), grant },
    );

    const gcloudCalls = calls.filter((c) => !(c[0] === 'projects' && c[1] === 'describe'));
    assert.equal(gcloudCalls.length, plan.steps.filter((s) => s.kind === 'gcloud').length);
    assert.ok(calls.every((c) => !c.join(' ').includes('{{PROJECT_NUMBER}}')));
    assert.ok(
      calls.some((c) =>
        c.includes(`--member=serviceAccount:service-${NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com`),
      ),
    );
    assert.ok(
      log.some((l) => l.includes('already exists')),
      'existing service accounts are reported, not fatal',
    );

    const [topics] = await pubsub.getTopics();
    assert.deepEqual(topics.map((t) => t.name.split('/').pop()).sort(), [
      'contact-sync-dead',
      'contact-sync-tick',
      'contact-sync-user',
    ]);
    const [inspect] = await pubsub.subscription('contact-sync-dead-inspect').getMetadata();
    assert.equal(inspect.topic, `projects/${project}/topics/contact-sync-dead`);
    assert.equal(Number(inspect.messageRetentionDuration?.seconds), 7 * 24 * 3600);
    assert.equal(inspect.expirationPolicy?.ttl ?? null, null, 'never expires');

    const [sync] = await pubsub.subscription(TRIGGER_SUB).getMetadata();
    assert.equal(sync.ackDeadlineSeconds, 600);
    assert.equal(Number(sync.retryPolicy?.minimumBackoff?.seconds), 10);
    assert.equal(Number(sync.retryPolicy?.maximumBackoff?.seconds), 600);
    assert.equal(sync.deadLetterPolicy?.deadLetterTopic, `projects/${project}/topics/contact-sync-dead`);
    assert.equal(sync.deadLetterPolicy?.maxDeliveryAttempts, 5);
    assert.deepEqual(grants, [
      `${TRIGGER_SUB} roles/pubsub.subscriber serviceAccount:service-${NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com`,
    ]);

    const [other] = await pubsub.subscription('someone-elses-subscription').getMetadata();
    assert.equal(other.deadLetterPolicy ?? null, null, 'other subscriptions are left alone');
  });

  it('can be applied again: every step converges', async () => {
    const { runner } = fakeGcloud();
    await applyPlan(
      buildPlan(options, loadIndexConfig()),
      { project, region: REGION },
      {
        runner,
        pubsub: () => pubsub,
        log: () => undefined,
        grant,
      },
    );
  });

  it('stops at the first failing command and names the step', async () => {
    const plan = buildPlan(options, loadIndexConfig());
    const { runner, calls } = fakeGcloud((args) =>
      args[1] === 'deploy' && args[2] === 'syncUser'
        ? { code: 1, stdout: '', stderr: 'ERROR: (gcloud.functions.deploy) Build failed' }
        : null,
    );
    const failing = plan.steps.findIndex((s) => s.kind === 'gcloud' && s.args[2] === 'syncUser') + 1;
    await assert.rejects(
      applyPlan(
        plan,
        { project, region: REGION },
        { runner, pubsub: () => pubsub, log: () => undefined, grant },
      ),
      (e: unknown) =>
        e instanceof StepFailed &&
        e.step === failing &&
        /Deploy syncUser/.test(e.message) &&
        /Build failed/.test(e.message),
    );
    assert.ok(!calls.some((c) => c[2] === 'syncNow'), 'nothing after the failed step ran');
  });

  it('does not take "already exists" for success where the step does not create', async () => {
    const plan = buildPlan({ ...options, only: ['deploy'] }, loadIndexConfig());
    const { runner } = fakeGcloud(() => ({ code: 1, stdout: '', stderr: 'ALREADY_EXISTS: something' }));
    await assert.rejects(
      applyPlan(
        plan,
        { project, region: REGION },
        { runner, pubsub: () => pubsub, log: () => undefined, grant },
      ),
      StepFailed,
    );
  });

  it('says to deploy syncUser first when its trigger subscription is not there', async () => {
    const other = await newPubSub(uniqueProjectId('prov2'));
    const plan = buildPlan({ ...options, only: ['subscription'] }, loadIndexConfig());
    const { runner } = fakeGcloud();
    await assert.rejects(
      applyPlan(
        plan,
        { project, region: REGION },
        { runner, pubsub: () => other, log: () => undefined, grant },
      ),
      /no subscription of the syncUser trigger on topic contact-sync-user .*deploy syncUser first/,
    );
  });

  it('applies through the CLI and reports the callback URL', async () => {
    const { runner } = fakeGcloud();
    const out: string[] = [];
    const err: string[] = [];
    const code = await provisionMain(
      [
        '--project',
        project,
        '--region',
        REGION,
        '--google-client-id',
        '1234-abc.apps.googleusercontent.com',
        '--only',
        'pubsub,subscription',
      ],
      {
        env: {},
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        indexes: () => loadIndexConfig(),
        runner: () => runner,
        pubsub: () => pubsub,
        grant,
      },
    );
    assert.equal(code, 0, err.join('\n'));
    assert.ok(out.some((l) => l.includes('Topic contact-sync-tick')));
    assert.equal(
      out.at(-1),
      `Done. OAuth callback URL: https://${REGION}-${project}.cloudfunctions.net/oauthCallback`,
    );
  });

  it('retries a binding IAM refuses while a new identity propagates, within a bound', async () => {
    const plan = buildPlan({ ...options, only: ['iam'] }, loadIndexConfig());
    const agentCreate = plan.steps.findIndex((st) => st.title.startsWith('Pub/Sub service agent (created'));
    const agentGrant = plan.steps.findIndex((st) => st.title.startsWith('Pub/Sub service agent: publish'));
    assert.ok(
      agentCreate >= 0 && agentCreate < agentGrant,
      'the agent is created before it is granted roles',
    );
    let refusals = 2;
    const slept: number[] = [];
    const notYet = {
      code: 1,
      stdout: '',
      stderr:
        'ERROR: (gcloud.projects.add-iam-policy-binding) INVALID_ARGUMENT: Service account contact-sync-runner@p.iam.gserviceaccount.com does not exist.',
    };
    const { runner, calls } = fakeGcloud((args) =>
      args.includes('add-iam-policy-binding') &&
      args.some((a) => a.includes('contact-sync-runner')) &&
      refusals-- > 0
        ? notYet
        : null,
    );
    await applyPlan(
      plan,
      { project, region: REGION },
      {
        runner,
        pubsub: () => pubsub,
        log: () => undefined,
        grant,
        sleep: async (ms) => void slept.push(ms),
      },
    );
    assert.deepEqual(slept, [5_000, 10_000]);
    assert.ok(
      calls.some((c) =>
        c.join(' ').startsWith('beta services identity create --service=pubsub.googleapis.com'),
      ),
    );

    // Still refused after every retry: the step fails, naming it, after a bounded wait.
    const stuck = fakeGcloud((args) =>
      args.includes('add-iam-policy-binding') && args.some((a) => a.includes('contact-sync-runner'))
        ? notYet
        : null,
    );
    slept.length = 0;
    await assert.rejects(
      applyPlan(
        plan,
        { project, region: REGION },
        {
          runner: stuck.runner,
          pubsub: () => pubsub,
          log: () => undefined,
          grant,
          sleep: async (ms) => void slept.push(ms),
        },
      ),
      (e: unknown) => e instanceof StepFailed && /contact-sync-runner/.test(e.message),
    );
    assert.equal(slept.length, PROPAGATION_DELAYS_MS.length);
    // A refusal of another kind is not retried.
    const denied = fakeGcloud(() => ({
      code: 1,
      stdout: '',
      stderr: 'PERMISSION_DENIED: caller lacks iam.setIamPolicy',
    }));
    slept.length = 0;
    await assert.rejects(
      applyPlan(
        plan,
        { project, region: REGION },
        {
          runner: denied.runner,
          pubsub: () => pubsub,
          log: () => undefined,
          grant,
          sleep: async (ms) => void slept.push(ms),
        },
      ),
      StepFailed,
    );
    assert.deepEqual(slept, []);
  });

  it('health-checks every deployed function after a deploy and names those that do not answer', async () => {
    const { runner } = fakeGcloud((args) =>
      args[0] === 'functions' && args[1] === 'describe'
        ? { code: 0, stdout: args[2] === 'syncUser' ? 'FAILED\n' : 'ACTIVE\n', stderr: '' }
        : null,
    );
    const asked: string[] = [];
    const out: string[] = [];
    const err: string[] = [];
    const code = await provisionMain(
      [
        '--project',
        project,
        '--region',
        REGION,
        '--google-client-id',
        '1234-abc.apps.googleusercontent.com',
        '--only',
        'deploy',
      ],
      {
        env: {},
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        indexes: () => loadIndexConfig(),
        runner: () => runner,
        pubsub: () => pubsub,
        grant,
        fetch: async (url) => {
          asked.push(url);
          return { status: url.endsWith('/syncStatus') ? 503 : 401 };
        },
      },
    );
    assert.equal(code, 1);
    assert.deepEqual(
      err.filter((l) => l.includes('did not answer')),
      [
        'provision: syncUser did not answer: state FAILED (gcloud exited 0)',
        'provision: syncStatus did not answer: answered HTTP 503',
      ],
    );
    assert.equal(
      asked.length,
      FUNCTIONS.filter((f) => f.trigger.kind === 'http').length,
      'every HTTP function is asked',
    );
  });
});
