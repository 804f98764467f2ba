// A small world for engine and runner tests: a clock, both sides as fakes of our ports, the state.
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
  readonly state = new FakeState();
  private ids = 0;

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
        newId: () => `id-${++this.ids}`,
      },
      { policy: 'newest-wins', ...options },
    );
  }

  /** The Google contact paired with a CRM record, through the committed links. */
  partnerOf(crmId: string): string | null {
    const link = [...this.state.links.values()].find((l) => l.crmId === crmId);
    return link?.googleId ?? null;
  }
}

export const person = (given: string, family: string, patch: Partial<Contact> = {}): Contact => ({
  ...emptyContact(),
  givenName: given,
  familyName: family,
  emails: [{ address: `${given}.${family}@example.com`.toLowerCase(), type: 'work' }],
  ...patch,
});
