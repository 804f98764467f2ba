// In-memory fake of the AttentionStore and ProgressStore ports, over the rows of FakeConnections.
import type {
  AttentionRun,
  AttentionStore,
  MatchChoice,
  ProgressStore,
  RunProgress,
} from '../../shared/ports.js';
import type { FakeConnections } from './fakeConnections.js';

export class FakeAttention implements AttentionStore, ProgressStore {
  readonly runs = new Map<string, AttentionRun[]>();
  readonly progressWrites: RunProgress[] = [];

  constructor(private readonly connections: FakeConnections) {}

  private row(tenantId: string, userId: string) {
    return this.connections.rows.get(`${tenantId}/${userId}`);
  }

  async saveRun(tenantId: string, userId: string, run: AttentionRun): Promise<void> {
    const key = `${tenantId}/${userId}`;
    this.runs.set(key, [structuredClone(run), ...(this.runs.get(key) ?? [])].slice(0, 10));
  }

  async recentRuns(tenantId: string, userId: string, limit: number): Promise<AttentionRun[]> {
    return structuredClone((this.runs.get(`${tenantId}/${userId}`) ?? []).slice(0, limit));
  }

  async choose(tenantId: string, userId: string, choice: MatchChoice): Promise<boolean> {
    const c = this.row(tenantId, userId);
    if (!c) return false;
    c.matchChoices = [...(c.matchChoices ?? []).filter((x) => x.key !== choice.key), choice];
    return true;
  }

  async settleChoices(tenantId: string, userId: string, keys: string[]): Promise<void> {
    const c = this.row(tenantId, userId);
    if (c)
      c.matchChoices = (c.matchChoices ?? []).map((x) =>
        keys.includes(x.key) ? { ...x, applied: true } : x,
      );
  }

  async restoreDepartures(tenantId: string, userId: string): Promise<boolean> {
    const c = this.row(tenantId, userId);
    if (!c) return false;
    c.restoreDepartures = true;
    c.allowLargeRemoval = false;
    return true;
  }

  async saveProgress(tenantId: string, userId: string, progress: RunProgress): Promise<void> {
    const c = this.row(tenantId, userId);
    this.progressWrites.push(structuredClone(progress));
    if (c) c.progress = structuredClone(progress);
  }
}
