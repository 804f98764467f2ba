// `npm run provision -- --project P --region R [--plan] ...`: argument checks, then either the printed
// plan or its execution. Dependencies come in from outside, so tests run it without any cloud.
import { parseArgs } from 'node:util';
import type { PubSub } from '@google-cloud/pubsub';
import { applyPlan } from './apply.js';
import { FUNCTIONS, functionUrl } from './functions.js';
import type { Fetch } from './health.js';
import { healthCheck } from './health.js';
import type { CommandRunner } from './gcloud.js';
import type { IndexConfig } from './indexes.js';
import type { GrantOnSubscription } from './pubsub.js';
import type { Group, PlanOptions } from './plan.js';
import { GROUPS, buildPlan } from './plan.js';
import { renderPlan } from './render.js';
import { UsageError, envValue, functionRegion, httpUrl, projectId } from './validate.js';

export const PROVISION_USAGE = `Usage: npm run provision -- --project PROJECT --region REGION [options]

  --plan                      print every step and call nothing
  --firestore-location LOC    Firestore location (default: the region; e.g. nam5, eur3)
  --google-client-id ID       OAuth client id (default: $GOOGLE_CLIENT_ID; required to deploy)
  --oauth-start-url URL       default: the oauthStart function's URL
  --oauth-redirect-url URL    default: the oauthCallback function's URL
  --token-key-version N       Secret Manager version of the token key ring (default: 1)
  --token-key-id ID           the ring's current key (TOKEN_ENCRYPTION_KEY_ID); needed when it holds several
  --source DIR                source directory to deploy (default: .)
  --only GROUP[,GROUP...]     only these groups: ${GROUPS.join(', ')}
  --help`;

export interface ProvisionDeps {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  indexes: () => IndexConfig;
  runner: () => CommandRunner;
  pubsub: (project: string) => PubSub;
  /** Subscription IAM; the Pub/Sub API's by default (tests: the emulator has no IAM). */
  grant?: GrantOnSubscription;
  /** For the health check of HTTP functions after a deploy (default: global fetch). */
  fetch?: Fetch;
  sleep?: (ms: number) => Promise<void>;
}

interface ProvisionArgs {
  plan: boolean;
  options: PlanOptions;
}

export function parseProvisionArgs(argv: string[], env: ProvisionDeps['env']): ProvisionArgs | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        project: { type: 'string' },
        region: { type: 'string' },
        plan: { type: 'boolean', default: false },
        'firestore-location': { type: 'string' },
        'google-client-id': { type: 'string' },
        'oauth-start-url': { type: 'string' },
        'oauth-redirect-url': { type: 'string' },
        source: { type: 'string', default: '.' },
        'token-key-version': { type: 'string', default: '1' },
        'token-key-id': { type: 'string' },
        only: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (values.help) return 'help';
  const project = projectId(values.project);
  const reg = functionRegion(values.region);
  const firestoreLocation = values['firestore-location'] ?? reg;
  if (!/^[a-z][a-z0-9-]{2,30}$/.test(firestoreLocation))
    throw new UsageError(
      '--firestore-location is not a Firestore location (for example nam5 or europe-west1)',
    );
  const clientId = values['google-client-id'] ?? env.GOOGLE_CLIENT_ID ?? null;
  if (clientId !== null && !/^[A-Za-z0-9._-]+$/.test(clientId))
    throw new UsageError('--google-client-id is not an OAuth client id');
  const url = (flag: 'oauth-start-url' | 'oauth-redirect-url') => {
    const v = values[flag];
    return v === undefined ? null : envValue(httpUrl(v, `--${flag}`), `--${flag}`);
  };
  const tokenKeyVersion = values['token-key-version'];
  if (!/^[1-9][0-9]{0,8}$/.test(tokenKeyVersion))
    throw new UsageError('--token-key-version must be a version number (1, 2, ...)');
  const tokenKeyId = values['token-key-id'] ?? null;
  if (tokenKeyId !== null && !/^[A-Za-z0-9_-]{1,32}$/.test(tokenKeyId))
    throw new UsageError("--token-key-id must be 1-32 letters, digits, '_' or '-'");
  let only: Group[] | null = null;
  if (values.only !== undefined) {
    only = values.only.split(',').map((g) => {
      if (!(GROUPS as readonly string[]).includes(g))
        throw new UsageError(`--only: unknown group "${g}" (groups: ${GROUPS.join(', ')})`);
      return g as Group;
    });
  }
  // Only the deploy commands carry the client id; the other groups can be applied before it exists.
  if (!values.plan && clientId === null && (only === null || only.includes('deploy')))
    throw new UsageError(
      '--google-client-id (or GOOGLE_CLIENT_ID) is required to deploy; --plan works without it',
    );
  return {
    plan: values.plan,
    options: {
      project,
      region: reg,
      firestoreLocation,
      source: envValue(values.source, '--source'),
      googleClientId: clientId,
      tokenKeyVersion,
      tokenKeyId,
      oauthStartUrl: url('oauth-start-url'),
      oauthRedirectUrl: url('oauth-redirect-url'),
      only,
    },
  };
}

