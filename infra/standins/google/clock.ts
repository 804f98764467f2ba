export interface Clock {
  now(): number;
}

/** Wall time plus a test-controlled offset, so tests can jump past token lifetimes instantly. */
export class AdjustableClock implements Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError('advance(ms) needs a finite, non-negative number');
    this.offsetMs += ms;
  }
}

export const sleep = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
