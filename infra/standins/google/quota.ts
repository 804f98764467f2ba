// Per-account, per-minute read and write counters (reference §9). Fixed one-minute windows on
// the stand-in clock; only requests that pass authentication count.
import { rateLimitExceeded } from './errors.js';
import type { Clock } from './clock.js';

const WINDOW_MS = 60_000;

export class Quota {
  private readonly windows = new Map<string, { window: number; read: number; write: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: { read?: number; write?: number },
  ) {}

  /** Counts one request or throws the 429 with a Retry-After for the rest of the minute. */
  take(email: string, kind: 'read' | 'write'): void {
    const limit = this.limits[kind];
    if (limit === undefined) return;
    const now = this.clock.now();
    const window = Math.floor(now / WINDOW_MS);
    let w = this.windows.get(email);
    if (!w || w.window !== window) {
      w = { window, read: 0, write: 0 };
      this.windows.set(email, w);
    }
    if (w[kind] >= limit) {
      const retryAfter = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
      throw rateLimitExceeded(kind, limit, retryAfter);
    }
    w[kind] += 1;
  }
}
