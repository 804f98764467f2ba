// The scheduler's tick for one tenant: one sync request per connection that is enabled, connected and
// due. It only reads and publishes; a connection synced meanwhile drops the request as stale.
import type { Clock, ConnectionStore, JobQueue, SyncRequest } from './ports.js';

export interface TickDeps {
  connections: ConnectionStore;
  queue: JobQueue;
  clock: Clock;
  newId: () => string;
}

export async function tickTenant(deps: TickDeps, tenantId: string): Promise<{ published: number }> {
  const now = deps.clock.now();
  let published = 0;
  for await (const userIds of deps.connections.dueConnections(tenantId, now)) {
    const requests: SyncRequest[] = userIds.map((userId) => ({
      tenantId,
      userId,
      trigger: 'schedule',
      runId: deps.newId(),
      requestedAt: now,
    }));
    await deps.queue.publishSync(requests);
    published += requests.length;
  }
  return { published };
}
