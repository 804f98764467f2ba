// People API requests per sync against the least the API's limits allow, as a table:
//   npx tsx test/bench/google.ts [sizes…]     (default 1000 5000 25000)
import { googleRequestRows } from './googleRequests.js';

const sizes = process.argv.slice(2).map(Number);
const started = Date.now();
const rows = await googleRequestRows(sizes.length > 0 ? sizes : [1000, 5000, 25_000]);

const header = ['scenario', 'contacts', 'requests', 'minimum', 'over'];
const lines = rows.map((r) => [
  r.scenario,
  String(r.contacts),
  String(r.requests),
  String(r.minimum),
  r.requests === r.minimum ? '0' : `+${r.requests - r.minimum}`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const fmt = (cells: string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(fmt(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const l of lines) console.log(fmt(l));
console.log(
  `\n${((Date.now() - started) / 1000).toFixed(1)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
);
