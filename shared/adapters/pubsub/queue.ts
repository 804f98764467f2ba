// The job queue on Pub/Sub: one message per sync request, published in client-side batches. The
// message carries ids only, never contact data.
import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { JobQueue, SyncRequest } from '../../ports.js';

export class PubSubQueue implements JobQueue {
  private readonly topic: Topic;

  constructor(pubsub: PubSub, topicName: string) {
    // Large batches keep a 10,000-connection fan-out to a handful of publish calls.
    this.topic = pubsub.topic(topicName, {
      batching: { maxMessages: 1000, maxMilliseconds: 20, maxBytes: 4 * 1024 * 1024 },
    });
  }

  async publishSync(requests: SyncRequest[]): Promise<void> {
    await Promise.all(
      requests.map((r) =>
        this.topic.publishMessage({
          json: r,
          attributes: { tenantId: r.tenantId, trigger: r.trigger },
        }),
      ),
    );
  }

  async close(): Promise<void> {
    await this.topic.flush();
  }
}
