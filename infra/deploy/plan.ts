// The provisioning plan: a pure function from the options to an ordered list of steps. Plan mode prints
// it, apply mode executes it; both read the same list, so what is printed is what runs.
import type { FunctionSpec } from './functions.js';
import {
  FUNCTIONS,
  LEASE_TTL_SECONDS,
  SYNC_TIME_BUDGET_SECONDS,
  deployArgs,
  functionUrl,
} from './functions.js';
import type { IndexConfig } from './indexes.js';
import { indexCommands } from './indexes.js';
import type { AccountRole } from './names.js';
import {
  DEAD_LETTER_SUBSCRIPTION,
  PROJECT_NUMBER,
  SECRETS,
  SERVICE_ACCOUNTS,
  TOPICS,
  pubsubAgent,
  serviceAccountEmail,
} from './names.js';

export const GROUPS = [
  'apis',
  'firestore',
  'secrets',
  'accounts',
  'pubsub',
  'iam',
  'deploy',
  'subscription',
] as const;
export type Group = (typeof GROUPS)[number];

interface StepBase {
  group: Group;
  title: string;
}

export type Step =
  | (StepBase & {
      kind: 'gcloud';
      args: string[];
      /** The resource may already exist: "already exists" counts as done, so re-running is safe. */
      okIfExists?: boolean;
      /**
       * An IAM binding on an identity created moments before: IAM may not know it yet for a minute or
       * so, and such a refusal is retried (bounded) rather than failing a new project's first deploy.
       */
      retryWhilePropagating?: boolean;
    })
  | (StepBase & { kind: 'topic'; topic: string; equivalent: string[] })
  | (StepBase & {
      kind: 'pull-subscription';
      name: string;
      topic: string;
      ackDeadlineSeconds: number;
      retentionSeconds: number;
      equivalent: string[];
    })
  | (StepBase & {
      kind: 'trigger-subscription';
      /** The function whose Eventarc trigger owns the subscription (found on the topic at apply time). */
      functionName: string;
      topic: string;
      ackDeadlineSeconds: number;
      minBackoffSeconds: number;
      maxBackoffSeconds: number;
      deadLetterTopic: string;
      maxDeliveryAttempts: number;
      equivalent: string[][];
    });

export interface PlanOptions {
  project: string;
  region: string;
  firestoreLocation: string;
  /** Directory deployed as the functions' source (the repository root). */
  source: string;
  /** Null in plan mode before the OAuth client exists: a placeholder is printed instead. */
  googleClientId: string | null;
  /** The Secret Manager version of the token key ring the functions get mounted. */
  tokenKeyVersion: string;
  /** The current key of that ring (TOKEN_ENCRYPTION_KEY_ID); null when the ring holds one key. */
  tokenKeyId?: string | null;
  oauthStartUrl: string | null;
  oauthRedirectUrl: string | null;
  only: readonly Group[] | null;
}

export interface Plan {
  steps: Step[];
  notes: string[];
  /** The callback URL to register on the OAuth client. */
  oauthRedirectUrl: string;
}

const APIS = [
  'cloudfunctions.googleapis.com',
  'run.googleapis.com',
  'cloudbuild.googleapis.com',
  'artifactregistry.googleapis.com',
  'eventarc.googleapis.com',
  'pubsub.googleapis.com',
  'firestore.googleapis.com',
  'cloudscheduler.googleapis.com',
  'secretmanager.googleapis.com',
  'iam.googleapis.com',
  'people.googleapis.com',
];

export const SYNC_SUBSCRIPTION_POLICY = {
  // Pub/Sub's maximum; above the function's timeout so a running attempt is never redelivered.
  ackDeadlineSeconds: 600,
  minBackoffSeconds: 10,
  maxBackoffSeconds: 600,
  maxDeliveryAttempts: 5,
} as const;

// Least privilege: Firestore for every runtime account, publishing only to the per-user topic, and
// each secret only to the accounts of functions that open it.
const FIRESTORE_ROLE = 'roles/datastore.user';
const RUNTIME_ACCOUNTS: AccountRole[] = ['ticker', 'runner', 'api'];

