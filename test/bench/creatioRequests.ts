// What the CRM side costs Creatio, counted by the stand-in: a full read of N members and an
// incremental run after 1% of them changed, against the least any client could spend under the API's
// limits (20,000 rows per reply, 100 sub-requests per $batch).
import { performance } from 'node:perf_hooks';
import { ManualClock, seedContacts, startCreatioStandin } from '../../infra/standins/creatio/index.js';
import { CreatioSide } from '../../shared/adapters/creatio/index.js';
import { minimumCrm } from './minimum.js';

export interface CreatioRequestRow {
  scenario: 'full read' | 'incremental, 1% changed';
  contacts: number;
  /** HTTP requests the stand-in received (the login, plain OData calls and $batch requests). */
  requests: number;
  /** Sub-requests inside those batches. */
  subRequests: number;
  /**
   * The fewest billable OData calls (plain requests plus sub-requests, as Creatio's daily limit counts
   * them) any client needs: the API's floor (test/bench/minimum.ts, docs/benchmark.md).
   */
  minimum: number;
  /** Billable OData calls we made, as the stand-in counted them. */
  apiCalls: number;
  /** `minimum` packed into batches of 100: the fewest HTTP round trips. */
  minimumRequests: number;
  ms: number;
}

const MAX_CONTACTS = 25_000;

const read = { createGoogle: 0, createCrm: 0, updateGoogle: 0, updateCrm: 0, groupGoogle: 0, groupCrm: 0 };
const minimumFull = (n: number) =>
  minimumCrm({ ...read, googleListed: 0, crmMembers: n, crmFullRead: true, crmRowsRead: n, crmLookups: 0 });
const minimumIncremental = (n: number, changed: number) =>
  minimumCrm({
    ...read,
    googleListed: 0,
    crmMembers: n,
    crmFullRead: false,
    crmChanged: changed,
    crmRowsRead: changed,
    crmLookups: 0,
  });

export async function creatioRequestRows(sizes: number[]): Promise<CreatioRequestRow[]> {
  const rows: CreatioRequestRow[] = [];
  for (const n of sizes) {
    if (!Number.isInteger(n) || n < 1 || n > MAX_CONTACTS)
      throw new RangeError(`sizes must be whole numbers from 1 to ${MAX_CONTACTS}; got ${n}`);
    const clock = new ManualClock(Date.UTC(2024, 4, 23, 9));
    const s = await startCreatioStandin({ clock });
    try {
      const folderId = s.ui.createFolder({ name: "bpm'online" }).Id as string;
      const ids = seedContacts(s.ui, { count: n, folderId, communications: true });
      // The contacts existed long before the first sync.
      clock.advance(3600_000);
      const side = () =>
        new CreatioSide({
          baseUrl: s.url,
          auth: { mode: 'cookie', userName: 'Supervisor', password: 'Supervisor' },
          folderId,
          clock,
          timeoutMs: 60_000,
        });

      s.resetStats();
      let t = performance.now();
      const first = await side().readChanges(null, { full: false });
      if (first.records.length !== n) throw new Error(`full read returned ${first.records.length} of ${n}`);
      rows.push(row('full read', n, s.stats(), minimumFull(n), performance.now() - t));

      clock.advance(10 * 60_000);
      const changed = Math.max(1, Math.round(n / 100));
      const step = Math.floor(n / changed);
      for (let i = 0; i < changed; i++) s.ui.updateContact(ids[i * step]!, { JobTitle: 'Changed' });
      clock.advance(60_000);
      s.resetStats();
      t = performance.now();
      const next = await side().readChanges(first.cursor, { full: false });
      if (next.records.length !== changed)
        throw new Error(`incremental read returned ${next.records.length} of ${changed}`);
      rows.push(
        row('incremental, 1% changed', n, s.stats(), minimumIncremental(n, changed), performance.now() - t),
      );
    } finally {
      await s.close();
    }
  }
  return rows;
}

function row(
  scenario: CreatioRequestRow['scenario'],
  contacts: number,
  st: ReturnType<Awaited<ReturnType<typeof startCreatioStandin>>['stats']>,
  minimum: number,
  ms: number,
): CreatioRequestRow {
  return {
    scenario,
    contacts,
    requests: st.total,
    subRequests: st.batch.subRequests,
    minimum,
    apiCalls: st.apiCalls,
    minimumRequests: Math.ceil(minimum / 100),
    ms: Math.round(ms),
  };
}
