// syncUser (Pub/Sub): one connection's sync. Returning acknowledges the message; throwing has Pub/Sub
// deliver it again, which the job asks for only while the run may still succeed.
import type { CloudEvent } from '@google-cloud/functions-framework';
import { runPreview } from '../shared/preview/preview.js';
import { userJobSchema } from '../shared/requests.js';
import type { SyncOutcome } from '../shared/syncConnection.js';
import { syncConnection } from '../shared/syncConnection.js';
import { connectionRef, log } from './log.js';
import { appForMessage, decodeMessage } from './pubsub.js';
import { answerFor, logFailure, retryError, shouldRetry } from './respond.js';

export async function syncUser(event: CloudEvent<unknown>): Promise<void> {
  const decoded = decodeMessage(event, userJobSchema);
  if (!decoded.ok) {
    log('WARNING', 'syncUser: malformed message acknowledged', {
      reason: decoded.reason,
      messageId: decoded.messageId,
    });
    return;
  }
  if ('kind' in decoded.value) {
    const job = decoded.value;
    const where = { tenantId: job.tenantId, connection: connectionRef(job.tenantId, job.userId) };
    const service = await appForMessage('syncUser', where);
    // A failed preview is stored as failed; the person asks again rather than Pub/Sub retrying it.
    const done = await runPreview(service, job);
    log('INFO', `syncUser: preview ${done.state}`, { ...where, previewId: job.previewId, error: done.error });
    return;
  }
  const request = decoded.value;
  const fields = {
    tenantId: request.tenantId,
    connection: connectionRef(request.tenantId, request.userId),
    runId: request.runId,
    trigger: request.trigger,
  };
  const service = await appForMessage('syncUser', fields);
  let outcome: SyncOutcome;
  try {
    outcome = await syncConnection(service, request);
  } catch (e) {
    // The job handles the sync's own failures; what reaches here is the store or the queue failing.
    const answer = answerFor(e);
    logFailure('syncUser', e, answer, fields);
    if (shouldRetry(e)) throw retryError(answer.code);
    return;
  }
  log(outcome.ack ? 'INFO' : 'WARNING', `syncUser: ${outcome.ack ? outcome.result : 'retry'}`, {
    ...fields,
    reason: outcome.reason,
  });
  if (!outcome.ack) throw retryError(outcome.reason);
}
