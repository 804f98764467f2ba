// One function invocation of the built service (build/, from `npm run build`) in a process of its
// own, so that its wall time and peak memory are the function's alone. The job arrives as JSON in
// argv: the environment, the function's name and the Pub/Sub message data.
import { performance } from 'node:perf_hooks';

const job = JSON.parse(process.argv[2]);
Object.assign(process.env, job.env);
const started = performance.now();
// BENCH_MEMORY_TRACE=1: what the heap and the buffers outside it held when the resident set peaked.
const trace = process.env.BENCH_MEMORY_TRACE ? { rss: 0, at: 0, heapMax: 0, sample: null } : null;
const sampler =
  trace &&
  setInterval(() => {
    const m = process.memoryUsage();
    trace.heapMax = Math.max(trace.heapMax, m.heapUsed);
    if (m.rss > trace.rss) Object.assign(trace, { rss: m.rss, at: performance.now() - started, sample: m });
  }, 100);
const { app } = await import('../../build/shared/compose.js');
const functions = await import(`../../build/functions/${job.fn}.js`);
const event = {
  id: 'bench',
  source: '//pubsub.googleapis.com/projects/bench/topics/bench',
  type: 'google.cloud.pubsub.topic.v1.messagePublished',
  specversion: '1.0',
  data: {
    message: { data: Buffer.from(JSON.stringify(job.data)).toString('base64'), messageId: `m-${Date.now()}` },
    subscription: 'projects/bench/subscriptions/bench',
  },
};
let error = null;
try {
  await functions[job.fn](event);
} catch (e) {
  error = e instanceof Error ? e.message : String(e);
}
if (trace) {
  clearInterval(sampler);
  const mib = (n) => Math.round(n / 2 ** 20);
  const { heapUsed, heapTotal, external, arrayBuffers } = trace.sample;
  process.stderr.write(
    `  memory at the peak (${(trace.at / 1000).toFixed(1)} s): rss ${mib(trace.rss)}, heap used ${mib(heapUsed)} of ${mib(heapTotal)}, external ${mib(external)} (array buffers ${mib(arrayBuffers)}); most heap used ${mib(trace.heapMax)} MiB\n`,
  );
}
const service = await app();
const result = {
  wallSeconds: (performance.now() - started) / 1000,
  firestoreReads: service.meter.reads,
  firestoreWrites: service.meter.writes,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  error,
};
await service.close();
// Function logs share stdout; the result line is marked.
process.stdout.write(`BENCH ${JSON.stringify(result)}\n`);
process.exit(0);
