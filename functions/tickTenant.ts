// tickTenant (Pub/Sub, from Cloud Scheduler): one sync request per due connection of the tenant.
import type { CloudEvent } from '@google-cloud/functions-framework';
import { tickSchema } from '../shared/requests.js';
import { tickTenant as tick } from '../shared/tickTenant.js';
import { log } from './log.js';
import { appForMessage, decodeMessage } from './pubsub.js';
import { answerFor, logFailure, retryError, shouldRetry } from './respond.js';

export async function tickTenant(event: CloudEvent<unknown>): Promise<void> {
  const decoded = decodeMessage(event, tickSchema);
  if (!decoded.ok) {
    log('WARNING', 'tickTenant: malformed message acknowledged', {
      reason: decoded.reason,
      messageId: decoded.messageId,
    });
    return;
  }
  const { tenantId } = decoded.value;
  const service = await appForMessage('tickTenant', { tenantId });
  try {
    const { published } = await tick(service, tenantId);
    log('INFO', 'tickTenant: published', { tenantId, published });
  } catch (e) {
    const answer = answerFor(e);
    logFailure('tickTenant', e, answer, { tenantId });
    // A repeated tick is harmless: requests a run already covered are dropped as stale.
    if (shouldRetry(e)) throw retryError(answer.code);
  }
}
