// The deployed shape on loopback: the functions served by functions-framework (in-process), Pub/Sub
// topics with push subscriptions into them (official emulator), Firestore (official emulator), and
// the Google and Creatio stand-ins. Tests act as Cloud Scheduler (a tick message), as the tenant's
// backend (API-key calls) and as the users (the stand-ins' UIs).
import assert from 'node:assert/strict';
import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { Harness, TenantSeed } from '../functions/harness.js';
import { call, startHarness, waitFor } from '../functions/harness.js';
import type { RunSummary } from '../../shared/ports.js';
import { emailsOf, groupsOf, titleOf } from '../../infra/standins/google/index.js';
import { newPubSub, uniqueProjectId } from '../support/emulators.js';

export const SYNC_TOPIC = 'contact-sync-user';
export const TICK_TOPIC = 'contact-sync-tick';
export const DEAD_TOPIC = 'contact-sync-dead';
export const ACCOUNT = 'demo.user@example.com';

export interface Stack {
  h: Harness;
  pubsub: PubSub;
  syncTopic: Topic;
  tickTopic: Topic;
  tick(tenantId: string): Promise<void>;
  /** syncUser log lines (one per delivery that reached the job) for a run. */
  deliveries(runId: string): { message: string; reason: unknown }[];
  close(): Promise<void>;
}

/**
 * `deadLetters`: the sync subscription gives up after Pub/Sub's fewest delivery attempts (5), a
 * second apart, and forwards to the dead-letter topic, pushed into deadLetter, as deployed (the
 * emulator dead-letters with the same attributes as Pub/Sub).
 */
export async function startStack(
  label: string,
  env: Record<string, string> = {},
  options: { deadLetters?: boolean } = {},
): Promise<Stack> {
  const projectId = uniqueProjectId(label);
  const pubsub = await newPubSub(projectId);
  const h = await startHarness({ pubsub, projectId, syncTopic: SYNC_TOPIC, env });
  const [syncTopic] = await pubsub.createTopic(SYNC_TOPIC);
  const [tickTopic] = await pubsub.createTopic(TICK_TOPIC);
  // The path names the topic, as functions-framework expects of a push endpoint.
  const endpoint = (fn: 'syncUser' | 'tickTenant' | 'deadLetter', topic: string) =>
    `${h.urls[fn]}/projects/${projectId}/topics/${topic}`;
  let deadLetterPolicy = {};
  if (options.deadLetters) {
    const [deadTopic] = await pubsub.createTopic(DEAD_TOPIC);
    await deadTopic.createSubscription('dead-letter-push', {
      pushConfig: { pushEndpoint: endpoint('deadLetter', DEAD_TOPIC) },
      ackDeadlineSeconds: 60,
    });
    deadLetterPolicy = {
      deadLetterPolicy: { deadLetterTopic: deadTopic.name, maxDeliveryAttempts: 5 },
      retryPolicy: { minimumBackoff: { seconds: 1 }, maximumBackoff: { seconds: 2 } },
    };
  }
  await syncTopic.createSubscription('sync-user-push', {
    pushConfig: { pushEndpoint: endpoint('syncUser', SYNC_TOPIC) },
    ackDeadlineSeconds: 60,
    ...deadLetterPolicy,
  });
  await tickTopic.createSubscription('tick-tenant-push', {
    pushConfig: { pushEndpoint: endpoint('tickTenant', TICK_TOPIC) },
    ackDeadlineSeconds: 60,
  });
  return {
    h,
    pubsub,
    syncTopic,
    tickTopic,
    async tick(tenantId) {
      await tickTopic.publishMessage({ json: { tenantId } });
    },
    deliveries(runId) {
      return h.logs
        .filter((l) => l.runId === runId && String(l.message).startsWith('syncUser: '))
        .map((l) => ({ message: String(l.message), reason: l.reason }));
    },
    async close() {
      await h.close();
    },
  };
}

