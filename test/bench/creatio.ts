// npx tsx test/bench/creatio.ts [N …]: requests the CRM side makes for a full read and an
// incremental run (1% changed), against the minimum the API's limits allow.
import { creatioRequestRows } from './creatioRequests.js';

const sizes = process.argv.slice(2).map(Number);
const rows = await creatioRequestRows(sizes.length > 0 ? sizes : [1_000, 5_000, 25_000]);
const head = ['scenario', 'contacts', 'requests', 'subRequests', 'apiCalls', 'minimum', 'minRequests', 'ms'];
const table = rows.map((r) => [
  r.scenario,
  String(r.contacts),
  String(r.requests),
  String(r.subRequests),
  String(r.apiCalls),
  String(r.minimum),
  String(r.minimumRequests),
  String(r.ms),
]);
const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
const line = (cells: string[]) =>
  cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const t of table) console.log(line(t));
console.log(
  '\nrequests: HTTP requests (login included); apiCalls: billable OData calls (plain + sub-requests);\n' +
    'minimum: fewest billable calls any client needs at 20,000 rows per reply; minRequests: that in batches of 100.',
);
