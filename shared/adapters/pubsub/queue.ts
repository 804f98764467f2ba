// The job queue on Pub/Sub: one message per sync request, published in client-side batches. The
// message carries ids only, never contact data.
import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { JobQueue, PreviewQueue, PreviewRequest, SyncRequest } from '../../ports.js';

export class PubSubQueue implements JobQueue, PreviewQueue {
  private topic: Promise<Topic> | null = null;
  private client: PubSub | null = null;

  /**
   * `pubsub` is a client, or how to make one: most sync runs publish nothing, and not loading the
   * Pub/Sub library until the first message keeps a run's memory smaller.
   */
  constructor(
    private readonly pubsub: PubSub | (() => Promise<PubSub>),
    private readonly topicName: string,
  ) {}

  private open(): Promise<Topic> {
    this.topic ??= (async () => {
      this.client = typeof this.pubsub === 'function' ? await this.pubsub() : this.pubsub;
      // Large batches keep a 10,000-connection fan-out to a handful of publish calls.
      return this.client.topic(this.topicName, {
        batching: { maxMessages: 1000, maxMilliseconds: 20, maxBytes: 4 * 1024 * 1024 },
      });
    })();
    return this.topic;
  }

  async publishSync(requests: SyncRequest[]): Promise<void> {
    const topic = await this.open();
    await Promise.all(
      requests.map((r) =>
        topic.publishMessage({
          json: r,
          attributes: { tenantId: r.tenantId, trigger: r.trigger },
        }),
      ),
    );
  }

  /** On the same topic: the per-user function tells a preview by its `kind`. */
  async publishPreview(request: PreviewRequest): Promise<void> {
    const topic = await this.open();
    await topic.publishMessage({
      json: request,
      attributes: { tenantId: request.tenantId, kind: 'preview' },
    });
  }

  async close(): Promise<void> {
    if (!this.topic) return;
    await (await this.topic).flush();
    // A client this queue made itself is its to close.
    if (typeof this.pubsub === 'function') await this.client?.close();
  }
}
