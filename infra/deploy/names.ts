// Every cloud resource name in one place, so that provisioning, the tenant command and the README
// cannot drift apart. The per-user topic name must match what the functions publish to (SYNC_TOPIC).
export const TOPICS = {
  tick: 'contact-sync-tick',
  user: 'contact-sync-user',
  dead: 'contact-sync-dead',
} as const;

/** Pull subscription on the dead-letter topic: nothing consumes it, a person reads it. */
export const DEAD_LETTER_SUBSCRIPTION = 'contact-sync-dead-inspect';

export const SECRETS = {
  tokenKey: 'contact-sync-token-key',
  googleClientSecret: 'contact-sync-google-client-secret',
} as const;

export const SERVICE_ACCOUNTS = {
  ticker: 'contact-sync-ticker',
  runner: 'contact-sync-runner',
  api: 'contact-sync-api',
  invoker: 'contact-sync-invoker',
} as const;

export type AccountRole = keyof typeof SERVICE_ACCOUNTS;

export const serviceAccountEmail = (project: string, role: AccountRole): string =>
  `${SERVICE_ACCOUNTS[role]}@${project}.iam.gserviceaccount.com`;

/** Appears in gcloud arguments before the project number is known; apply resolves it. */
export const PROJECT_NUMBER = '{{PROJECT_NUMBER}}';

export const pubsubAgent = (projectNumber: string): string =>
  `service-${projectNumber}@gcp-sa-pubsub.iam.gserviceaccount.com`;

export const topicPath = (project: string, topic: string): string => `projects/${project}/topics/${topic}`;

const JOB_PREFIX = 'contact-sync-tick-';

/**
 * Scheduler job ids allow [A-Za-z0-9_-] only, tenant ids also allow '.'. A dotted id gets a digest
 * suffix that makes its part longer than any tenant id (64), so it can never collide with another
 * tenant's plain job id.
 */
export function tickJobId(tenantId: string, digest: (s: string) => string): string {
  if (!tenantId.includes('.')) return `${JOB_PREFIX}${tenantId}`;
  return `${JOB_PREFIX}${tenantId.replaceAll('.', '_')}-${digest(tenantId)}`;
}
