// Request counters for tests and benchmarks, and the daily OData call counter of reference §8
// (each $batch sub-request counts as one call; the day turns at 00:00 UTC of the stand-in clock).
import { utcDay } from './time.js';

export interface StandinStats {
  /** Every HTTP request received, whatever its outcome. */
  total: number;
  login: number;
  loginFailed: number;
  token: number;
  tokenFailed: number;
  /** OData operations by method and entity set, including $batch sub-requests. */
  odata: {
    get: Record<string, number>;
    post: Record<string, number>;
    patch: Record<string, number>;
    delete: Record<string, number>;
  };
  batch: { requests: number; subRequests: number };
  /** Billable OData calls: requests outside $batch plus every sub-request. */
  apiCalls: number;
  unauthorized: number;
  faultsInjected: number;
  daily: { day: string; calls: number; limit?: number; overLimit: boolean };
}

type Method = 'get' | 'post' | 'patch' | 'delete';

export class StatsCounter {
  private s: StandinStats;
  private day = '';
  private dayCalls = 0;

  constructor(private readonly dailyLimit: number | undefined) {
    this.s = this.fresh();
  }

  private fresh(): StandinStats {
    return {
      total: 0,
      login: 0,
      loginFailed: 0,
      token: 0,
      tokenFailed: 0,
      odata: { get: {}, post: {}, patch: {}, delete: {} },
      batch: { requests: 0, subRequests: 0 },
      apiCalls: 0,
      unauthorized: 0,
      faultsInjected: 0,
      daily: { day: '', calls: 0, overLimit: false },
    };
  }

  bump(
    key: 'total' | 'login' | 'loginFailed' | 'token' | 'tokenFailed' | 'unauthorized' | 'faultsInjected',
  ): void {
    this.s[key]++;
  }

  batch(subRequests: number): void {
    this.s.batch.requests++;
    this.s.batch.subRequests += subRequests;
  }

  operation(method: string, set: string): void {
    const m = method.toLowerCase() as Method;
    const bucket = this.s.odata[m];
    if (bucket) bucket[set] = (bucket[set] ?? 0) + 1;
  }

  /** Counts one billable call; returns false when the daily limit was already reached. */
  apiCall(now: number): boolean {
    const day = utcDay(now);
    if (day !== this.day) {
      this.day = day;
      this.dayCalls = 0;
    }
    this.s.apiCalls++;
    this.dayCalls++;
    return this.dailyLimit === undefined || this.dayCalls <= this.dailyLimit;
  }

  snapshot(now: number): StandinStats {
    const day = utcDay(now);
    const calls = day === this.day ? this.dayCalls : 0;
    const daily = {
      day,
      calls,
      overLimit: this.dailyLimit !== undefined && calls > this.dailyLimit,
    } as StandinStats['daily'];
    if (this.dailyLimit !== undefined) daily.limit = this.dailyLimit;
    return structuredClone({ ...this.s, daily });
  }

  /** Resets the request counters; the daily call counter is server state and survives. */
  reset(): void {
    this.s = this.fresh();
  }
}
