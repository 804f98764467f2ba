// Request counters for tests and benchmarks ("how many calls did one sync cost?").

export interface MethodCounts {
  total: number;
  byMethod: Record<string, number>;
}

export interface StandinStats extends MethodCounts {
  byAccount: Record<string, MethodCounts>;
}

const bump = (c: MethodCounts, method: string): void => {
  c.total += 1;
  c.byMethod[method] = (c.byMethod[method] ?? 0) + 1;
};

export class Stats {
  private data: StandinStats = { total: 0, byMethod: {}, byAccount: {} };

  count(method: string, account?: string): void {
    bump(this.data, method);
    if (account === undefined) return;
    const acc = (this.data.byAccount[account] ??= { total: 0, byMethod: {} });
    bump(acc, method);
  }

  snapshot(): StandinStats {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = { total: 0, byMethod: {}, byAccount: {} };
  }
}
