// Topics and subscriptions through the Pub/Sub API. Every step converges: an existing resource is
// updated to the planned settings instead of failing, so provisioning can be re-run at any time.
import type { PubSub, Subscription } from '@google-cloud/pubsub';
import type { Step } from './plan.js';
import { pubsubAgent, topicPath } from './names.js';

type Of<K extends Step['kind']> = Extract<Step, { kind: K }>;

const ALREADY_EXISTS = 6;
const isAlreadyExists = (e: unknown) => (e as { code?: number }).code === ALREADY_EXISTS;

export async function ensureTopic(pubsub: PubSub, step: Of<'topic'>): Promise<'created' | 'exists'> {
  try {
    await pubsub.createTopic(step.topic);
    return 'created';
  } catch (e) {
    if (isAlreadyExists(e)) return 'exists';
    throw e;
  }
}

export async function ensurePullSubscription(
  pubsub: PubSub,
  step: Of<'pull-subscription'>,
): Promise<'created' | 'updated' | 'unchanged'> {
  const settings = {
    ackDeadlineSeconds: step.ackDeadlineSeconds,
    messageRetentionDuration: { seconds: step.retentionSeconds },
    // Set but without a ttl: the subscription never expires, however long nobody reads it.
    expirationPolicy: {},
  };
  try {
    await pubsub.topic(step.topic).createSubscription(step.name, settings);
    return 'created';
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
  // Only what differs is updated: a no-op update is still a write, and some fields are slow to change.
  const subscription = pubsub.subscription(step.name);
  const [current] = await subscription.getMetadata();
  const changes: Record<string, unknown> = {};
  if (current.ackDeadlineSeconds !== settings.ackDeadlineSeconds)
    changes.ackDeadlineSeconds = settings.ackDeadlineSeconds;
  if (Number(current.messageRetentionDuration?.seconds ?? 0) !== step.retentionSeconds)
    changes.messageRetentionDuration = settings.messageRetentionDuration;
  if (current.expirationPolicy?.ttl) changes.expirationPolicy = settings.expirationPolicy;
  if (Object.keys(changes).length === 0) return 'unchanged';
  await subscription.setMetadata(changes);
  return 'updated';
}

/**
 * Eventarc creates the push subscription of a Pub/Sub-triggered gen2 function and names it
 * eventarc-<region>-<function, lowercase>-<n>-sub-<n>; it is found on the topic by that name.
 */
export function triggerSubscriptionPattern(region: string, functionName: string): RegExp {
  return new RegExp(`^eventarc-${region}-${functionName.toLowerCase()}-[0-9]+-sub-[0-9]+$`);
}

/** Adds a role binding on a subscription (a seam: the Pub/Sub emulator has no IAM). */
export type GrantOnSubscription = (subscription: Subscription, role: string, member: string) => Promise<void>;

export const grantWithIamApi: GrantOnSubscription = async (subscription, role, member) => {
  const [policy] = await subscription.iam.getPolicy();
  const bindings = policy.bindings ?? [];
  const binding = bindings.find((b) => b.role === role);
  if (binding?.members?.includes(member)) return;
  if (binding) binding.members = [...(binding.members ?? []), member];
  else bindings.push({ role, members: [member] });
  // The etag read with the policy makes a concurrent change fail instead of being overwritten.
  await subscription.iam.setPolicy({ ...policy, bindings });
};

export async function configureTriggerSubscription(
  pubsub: PubSub,
  step: Of<'trigger-subscription'>,
  context: { project: string; region: string; projectNumber: string },
  grant: GrantOnSubscription = grantWithIamApi,
): Promise<string[]> {
  const pattern = triggerSubscriptionPattern(context.region, step.functionName);
  const [subscriptions] = await pubsub.topic(step.topic).getSubscriptions();
  const ours = subscriptions.filter((s) => pattern.test(s.name.split('/').pop() ?? ''));
  if (ours.length === 0)
    throw new Error(
      `no subscription of the ${step.functionName} trigger on topic ${step.topic} ` +
        `(expected a name matching ${pattern.source}); deploy ${step.functionName} first`,
    );
  for (const subscription of ours) {
    await subscription.setMetadata({
      ackDeadlineSeconds: step.ackDeadlineSeconds,
      retryPolicy: {
        minimumBackoff: { seconds: step.minBackoffSeconds },
        maximumBackoff: { seconds: step.maxBackoffSeconds },
      },
      deadLetterPolicy: {
        deadLetterTopic: topicPath(context.project, step.deadLetterTopic),
        maxDeliveryAttempts: step.maxDeliveryAttempts,
      },
    });
    // Dead-lettering acks the message on the source subscription as the Pub/Sub service agent.
    await grant(
      subscription,
      'roles/pubsub.subscriber',
      `serviceAccount:${pubsubAgent(context.projectNumber)}`,
    );
  }
  return ours.map((s) => s.name.split('/').pop() ?? s.name);
}
