// Shared set-up: a Creatio stand-in on loopback with a clock that moves only when told, a static
// group, and a CreatioSide pointed at it whose retry waits are recorded instead of slept.
import {
  ManualClock,
  startCreatioStandin,
  type CreatioStandin,
  type CreatioStandinOptions,
} from '../../../../infra/standins/creatio/index.js';
import { CreatioSide, type CreatioConnection } from '../../../../shared/adapters/creatio/index.js';
import { emptyContact, type Contact } from '../../../../shared/sync/index.js';

export const T0 = Date.UTC(2024, 4, 23, 9, 0, 0);

export interface Env {
  s: CreatioStandin;
  clock: ManualClock;
  folderId: string;
  /** Waits the side asked for between retries (never actually slept). */
  waits: number[];
  side(overrides?: Partial<CreatioConnection>): CreatioSide;
}

export async function startEnv(opts: CreatioStandinOptions = {}): Promise<Env> {
  const clock = new ManualClock(T0);
  const s = await startCreatioStandin({ clock, ...opts });
  const folder = s.ui.createFolder({ name: "bpm'online" });
  const waits: number[] = [];
  const env: Env = {
    s,
    clock,
    folderId: folder.Id as string,
    waits,
    side: (overrides = {}) =>
      new CreatioSide({
        baseUrl: s.url,
        auth: { mode: 'cookie', userName: 'Supervisor', password: 'Supervisor' },
        folderId: env.folderId,
        clock,
        sleep: async (ms) => {
          waits.push(ms);
        },
        random: () => 1,
        timeoutMs: 5_000,
        ...overrides,
      }),
  };
  return env;
}

/** Mocha set-up: a fresh environment per test. */
export function useEnv(opts: CreatioStandinOptions = {}): { readonly e: Env } {
  const holder = {} as { e: Env };
  beforeEach(async () => {
    holder.e = await startEnv(opts);
  });
  afterEach(async () => holder.e.s.close());
  return holder;
}

export const contact = (patch: Partial<Contact>): Contact => ({ ...emptyContact(), ...patch });

/** Total OData operations of one method on one set, $batch sub-requests included. */
export const ops = (s: CreatioStandin, method: 'get' | 'post' | 'patch' | 'delete', set: string): number =>
  s.stats().odata[method][set] ?? 0;
