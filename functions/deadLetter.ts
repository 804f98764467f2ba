// deadLetter (Pub/Sub, on the dead-letter topic): a sync request, preview or tick whose delivery
// attempts ran out is recorded under its tenant, where the tenant's admin view lists it. Pub/Sub
// forwards the message as it was, with attributes saying where it came from and how often it was tried.
import type { CloudEvent } from '@google-cloud/functions-framework';
import { recordDeadLetter } from '../shared/admin/deadLetters.js';
import { log } from './log.js';
import { appForMessage, receiveMessage } from './pubsub.js';
import { answerFor, logFailure, retryError, shouldRetry } from './respond.js';

/** Set by Pub/Sub on every message it dead-letters. */
const DELIVERY_COUNT = 'CloudPubSubDeadLetterSourceDeliveryCount';

const count = (s: string | undefined): number | null =>
  s !== undefined && /^\d{1,6}$/.test(s) ? Number(s) : null;

const jsonOr = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

export async function deadLetter(event: CloudEvent<unknown>): Promise<void> {
  const received = receiveMessage(event);
  if (!received.ok || received.messageId === null) {
    log('WARNING', 'deadLetter: unreadable message acknowledged', {
      reason: received.ok ? 'no message id' : received.reason,
      messageId: received.messageId,
    });
    return;
  }
  const published = received.publishTime === null ? NaN : Date.parse(received.publishTime);
  const service = await appForMessage('deadLetter', {});
  try {
    const letter = await recordDeadLetter(service, {
      messageId: received.messageId,
      json: jsonOr(received.text),
      attributes: received.attributes,
      publishedAt: Number.isFinite(published) ? published : null,
      deliveryAttempt: count(received.attributes[DELIVERY_COUNT]),
    });
    // Ids only: the tenant's admin sees the rest in its view.
    if (letter)
      log('ERROR', 'deadLetter: recorded', {
        tenantId: letter.tenantId,
        kind: letter.kind,
        runId: letter.runId,
        deliveryAttempt: letter.deliveryAttempt,
        messageId: letter.messageId,
      });
    else log('WARNING', 'deadLetter: names no tenant, dropped', { messageId: received.messageId });
  } catch (e) {
    // Only the store fails here; the message is kept (retried) rather than lost.
    const answer = answerFor(e);
    logFailure('deadLetter', e, answer, { messageId: received.messageId });
    if (shouldRetry(e)) throw retryError(answer.code);
  }
}
