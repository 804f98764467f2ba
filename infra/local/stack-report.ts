// How runs are told on the console: counts and outcomes only, never contact data.
import type { RunSummary } from '../../shared/ports.js';

const n = (c: Record<string, number>, k: string): number => c[k] ?? 0;

/** "created 2 in Google, 1 in Creatio; linked 4", leaving out what did not happen. */
export function countsText(c: Record<string, number>): string {
  const pair = (verb: string, kind: string): string | null => {
    const g = n(c, `${kind}.google`);
    const crm = n(c, `${kind}.crm`);
    return g + crm === 0 ? null : `${verb} ${g} in Google, ${crm} in Creatio`;
  };
  const parts = [
    pair('created', 'create'),
    pair('updated', 'update'),
    pair('added to group', 'addToGroup'),
    pair('removed from group', 'removeFromGroup'),
    n(c, 'linked') ? `linked ${n(c, 'linked')}` : null,
    n(c, 'retired') ? `retired ${n(c, 'retired')}` : null,
    n(c, 'failed') ? `failed ${n(c, 'failed')}` : null,
  ].filter((p): p is string => p !== null);
  return parts.length > 0 ? parts.join('; ') : 'nothing to do';
}

export function runLine(who: string, s: RunSummary): string {
  const seconds = ((s.endedAt - s.startedAt) / 1000).toFixed(1);
  const why = s.reason || s.error ? ` (${[s.error, s.reason].filter(Boolean).join(': ')})` : '';
  return `run ${s.runId.slice(0, 8)} ${who} [${s.trigger}]: ${s.outcome}${why} in ${seconds} s; ${countsText(s.counts)}`;
}

export const clockTime = (ms = Date.now()): string => new Date(ms).toISOString().slice(11, 19);
