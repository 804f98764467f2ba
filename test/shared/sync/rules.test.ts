// The product rules, over the in-memory state store (test/shared/adapters/firestore runs them over Firestore).
import { World } from '../../fakes/world.js';
import { ruleRows } from './ruleRows.js';

describe('product rules (DESIGN.md), through the runner with fakes of our ports', () => {
  for (const row of ruleRows) it(row.rule, async () => row.run(new World()));
});
