// An in-memory fake of our own SyncStateStore port. Values are cloned on the way in and out, as a
// real store would, so the runner cannot lean on shared object identity.
import type { Checkpoint, LinkHead, SyncStateStore } from '../../shared/ports.js';
import type { Link, Side } from '../../shared/sync/index.js';

export type StateCall = 'saveLinks' | 'saveCheckpoint' | 'saveMembers';

export class FakeState implements SyncStateStore {
  links = new Map<string, Link>();
  checkpoint: Checkpoint = {
    cursors: { crm: null, google: null },
    membersHash: { crm: null, google: null },
    activeLinks: 0,
    dirty: false,
  };
  memberLists: Record<Side, string[] | null> = { crm: null, google: null };
  reads = 0;
  writes = 0;
  /** Called before each write: throw to simulate a crash. */
  hook: (call: StateCall) => void = () => {};

  async loadCheckpoint(): Promise<Checkpoint> {
    this.reads += 1;
    return structuredClone(this.checkpoint);
  }

  /** Where a dirty checkpoint also lands (the connection record), as in the real store. */
  onDirty: (c: Checkpoint) => void = () => {};

  async saveCheckpoint(c: Checkpoint): Promise<void> {
    this.hook('saveCheckpoint');
    this.writes += 1;
    this.checkpoint = structuredClone(c);
    if (c.dirty) this.onDirty(structuredClone(c));
  }

  async linksFor(side: Side, ids: string[]): Promise<Link[]> {
    const wanted = new Set(ids);
    this.reads += 1;
    return [...this.links.values()]
      .filter((l) => {
        const id = side === 'crm' ? l.crmId : l.googleId;
        return id !== null && wanted.has(id);
      })
      .map((l) => structuredClone(l));
  }

  async attentionLinks(refused: number): Promise<Link[]> {
    this.reads += 1;
    const isRefused = (l: Link) => !l.attention && l.status === 'pending' && l.pending?.refused !== undefined;
    const all = [...this.links.values()];
    return [
      ...all.filter((l) => (l.attention || l.status === 'pending') && !isRefused(l)),
      ...all.filter(isRefused).slice(0, refused),
    ].map((l) => structuredClone(l));
  }

  async linkHeads(take: (page: LinkHead[]) => void): Promise<void> {
    this.reads += 1;
    take(
      [...this.links.values()].map(({ id, crmId, googleId, status, pending, inGroup, versions }) =>
        structuredClone({ id, crmId, googleId, status, pending, inGroup, versions }),
      ),
    );
  }

  async allLinks(): Promise<Link[]> {
    this.reads += 1;
    return [...this.links.values()].map((l) => structuredClone(l));
  }

  async saveLinks(links: Link[], retire: string[]): Promise<void> {
    this.hook('saveLinks');
    this.writes += 1;
    for (const l of links) this.links.set(l.id, structuredClone(l));
    for (const id of retire) this.links.delete(id);
  }

  async loadMembers(side: Side): Promise<string[] | null> {
    this.reads += 1;
    return this.memberLists[side] ? [...this.memberLists[side]] : null;
  }

  async saveMembers(side: Side, ids: string[]): Promise<void> {
    this.hook('saveMembers');
    this.writes += 1;
    this.memberLists[side] = [...ids];
  }
}
