// How messages reach syncUser, tickTenant and deadLetter locally. With the Pub/Sub emulator: the
// production topics with push subscriptions into the served functions (the e2e tests' wiring), the
// sync subscription dead-lettering as deployed. Without it: the same push requests, posted in-process
// to the same function endpoints, retried a few times, then dead-lettered, and said so.
import { PubSub } from '@google-cloud/pubsub';
import type { AppClients } from '../../shared/compose.js';
import type { JobQueue, SyncRequest } from '../../shared/ports.js';
import { TOPICS } from '../deploy/names.js';
import { SYNC_SUBSCRIPTION_POLICY } from '../deploy/plan.js';
import type { ServedFunctions } from './stack-functions.js';

export interface Delivery {
  kind: 'pubsub' | 'in-process';
  /** What the app publishes sync requests with. */
  clients: Pick<AppClients, 'pubsub' | 'queue'>;
  /** Cloud Scheduler's message for one tenant. */
  tick(tenantId: string): Promise<void>;
  /** One line per route, for the banner. */
  routes: string[];
  close(): Promise<void>;
}

// Never used to sign (emulator channels are insecure); without any, google-gax probes the GCE
// metadata server for application default credentials.
const EMULATOR_CREDENTIALS = { client_email: 'emulator@demo.invalid', private_key: 'unused' };

// Above the runner's 480 s budget, as in production, so a live attempt is not delivered twice.
const ACK_DEADLINE_SECONDS = 600;

type EventFunction = 'syncUser' | 'tickTenant' | 'deadLetter';

const pushEndpoint = (fn: ServedFunctions, name: EventFunction, project: string, topic: string) =>
  // The framework reads the topic from the path when it turns a push into a CloudEvent.
  `${fn.url(name)}/projects/${project}/topics/${topic}`;

export async function pubsubDelivery(
  host: string,
  projectId: string,
  fn: ServedFunctions,
): Promise<Delivery> {
  const pubsub = new PubSub({
    projectId,
    apiEndpoint: host,
    emulatorMode: true,
    credentials: EMULATOR_CREDENTIALS,
  });
  try {
    const wire = async (topicName: string, name: EventFunction, deadLetterTopic?: string) => {
      const [topic] = await pubsub.createTopic(topicName);
      const policy = SYNC_SUBSCRIPTION_POLICY;
      await topic.createSubscription(`${topicName}-push`, {
        pushConfig: { pushEndpoint: pushEndpoint(fn, name, projectId, topicName) },
        ackDeadlineSeconds: ACK_DEADLINE_SECONDS,
        ...(deadLetterTopic
          ? {
              deadLetterPolicy: { deadLetterTopic, maxDeliveryAttempts: policy.maxDeliveryAttempts },
              retryPolicy: {
                minimumBackoff: { seconds: policy.minBackoffSeconds },
                maximumBackoff: { seconds: policy.maxBackoffSeconds },
              },
            }
          : {}),
      });
      return topic;
    };
    const tickTopic = await wire(TOPICS.tick, 'tickTenant');
    const deadTopic = await wire(TOPICS.dead, 'deadLetter');
    await wire(TOPICS.user, 'syncUser', deadTopic.name);
    return {
      kind: 'pubsub',
      clients: { pubsub },
      async tick(tenantId) {
        await tickTopic.publishMessage({ json: { tenantId } });
      },
      routes: [
        `topic ${TOPICS.tick} → push → ${fn.url('tickTenant')}`,
        `topic ${TOPICS.user} → push → ${fn.url('syncUser')} (dead-lettered after ${SYNC_SUBSCRIPTION_POLICY.maxDeliveryAttempts} attempts)`,
        `topic ${TOPICS.dead} → push → ${fn.url('deadLetter')}`,
      ],
      close: () => pubsub.close(),
    };
  } catch (e) {
    await pubsub.close().catch(() => undefined);
    throw e;
  }
}