export async function provisionMain(argv: string[], deps: ProvisionDeps): Promise<number> {
  let args: ProvisionArgs | 'help';
  try {
    args = parseProvisionArgs(argv, deps.env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    deps.err(`provision: ${e.message}`);
    deps.err(PROVISION_USAGE);
    return 2;
  }
  if (args === 'help') {
    deps.out(PROVISION_USAGE);
    return 0;
  }
  const { project, region: reg } = args.options;
  const plan = buildPlan(args.options, deps.indexes());
  if (args.plan) {
    renderPlan(
      plan,
      `Plan for project ${project}, region ${reg}: ${plan.steps.length} steps (plan mode: nothing is called)`,
    ).forEach((l) => deps.out(l));
    return 0;
  }
  // An emulator variable would send the Pub/Sub client to the emulator while gcloud changes the cloud.
  for (const name of ['PUBSUB_EMULATOR_HOST', 'FIRESTORE_EMULATOR_HOST'])
    if (deps.env[name]) {
      deps.err(`provision: ${name} is set; provisioning targets a real project, unset it first`);
      return 2;
    }
  deps.out(`Applying ${plan.steps.length} steps to project ${project}, region ${reg}`);
  try {
    await applyPlan(
      plan,
      { project, region: reg },
      {
        runner: deps.runner(),
        pubsub: lazy(() => deps.pubsub(project)),
        log: deps.out,
        grant: deps.grant,
        sleep: deps.sleep,
      },
    );
  } catch (e) {
    deps.err(`provision: ${e instanceof Error ? e.message : String(e)}`);
    deps.err('Fix the cause and run the same command again: every step is safe to repeat.');
    return 1;
  }
  if (plan.steps.some((s) => s.group === 'deploy')) {
    const deployed = FUNCTIONS.map((f) => ({
      name: f.name,
      url: f.trigger.kind === 'http' ? functionUrl(project, reg, f.name) : null,
    }));
    deps.out(`Health check of the ${deployed.length} functions`);
    const failed = await healthCheck(
      deployed,
      { project, region: reg },
      { runner: deps.runner(), fetch: deps.fetch ?? ((url, init) => fetch(url, init)) },
    );
    for (const f of failed) deps.err(`provision: ${f.name} did not answer: ${f.problem}`);
    if (failed.length > 0) {
      deps.err('Its logs (gcloud functions logs read NAME) name what it refused at start.');
      return 1;
    }
    deps.out('Every function answers.');
  }
  plan.notes.forEach((n) => deps.out(`Note: ${n}`));
  deps.out(`Done. OAuth callback URL: ${plan.oauthRedirectUrl}`);
  return 0;
}

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
