// Recording what Pub/Sub dead-lettered (after the subscription's delivery attempts ran out), so that
// the tenant's admin sees it. The message is ours (ids only); a message we cannot read is kept under
// the tenant named in its attributes, or not at all when it names none.
import type { DeadLetter, DeadLetterStore } from '../ports.js';
import { isId, userJobSchema, tickSchema } from '../requests.js';

export interface DeadMessage {
  messageId: string;
  /** The decoded JSON payload, or null when it was not JSON. */
  json: unknown;
  attributes: Record<string, string>;
  publishedAt: number | null;
  deliveryAttempt: number | null;
}

export async function recordDeadLetter(
  deps: { deadLetters: DeadLetterStore; clock: { now(): number } },
  m: DeadMessage,
): Promise<DeadLetter | null> {
  const base = {
    messageId: m.messageId,
    publishedAt: m.publishedAt,
    recordedAt: deps.clock.now(),
    deliveryAttempt: m.deliveryAttempt,
  };
  let letter: DeadLetter | null = null;
  const job = userJobSchema.safeParse(m.json);
  const tick = tickSchema.safeParse(m.json);
  if (job.success) {
    const j = job.data;
    letter =
      'kind' in j
        ? { ...base, tenantId: j.tenantId, userId: j.userId, kind: 'preview', runId: j.previewId }
        : { ...base, tenantId: j.tenantId, userId: j.userId, kind: `sync:${j.trigger}`, runId: j.runId };
  } else if (tick.success)
    letter = { ...base, tenantId: tick.data.tenantId, userId: null, kind: 'tick', runId: null };
  else if (isId(m.attributes.tenantId))
    letter = { ...base, tenantId: m.attributes.tenantId, userId: null, kind: 'unreadable', runId: null };
  if (letter) await deps.deadLetters.record(letter);
  return letter;
}
