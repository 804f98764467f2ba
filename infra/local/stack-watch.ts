// The functions' log, turned into one console line per run (with its counts, read back from the
// connection's run history) and a line per warning. The JSON lines themselves only with --verbose.
import type { Firestore } from '@google-cloud/firestore';
import type { LogSink } from '../../functions/log.js';
import { connectionRef } from '../../functions/log.js';
import { connections } from '../../shared/adapters/firestore/paths.js';
import type { App } from '../../shared/compose.js';
import type { RunSummary } from '../../shared/ports.js';
import { clockTime, runLine } from './stack-report.js';

type Entry = Parameters<LogSink>[0];

export interface RunWatch {
  sink: LogSink;
  /** From now on, print a line per run (the demo walk tells its own runs); warnings always print. */
  live(): void;
  /** Resolves once the lines being looked up are printed. */
  settle(): Promise<void>;
}

export function watchRuns(opts: {
  app: App;
  db: Firestore;
  say: (line: string) => void;
  verbose: boolean;
  /** The one user id that may be shown; others appear as their log reference. */
  demo: { tenantId: string; userId: string };
}): RunWatch {
  let live = false;
  const pending = new Set<Promise<void>>();
  const users = new Map<string, string>();
  const say = (line: string) => opts.say(`[${clockTime()}] ${line}`);

  const userOf = async (tenantId: string, ref: string): Promise<string | undefined> => {
    if (!users.has(ref)) {
      for (const doc of await connections(opts.db, tenantId).listDocuments())
        users.set(connectionRef(tenantId, doc.id), doc.id);
    }
    return users.get(ref);
  };

  const tellRun = async (e: Entry): Promise<void> => {
    const tenantId = String(e.tenantId ?? '');
    const ref = String(e.connection ?? '');
    const runId = String(e.runId ?? '');
    const userId = await userOf(tenantId, ref);
    const isDemo = tenantId === opts.demo.tenantId && userId === opts.demo.userId;
    const who = `${tenantId}/${isDemo ? userId : ref}`;
    const result = e.message.slice('syncUser: '.length);
    let summary: RunSummary | null = null;
    if (userId && (result === 'done' || result === 'partial' || result === 'refused')) {
      const c = await opts.app.connections.get(tenantId, userId);
      summary =
        c?.recentRuns.find((r) => r.runId === runId) ??
        (await opts.app.connections.getRun(tenantId, userId, runId));
    }
    if (summary) say(runLine(who, summary));
    else if (result === 'retry')
      say(
        `run ${runId.slice(0, 8)} ${who} [${e.trigger}]: attempt failed (${e.reason}); it will be delivered again`,
      );
    else say(`run ${runId.slice(0, 8)} ${who} [${e.trigger}]: ${result}${e.reason ? ` (${e.reason})` : ''}`);
  };

  const sink: LogSink = (e) => {
    if (opts.verbose) opts.say(JSON.stringify(e));
    const trouble = e.severity === 'WARNING' || e.severity === 'ERROR';
    if (!live && !trouble) return;
    if (live && e.message.startsWith('syncUser: ') && e.runId) {
      const p = tellRun(e)
        .catch((err: unknown) => say(`(could not read run ${String(e.runId)}: ${(err as Error).name})`))
        .finally(() => pending.delete(p));
      pending.add(p);
    } else if (live && e.message === 'tickTenant: published') {
      if (Number(e.published) > 0) say(`tick ${e.tenantId}: ${e.published} connection(s) due`);
    } else if (live && e.message === 'oauthCallback: connected') {
      say(`connected: a Google account in tenant ${e.tenantId}`);
    } else if (!opts.verbose && trouble) {
      // Log fields are ids, kinds and counts by contract (functions/log.ts): safe to show.
      const { severity, message, ...fields } = e;
      say(`${severity} ${message} ${JSON.stringify(fields)}`);
    }
  };

  return {
    sink,
    live: () => {
      live = true;
    },
    settle: async () => {
      await Promise.allSettled([...pending]);
    },
  };
}
