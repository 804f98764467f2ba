// From a run's notes to what a person must look at: ambiguous matches (every record of the cluster),
// writes a side refused (with its reason), conflicts the policy decided, removals the guard held back.
// Bounded per run, so that one bad run cannot grow a document without limit.
import type { AttentionItem, AttentionRecord } from '../ports.js';
import type { Brief, Note, Side } from '../sync/index.js';

export const ATTENTION_ITEMS_PER_RUN = 200;

const record = (side: Side, id: string, brief: Brief | undefined): AttentionRecord => ({
  side,
  id,
  name: brief?.name ?? '',
  emails: brief?.emails ?? [],
});

/** One cluster, one key, whichever of its records a run met first. */
export const clusterKey = (records: { side: Side; id: string }[]): string =>
  records
    .map((r) => `${r.side}:${r.id}`)
    .sort()
    .join('|');

export function attentionItems(notes: Note[]): { items: AttentionItem[]; total: number } {
  const items: AttentionItem[] = [];
  const clusters = new Set<string>();
  let total = 0;
  const add = (item: AttentionItem) => {
    total += 1;
    if (items.length < ATTENTION_ITEMS_PER_RUN) items.push(item);
  };
  for (const n of notes) {
    switch (n.kind) {
      case 'ambiguous-match': {
        const members = n.cluster ?? [{ side: n.side, id: n.id, brief: n.brief ?? { name: '', emails: [] } }];
        const key = clusterKey(members);
        if (clusters.has(key)) break;
        clusters.add(key);
        add({ kind: 'ambiguous', key, records: members.map((m) => record(m.side, m.id, m.brief)) });
        break;
      }
      case 'write-failed':
        add({ kind: 'refused', record: record(n.side, n.id, n.brief), reason: n.reason ?? 'refused' });
        break;
      case 'conflict':
        add({
          kind: 'conflict',
          crmId: n.id,
          googleId: n.partner ?? '',
          name: n.brief?.name ?? '',
          decisions: n.decisions ?? [],
        });
        break;
      case 'held-removal':
        add({ kind: 'removal', record: record(n.side, n.id, n.brief) });
        break;
      default:
        // Waiting for a create and duplicate markers settle by themselves.
        break;
    }
  }
  return { items, total };
}