const ATTEMPTS = 5;
const DELIVERY_TIMEOUT_MS = 600_000;

/** Posts Pub/Sub push envelopes to one function, as a push subscription would, with retries. */
class LocalPush {
  private readonly inflight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private sequence = 0;

  constructor(
    private readonly endpoint: string,
    private readonly subscription: string,
    private readonly say: (line: string) => void,
    /** Where a message goes once its attempts ran out, as Pub/Sub's dead-letter policy forwards it. */
    private readonly deadLetter: LocalPush | null = null,
  ) {}

  send(json: unknown, attributes: Record<string, string> = {}): void {
    const messageId = `local-${++this.sequence}`;
    const publishTime = new Date().toISOString();
    const body = JSON.stringify({
      message: {
        data: Buffer.from(JSON.stringify(json)).toString('base64'),
        messageId,
        publishTime,
        attributes,
      },
      subscription: this.subscription,
    });
    const p = this.deliver(body, messageId)
      .then((delivered) => {
        if (delivered || !this.deadLetter || this.stopping.signal.aborted) return;
        this.deadLetter.send(json, {
          ...attributes,
          // The attributes Pub/Sub adds to a message it dead-letters.
          CloudPubSubDeadLetterSourceDeliveryCount: String(ATTEMPTS),
          CloudPubSubDeadLetterSourceSubscription: this.subscription.split('/').pop()!,
          CloudPubSubDeadLetterSourceTopicPublishTime: publishTime,
        });
      })
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /** Whether a delivery was acknowledged within the attempts. */
  private async deliver(body: string, messageId: string): Promise<boolean> {
    // Delivered after the publish call returns, as Pub/Sub does.
    await new Promise((r) => setImmediate(r));
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (this.stopping.signal.aborted) return false;
      try {
        const res = await fetch(this.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
        });
        await res.arrayBuffer();
        if (res.ok) return true;
      } catch {
        // Refused or aborted: retried below, like a nack.
      }
      if (attempt < ATTEMPTS) await this.pause(1_000 * 2 ** (attempt - 1));
    }
    if (!this.stopping.signal.aborted)
      this.say(
        `in-process delivery: message ${messageId} failed ${ATTEMPTS} times${this.deadLetter ? ' and is dead-lettered' : ' and is dropped'}`,
      );
    return false;
  }

  private pause(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    return new Promise((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.inflight]);
  }
}

export function inProcessDelivery(
  projectId: string,
  fn: ServedFunctions,
  say: (line: string) => void,
): Delivery {
  const sub = (topic: string) => `projects/${projectId}/subscriptions/${topic}-local`;
  const dead = new LocalPush(pushEndpoint(fn, 'deadLetter', projectId, TOPICS.dead), sub(TOPICS.dead), say);
  const sync = new LocalPush(
    pushEndpoint(fn, 'syncUser', projectId, TOPICS.user),
    sub(TOPICS.user),
    say,
    dead,
  );
  const tick = new LocalPush(pushEndpoint(fn, 'tickTenant', projectId, TOPICS.tick), sub(TOPICS.tick), say);
  const queue: JobQueue = {
    async publishSync(requests: SyncRequest[]) {
      for (const r of requests) sync.send(r, { tenantId: r.tenantId, trigger: r.trigger });
    },
  };
  return {
    kind: 'in-process',
    clients: { queue },
    async tick(tenantId) {
      tick.send({ tenantId });
    },
    routes: [
      `in-process push → ${fn.url('tickTenant')} (no Pub/Sub emulator)`,
      `in-process push → ${fn.url('syncUser')} (no Pub/Sub emulator; ${ATTEMPTS} attempts, 1-8 s apart, then dead-lettered)`,
      `in-process push → ${fn.url('deadLetter')} (no Pub/Sub emulator)`,
    ],
    close: async () => {
      await Promise.all([sync.close(), tick.close()]);
      await dead.close();
    },
  };
}
