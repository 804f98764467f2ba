import { performance } from 'node:perf_hooks';

export interface Clock {
  now(): number;
}

/**
 * Wall time with sub-millisecond precision plus a test-controlled offset. The fraction matters:
 * Creatio stores ticks but GET shows milliseconds, so `ModifiedOn gt <value read back>` can
 * return the same row again, as on a real server (reference §5).
 */
export class AdjustableClock implements Clock {
  private offsetMs = 0;

  now(): number {
    return performance.timeOrigin + performance.now() + this.offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError('advance(ms) needs a finite, non-negative number');
    this.offsetMs += ms;
  }
}

/** A clock that moves only when told; for tests that assert exact timestamps. */
export class ManualClock implements Clock {
  constructor(private t: number = Date.UTC(2024, 4, 23, 9, 0, 0)) {}

  now(): number {
    return this.t;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError('advance(ms) needs a finite, non-negative number');
    this.t += ms;
  }

  set(ms: number): void {
    this.t = ms;
  }
}

export const sleep = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
