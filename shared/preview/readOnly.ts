// A side that reads but refuses every write: what a preview runs on, so that a planning bug can never
// turn a preview into a sync.
import { SyncError } from '../errors.js';
import type { ContactSide } from '../ports.js';

export function readOnlySide(side: ContactSide): ContactSide {
  const refuse = async (): Promise<never> => {
    throw new SyncError('internal', `a read-only ${side.side} side was asked to write`);
  };
  return {
    side: side.side,
    limits: side.limits,
    readChanges: (cursor, options) => side.readChanges(cursor, options),
    fetch: (ids) => side.fetch(ids),
    lookup: (keys) => side.lookup(keys),
    create: refuse,
    update: refuse,
    addToGroup: refuse,
    removeFromGroup: refuse,
    settleCursor: (cursor) => side.settleCursor(cursor),
    ...(side.groupMissing ? { groupMissing: () => side.groupMissing!() } : {}),
    ...(side.billedCalls ? { billedCalls: () => side.billedCalls!() } : {}),
  };
}
