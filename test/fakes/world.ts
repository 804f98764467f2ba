// A small world for engine and runner tests: a clock, both sides as fakes of our ports, the state.
import type { SyncStateStore } from '../../shared/ports.js';
import type { RunOptions, RunReport } from '../../shared/runSync.js';
import { runSync } from '../../shared/runSync.js';
import type { Contact } from '../../shared/sync/index.js';
import { emptyContact } from '../../shared/sync/index.js';
import { FakeSide } from './fakeSide.js';
import { FakeState } from './fakeState.js';

export class World {
  time = Date.UTC(2026, 0, 1);
  readonly clock = { now: () => this.time };
  readonly crm = new FakeSide('crm', this.clock);
  readonly google = new FakeSide('google', this.clock);
  private ids = 0;
  private readonly store: SyncStateStore = new FakeState();

  /** The state the next sync uses; a subclass may keep it elsewhere (Firestore). */
  get state(): SyncStateStore {
    return this.store;
  }

  readonly newId = (): string => `id-${++this.ids}`;

  tick(ms = 1000): void {
    this.time += ms;
  }

  async sync(options: Partial<RunOptions> = {}): Promise<RunReport> {
    this.tick();
    return runSync(
      {
        crm: this.crm,
        google: this.google,
        state: this.state,
        clock: this.clock,
        newId: this.newId,
      },
      { policy: 'newest-wins', ...options },
    );
  }

  /** The Google contact paired with a CRM record, through the committed links. */
  async partnerOf(crmId: string): Promise<string | null> {
    const [link] = await this.state.linksFor('crm', [crmId]);
    return link?.googleId ?? null;
  }

  /** The in-memory state, for tests that inspect it directly. */
  get fake(): FakeState {
    if (!(this.state instanceof FakeState)) throw new Error('this world keeps its state elsewhere');
    return this.state;
  }
}

export const person = (given: string, family: string, patch: Partial<Contact> = {}): Contact => ({
  ...emptyContact(),
  givenName: given,
  familyName: family,
  emails: [{ address: `${given}.${family}@example.com`.toLowerCase(), type: 'work' }],
  ...patch,
});
