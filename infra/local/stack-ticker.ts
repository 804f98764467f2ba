// The local stand-in for Cloud Scheduler: every N seconds, one tick message per registered tenant
// (production has one scheduler job per tenant), so tenants added with `npm run tenant` tick too.
import type { Firestore } from '@google-cloud/firestore';
import { listTenants } from '../deploy/tenantOps.js';

export interface Ticker {
  stop(): Promise<void>;
}

const TICK_BOUND_MS = 20_000;

export function startTicker(
  seconds: number,
  db: Firestore,
  tick: (tenantId: string) => Promise<void>,
  say: (line: string) => void,
): Ticker {
  let running: Promise<void> | null = null;
  let lastError = '';
  const once = async (): Promise<void> => {
    const tenants = await listTenants(db);
    await Promise.all(tenants.map((t) => tick(t.tenantId)));
  };
  const timer = setInterval(() => {
    // A tick still publishing is not doubled; the next interval catches up.
    if (running) return;
    let bound: NodeJS.Timeout | undefined;
    running = Promise.race([
      once(),
      new Promise<never>((_, reject) => {
        bound = setTimeout(
          () => reject(new Error(`no answer within ${TICK_BOUND_MS / 1000} s`)),
          TICK_BOUND_MS,
        );
      }),
    ])
      .then(
        () => {
          lastError = '';
        },
        (e: unknown) => {
          const m = e instanceof Error ? e.message : String(e);
          // Said once per kind of failure, not every minute.
          if (m !== lastError) say(`scheduler tick failed: ${m}`);
          lastError = m;
        },
      )
      .finally(() => {
        clearTimeout(bound);
        running = null;
      });
  }, seconds * 1000);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