export function buildPlan(options: PlanOptions, indexes: IndexConfig): Plan {
  const { project, region } = options;
  const p = `--project=${project}`;
  const notes: string[] = [];
  const sa = (role: AccountRole) => serviceAccountEmail(project, role);
  const member = (role: AccountRole) => `--member=serviceAccount:${sa(role)}`;
  const agent = `--member=serviceAccount:${pubsubAgent(PROJECT_NUMBER)}`;
  const oauthRedirectUrl = options.oauthRedirectUrl ?? functionUrl(project, region, 'oauthCallback');
  const oauthStartUrl = options.oauthStartUrl ?? functionUrl(project, region, 'oauthStart');
  if (!options.googleClientId)
    notes.push(
      '--google-client-id not given: the deploy commands show <GOOGLE_CLIENT_ID>; deploying requires it.',
    );

  notes.push(
    `${PROJECT_NUMBER} stands for the project's number; apply reads it with gcloud projects describe.`,
  );

  const steps: Step[] = [];
  const gcloud = (group: Group, title: string, args: string[], okIfExists = false) =>
    steps.push({
      group,
      title,
      kind: 'gcloud',
      args: [...args, p],
      okIfExists,
      ...(group === 'iam' ? { retryWhilePropagating: true } : {}),
    });

  gcloud('apis', 'Enable the APIs', ['services', 'enable', ...APIS]);

  gcloud(
    'firestore',
    `Firestore database (native mode) in ${options.firestoreLocation}`,
    [
      'firestore',
      'databases',
      'create',
      `--location=${options.firestoreLocation}`,
      '--type=firestore-native',
    ],
    true,
  );
  for (const c of indexCommands(indexes, project))
    steps.push({ group: 'firestore', title: c.title, kind: 'gcloud', args: c.args, okIfExists: true });

  for (const secret of Object.values(SECRETS))
    gcloud(
      'secrets',
      `Secret ${secret} (its value is added by hand, see infra/README.md)`,
      ['secrets', 'create', secret, '--replication-policy=automatic'],
      true,
    );

  for (const role of Object.keys(SERVICE_ACCOUNTS) as AccountRole[])
    gcloud(
      'accounts',
      `Service account ${SERVICE_ACCOUNTS[role]}`,
      ['iam', 'service-accounts', 'create', SERVICE_ACCOUNTS[role], `--display-name=Contact sync ${role}`],
      true,
    );

  for (const topic of Object.values(TOPICS))
    steps.push({
      group: 'pubsub',
      title: `Topic ${topic}`,
      kind: 'topic',
      topic,
      equivalent: ['pubsub', 'topics', 'create', topic, p],
    });
  const retention = 7 * 24 * 3600;
  steps.push({
    group: 'pubsub',
    title: `Pull subscription ${DEAD_LETTER_SUBSCRIPTION} on ${TOPICS.dead}, to inspect dead letters`,
    kind: 'pull-subscription',
    name: DEAD_LETTER_SUBSCRIPTION,
    topic: TOPICS.dead,
    ackDeadlineSeconds: 60,
    retentionSeconds: retention,
    equivalent: [
      'pubsub',
      'subscriptions',
      'create',
      DEAD_LETTER_SUBSCRIPTION,
      `--topic=${TOPICS.dead}`,
      '--ack-deadline=60',
      `--message-retention-duration=${retention}s`,
      '--expiration-period=never',
      p,
    ],
  });

  for (const role of RUNTIME_ACCOUNTS)
    gcloud('iam', `${SERVICE_ACCOUNTS[role]}: Firestore user`, [
      'projects',
      'add-iam-policy-binding',
      project,
      member(role),
      `--role=${FIRESTORE_ROLE}`,
      '--condition=None',
    ]);
  for (const role of RUNTIME_ACCOUNTS)
    gcloud('iam', `${SERVICE_ACCOUNTS[role]}: publish to ${TOPICS.user}`, [
      'pubsub',
      'topics',
      'add-iam-policy-binding',
      TOPICS.user,
      member(role),
      '--role=roles/pubsub.publisher',
    ]);
  for (const [key, secret] of Object.entries(SECRETS) as [keyof typeof SECRETS, string][]) {
    const readers = new Set(FUNCTIONS.filter((f) => f.secrets.includes(key)).map((f) => f.account));
    for (const role of readers)
      gcloud('iam', `${SERVICE_ACCOUNTS[role]}: read secret ${secret}`, [
        'secrets',
        'add-iam-policy-binding',
        secret,
        member(role),
        '--role=roles/secretmanager.secretAccessor',
      ]);
  }
  // A new project has no Pub/Sub service agent until something creates it; granting it roles first
  // would fail with "service account does not exist".
  gcloud(
    'iam',
    'Pub/Sub service agent (created if the project has none yet)',
    ['beta', 'services', 'identity', 'create', '--service=pubsub.googleapis.com'],
    true,
  );
  gcloud('iam', `Pub/Sub service agent: publish dead letters to ${TOPICS.dead}`, [
    'pubsub',
    'topics',
    'add-iam-policy-binding',
    TOPICS.dead,
    agent,
    '--role=roles/pubsub.publisher',
  ]);
  // Push deliveries to the functions carry OIDC tokens minted for the invoker account.
  gcloud('iam', `Pub/Sub service agent: mint tokens for ${SERVICE_ACCOUNTS.invoker}`, [
    'iam',
    'service-accounts',
    'add-iam-policy-binding',
    sa('invoker'),
    agent,
    '--role=roles/iam.serviceAccountTokenCreator',
  ]);

  const env: Record<string, string> = {
    GOOGLE_CLOUD_PROJECT: project,
    SYNC_TOPIC: TOPICS.user,
    OAUTH_START_URL: oauthStartUrl,
    PAGES_URL: functionUrl(project, region, 'pages'),
    OAUTH_REDIRECT_URL: oauthRedirectUrl,
    GOOGLE_CLIENT_ID: options.googleClientId ?? '<GOOGLE_CLIENT_ID>',
    SYNC_TIME_BUDGET_SECONDS: String(SYNC_TIME_BUDGET_SECONDS),
    LEASE_TTL_SECONDS: String(LEASE_TTL_SECONDS),
    ...(options.tokenKeyId ? { TOKEN_ENCRYPTION_KEY_ID: options.tokenKeyId } : {}),
  };
  for (const spec of FUNCTIONS)
    steps.push({
      group: 'deploy',
      title: `Deploy ${spec.name} (${describeTrigger(spec)})`,
      kind: 'gcloud',
      args: deployArgs(spec, {
        project,
        region,
        source: options.source,
        tokenKeyVersion: options.tokenKeyVersion,
        env,
      }),
    });
  for (const spec of FUNCTIONS.filter((f) => f.trigger.kind === 'topic'))
    gcloud('deploy', `${SERVICE_ACCOUNTS.invoker}: invoke ${spec.name}`, [
      'functions',
      'add-invoker-policy-binding',
      spec.name,
      `--region=${region}`,
      member('invoker'),
    ]);

  const sync = FUNCTIONS.find((f) => f.name === 'syncUser')!;
  const policy = SYNC_SUBSCRIPTION_POLICY;
  const sub = `<subscription of the ${sync.name} trigger>`;
  steps.push({
    group: 'subscription',
    title: `Retry and dead-letter policy on the ${sync.name} trigger's subscription`,
    kind: 'trigger-subscription',
    functionName: sync.name,
    topic: TOPICS.user,
    ...policy,
    deadLetterTopic: TOPICS.dead,
    equivalent: [
      [
        'pubsub',
        'subscriptions',
        'update',
        sub,
        `--ack-deadline=${policy.ackDeadlineSeconds}`,
        `--min-retry-delay=${policy.minBackoffSeconds}s`,
        `--max-retry-delay=${policy.maxBackoffSeconds}s`,
        `--dead-letter-topic=${TOPICS.dead}`,
        `--max-delivery-attempts=${policy.maxDeliveryAttempts}`,
        p,
      ],
      ['pubsub', 'subscriptions', 'add-iam-policy-binding', sub, agent, '--role=roles/pubsub.subscriber', p],
    ],
  });

  const only = options.only;
  return { steps: only ? steps.filter((s) => only.includes(s.group)) : steps, notes, oauthRedirectUrl };
}

function describeTrigger(spec: FunctionSpec): string {
  return spec.trigger.kind === 'http' ? 'HTTP' : `Pub/Sub ${spec.trigger.topic}`;
}
