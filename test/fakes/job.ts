// The per-user job over in-memory fakes: a connected user, both sides, the attention and progress
// stores, and one call per sync request, as the syncUser function makes it.
import type {
  JobQueue,
  PreviewQueue,
  PreviewRequest,
  PreviewResult,
  PreviewStore,
  SyncRequest,
} from '../../shared/ports.js';
import type { PreviewDeps } from '../../shared/preview/preview.js';
import { readOnlySide } from '../../shared/preview/readOnly.js';
import type { SyncConnectionDeps, SyncOutcome } from '../../shared/syncConnection.js';
import { syncConnection } from '../../shared/syncConnection.js';
import { FakeAttention } from './fakeAttention.js';
import { FakeConnections } from './fakeConnections.js';
import { World } from './world.js';

export const TENANT = 'acme';
export const USER = 'sam';

export class Queue implements JobQueue {
  readonly sent: SyncRequest[] = [];
  async publishSync(requests: SyncRequest[]): Promise<void> {
    this.sent.push(...requests);
  }
}

export class JobWorld extends World {
  readonly connections = new FakeConnections();
  readonly attention = new FakeAttention(this.connections);
  readonly queue = new Queue();
  readonly previews = new FakePreviews();
  private runs = 0;

  get previewDeps(): PreviewDeps {
    return {
      connections: this.connections,
      previews: this.previews,
      previewQueue: this.previews,
      clock: this.clock,
      newId: this.newId,
      openSides: async (_c, options) =>
        options?.readOnly
          ? { crm: readOnlySide(this.crm), google: readOnlySide(this.google) }
          : { crm: this.crm, google: this.google },
    };
  }

  get deps(): SyncConnectionDeps {
    return {
      connections: this.connections,
      queue: this.queue,
      clock: this.clock,
      newId: this.newId,
      openSides: async () => ({ crm: this.crm, google: this.google }),
      timeBudgetMs: 480_000,
      leaseTtlMs: 600_000,
      attention: this.attention,
      progress: this.attention,
    };
  }

  async connect(): Promise<void> {
    await this.connections.connect({
      tenantId: TENANT,
      userId: USER,
      crmGroupId: 'group-1',
      google: { sub: 'sub-1', email: 'sam@example.com' },
      refreshTokenSealed: 'v1.sealed',
      defaults: { intervalMinutes: 15, policy: 'newest-wins' },
      now: this.time,
    });
  }

  async job(): Promise<SyncOutcome> {
    this.tick();
    return syncConnection(this.deps, {
      tenantId: TENANT,
      userId: USER,
      trigger: 'manual',
      runId: `run-${++this.runs}`,
      requestedAt: this.time,
    });
  }

  override get state() {
    return this.connections.states.get(`${TENANT}/${USER}`)!;
  }
}

export class FakePreviews implements PreviewStore, PreviewQueue {
  readonly latest = new Map<string, PreviewResult>();
  readonly published: PreviewRequest[] = [];
  async get(tenantId: string, userId: string): Promise<PreviewResult | null> {
    return structuredClone(this.latest.get(`${tenantId}/${userId}`) ?? null);
  }
  async put(tenantId: string, userId: string, result: PreviewResult): Promise<boolean> {
    const key = `${tenantId}/${userId}`;
    const now = this.latest.get(key);
    if (result.state !== 'queued' && now && now.previewId !== result.previewId) return false;
    this.latest.set(key, structuredClone(result));
    return true;
  }
  async publishPreview(request: PreviewRequest): Promise<void> {
    this.published.push(request);
  }
}