/** A run's summary once it has finished, polled through syncStatus as the tenant's backend would. */
export async function finishedRun(
  s: Stack,
  seed: TenantSeed,
  userId: string,
  runId: string,
  timeoutMs = 45_000,
): Promise<RunSummary> {
  return waitFor(
    `run ${runId} to finish`,
    async () => {
      const r = await call(
        `${s.h.urls.syncStatus}?tenantId=${seed.tenantId}&userId=${userId}&runId=${runId}`,
        {
          apiKey: seed.apiKey,
        },
      );
      const body = r.json as { state?: string; summary?: RunSummary | null };
      // A failed summary may be the first attempt of a run that Pub/Sub is about to deliver again.
      return body.state === 'finished' && body.summary && body.summary.outcome !== 'failed'
        ? body.summary
        : null;
    },
    timeoutMs,
  );
}

/** "Sync now", then wait for that run to finish. */
export async function syncNowAndWait(s: Stack, seed: TenantSeed, userId: string): Promise<RunSummary> {
  const r = await call(s.h.urls.syncNow, {
    method: 'POST',
    apiKey: seed.apiKey,
    json: { tenantId: seed.tenantId, userId },
  });
  if (r.status !== 202) throw new Error(`syncNow: HTTP ${r.status} ${r.text}`);
  return finishedRun(s, seed, userId, (r.json as { runId: string }).runId);
}

// ---- What the users see in their UIs ----

type Json = Record<string, unknown>;

export { emailsOf, groupsOf, titleOf };

export function googleGroups(s: Stack, name: string): Json[] {
  return s.h.google.user.listGroups(ACCOUNT).filter((g) => g.name === name);
}

export function googleContacts(s: Stack): Json[] {
  return s.h.google.user.listContacts(ACCOUNT);
}

export function googleByEmail(s: Stack, email: string): Json[] {
  return googleContacts(s).filter((p) => emailsOf(p).includes(email));
}

export function crmMembers(s: Stack, folderId: string): string[] {
  return s.h.creatio.ui
    .rows('ContactInFolder', `$filter=FolderId eq ${folderId}`)
    .map((r) => String(r.ContactId).toLowerCase());
}

export function crmByEmail(s: Stack, email: string): Json[] {
  return s.h.creatio.ui.rows('Contact', `$filter=Email eq '${email}'`);
}

/** People API methods that change data (the stand-in counts every request by method). */
const GOOGLE_WRITE = /create|update|delete|modify/i;

/** Every write either stand-in counted since its stats were reset, named by method or entity set. */
export function writesSinceReset(s: Stack): string[] {
  const out: string[] = [];
  for (const [method, n] of Object.entries(s.h.google.stats().byMethod))
    if (GOOGLE_WRITE.test(method) && n > 0) out.push(`google ${method} ×${n}`);
  const odata = s.h.creatio.stats().odata;
  for (const verb of ['post', 'patch', 'delete'] as const)
    for (const [set, n] of Object.entries(odata[verb])) if (n > 0) out.push(`creatio ${verb} ${set} ×${n}`);
  return out;
}

/** A run after which nobody changed anything: it must not write on either side. */
export async function quietRun(s: Stack, seed: TenantSeed, userId: string, after: string): Promise<void> {
  // What the run would write, to name it when it does (a dry run writes nothing).
  const dry = await call(s.h.urls.syncNow, {
    method: 'POST',
    apiKey: seed.apiKey,
    json: { tenantId: seed.tenantId, userId, dryRun: true },
  });
  const planned = JSON.stringify((dry.json as { actions?: unknown }).actions);
  s.h.google.resetStats();
  s.h.creatio.resetStats();
  const summary = await syncNowAndWait(s, seed, userId);
  assert.equal(summary.outcome, 'ok', JSON.stringify(summary));
  assert.deepEqual(writesSinceReset(s), [], `a sync with nothing to do after ${after} wrote: ${planned}`);
  const changed = Object.entries(summary.counts).filter(([, n]) => n > 0);
  assert.deepEqual(changed, [], `after ${after}`);
}
