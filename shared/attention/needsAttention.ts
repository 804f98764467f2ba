// "What needs a person" for one connection's owner: ambiguous matches still unanswered, writes a side
// refused, conflicts the policy decided, and, while the guard holds the connection, the removals it
// held back. Personal data: shown to the owner only, never logged.
import { SyncError } from '../errors.js';
import type {
  AttentionItem,
  AttentionRecord,
  AttentionStore,
  ConnectionStore,
  MatchChoice,
} from '../ports.js';

export interface AttentionDeps {
  connections: Pick<ConnectionStore, 'get'>;
  attention: AttentionStore;
}

type Seen<K extends AttentionItem['kind']> = Extract<AttentionItem, { kind: K }> & {
  runId: string;
  at: number;
};

export interface AttentionView {
  /** Newest first, one per cluster, without the ones a person answered. */
  ambiguous: Seen<'ambiguous'>[];
  refused: Seen<'refused'>[];
  conflicts: Seen<'conflict'>[];
  /** The removals awaiting Confirm or Reject, while the guard holds the connection paused. */
  removals: { runId: string; at: number; total: number; records: AttentionRecord[] } | null;
  /** Answers waiting for the next run. */
  choicesPending: number;
  /** Items beyond what was kept of each run. */
  truncated: number;
}

const RUNS_SHOWN = 10;

export async function needsAttention(
  deps: AttentionDeps,
  tenantId: string,
  userId: string,
): Promise<AttentionView> {
  const c = await deps.connections.get(tenantId, userId);
  if (!c) throw new SyncError('not-found', 'no such connection');
  const choices = c.matchChoices ?? [];
  const answered = new Set(choices.map((x) => x.key));
  const runs = await deps.attention.recentRuns(tenantId, userId, RUNS_SHOWN);
  const view: AttentionView = {
    ambiguous: [],
    refused: [],
    conflicts: [],
    removals: null,
    choicesPending: choices.filter((x) => !x.applied && x.pair !== null).length,
    truncated: 0,
  };
  const keys = new Set<string>();
  for (const run of runs) {
    view.truncated += run.total - run.items.length;
    const at = { runId: run.runId, at: run.at };
    for (const item of run.items) {
      if (item.kind === 'ambiguous' && !answered.has(item.key) && !keys.has(item.key)) {
        keys.add(item.key);
        view.ambiguous.push({ ...item, ...at });
      } else if (item.kind === 'refused') view.refused.push({ ...item, ...at });
      else if (item.kind === 'conflict') view.conflicts.push({ ...item, ...at });
    }
  }
  // The latest refused run names the removals; they matter only while the connection waits for a person.
  const held =
    c.status === 'paused' ? runs.find((r) => r.items.some((i) => i.kind === 'removal')) : undefined;
  if (held && c.recentRuns[0]?.outcome === 'refused') {
    const records = held.items.flatMap((i) => (i.kind === 'removal' ? [i.record] : []));
    view.removals = { runId: held.runId, at: held.at, total: held.total, records };
  }
  return view;
}

/**
 * A person's answer to an ambiguous match: the pair to link (one CRM and one Google record of the
 * cluster), or null to leave the cluster apart and stop asking. The next sync applies a pair.
 */
export async function chooseMatch(
  deps: AttentionDeps & { clock: { now(): number } },
  input: { tenantId: string; userId: string; key: string; pair: { crmId: string; googleId: string } | null },
): Promise<MatchChoice> {
  const { tenantId, userId, key, pair } = input;
  const runs = await deps.attention.recentRuns(tenantId, userId, RUNS_SHOWN);
  const item = runs
    .flatMap((r) => r.items)
    .find((i): i is Extract<AttentionItem, { kind: 'ambiguous' }> => i.kind === 'ambiguous' && i.key === key);
  if (!item) throw new SyncError('not-found', 'no such ambiguous match');
  if (pair) {
    const has = (side: 'crm' | 'google', id: string) =>
      item.records.some((r) => r.side === side && r.id === id);
    if (!has('crm', pair.crmId) || !has('google', pair.googleId))
      throw new SyncError('bad-request', 'the pair must be one CRM and one Google record of this match');
  }
  const choice: MatchChoice = { key, pair, at: deps.clock.now(), applied: false };
  if (!(await deps.attention.choose(tenantId, userId, choice)))
    throw new SyncError('not-found', 'no such connection');
  return choice;
}
