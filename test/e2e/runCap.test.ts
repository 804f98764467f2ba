// The tenant's run cap through the official emulators: a tick that makes 200 connections of one
// tenant due never has more than the tenant's maxConcurrentRuns runs working against its Creatio at
// once (measured at the Creatio stand-in, behind a counting proxy), and every one of them finishes.
// The emulator's push subscription delivers about one message at a time, so a test through it could
// pass without any cap; Cloud Run's push endpoint takes many deliveries at once. Here a streaming pull
// delivers every message to syncUser's push endpoint at once, acking on 2xx as push does.
import assert from 'node:assert/strict';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message, Subscription } from '@google-cloud/pubsub';
import type { TenantSeed } from '../functions/harness.js';
import { connectUser, waitFor } from '../functions/harness.js';
import { connectionDoc, connections } from '../../shared/adapters/firestore/paths.js';
import { googleTokenContext } from '../../shared/sealing.js';
import { skipUnlessPubsub } from '../support/emulators.js';
import type { Stack } from './stack.js';
import { SYNC_TOPIC, startStack, syncNowAndWait } from './stack.js';

const CONNECTIONS = 200;
const CAP = 4;

/**
 * Forwards to the Creatio stand-in and records, per Creatio session (one per run: each run logs in),
 * which sessions have a request in flight; the peak of that count is how many runs worked at once.
 */
async function countingProxy(target: string) {
  const inflight = new Map<string, number>();
  let peakRuns = 0;
  let peakRequests = 0;
  let requests = 0;
  let open = 0;
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    // A login has no session yet: it counts as a run of its own while it lasts.
    const session = /BPMCSRF=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? `login-${requests}`;
    requests++;
    open++;
    inflight.set(session, (inflight.get(session) ?? 0) + 1);
    peakRuns = Math.max(peakRuns, inflight.size);
    peakRequests = Math.max(peakRequests, open);
    const done = () => {
      open--;
      const n = (inflight.get(session) ?? 1) - 1;
      if (n === 0) inflight.delete(session);
      else inflight.set(session, n);
    };
    // A little latency, as a real Creatio has, so that runs let in together do overlap.
    setTimeout(() => forward(req, res, done), 20);
  });
  const forward = (req: IncomingMessage, res: ServerResponse, done: () => void) => {
    const upstream = httpRequest(
      { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on('end', done);
        up.on('error', done);
      },
    );
    upstream.on('error', () => {
      done();
      res.destroy();
    });
    req.pipe(upstream);
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats: () => ({ peakRuns, peakRequests, requests }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * Replaces the emulator's push subscription into syncUser by a deliverer that posts every message
 * it holds at once, in the push envelope, acking on 2xx and nacking otherwise.
 */
async function concurrentPush(s: Stack): Promise<{ peak: () => number; close: () => Promise<void> }> {
  await s.pubsub.subscription('sync-user-push').delete();
  const [sub]: [Subscription, unknown] = await s.syncTopic.createSubscription('sync-user-pull', {
    ackDeadlineSeconds: 60,
  });
  sub.setOptions({ flowControl: { maxMessages: CONNECTIONS + 50, allowExcessMessages: false } });
  const endpoint = `${s.h.urls.syncUser}/projects/${s.h.projectId}/topics/${SYNC_TOPIC}`;
  let open = 0;
  let peak = 0;
  sub.on('message', (m: Message) => {
    open++;
    peak = Math.max(peak, open);
    const envelope = {
      message: {
        data: m.data.toString('base64'),
        attributes: m.attributes,
        messageId: m.id,
        publishTime: m.publishTime.toISOString(),
      },
      subscription: sub.name,
    };
    fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope),
    })
      .then((r) => (r.ok ? m.ack() : m.nack()))
      .catch(() => m.nack())
      .finally(() => open--);
  });
  sub.on('error', () => undefined);
  return { peak: () => peak, close: () => sub.close() };
}

describe('e2e: the tenant run cap', function () {
  this.timeout(600_000);
  let s: Stack;
  let seed: TenantSeed;
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  let pusher: Awaited<ReturnType<typeof concurrentPush>>;

  before(async function () {
    await skipUnlessPubsub(this);
    s = await startStack('runcap', { THROTTLE_RETRY_SECONDS: '1' });
    pusher = await concurrentPush(s);
    proxy = await countingProxy(s.h.creatio.url);
    seed = await s.h.seedTenant('acme');
    const tenant = (await s.h.app.tenants.get('acme'))!;
    await s.h.app.tenants.put({
      ...tenant,
      creatio: { ...tenant.creatio, baseUrl: proxy.url },
      maxConcurrentRuns: CAP,
    });
    const folder = s.h.createFolder('Field sales');
    await connectUser(s.h, seed, 'rep-0', folder);
    // One run first, so the Google group exists before 200 runs look for it at once.
    await syncNowAndWait(s, seed, 'rep-0');
    // The other connections are copies of the first (same account, same folder): what matters here
    // is how many runs reach Creatio at once, not what they sync.
    const first = (await connectionDoc(s.h.db, 'acme', 'rep-0').get()).data()!;
    // A refresh token is sealed for its own connection: each copy gets its own sealing.
    const token = s.h.app.sealer.open(
      first.refreshTokenSealed as string,
      googleTokenContext('acme', 'rep-0'),
    );
    const batch = s.h.db.batch();
    for (let i = 1; i < CONNECTIONS; i++)
      batch.set(connectionDoc(s.h.db, 'acme', `rep-${i}`), {
        ...first,
        userId: `rep-${i}`,
        refreshTokenSealed: s.h.app.sealer.seal(token, googleTokenContext('acme', `rep-${i}`)),
        recentRuns: [],
        lease: null,
        queuedRun: null,
      });
    await batch.commit();
  });
  after(async () => {
    await pusher?.close();
    await s?.close();
    await proxy?.close();
  });

  it(`runs ${CONNECTIONS} due connections with at most ${CAP} in flight at once, and all finish`, async () => {
    const before = proxy.stats().requests;
    s.h.clock.advance(16 * 60_000);
    const tickAt = s.h.clock.now();
    await s.tick('acme');
    const finished = await waitFor(
      `all ${CONNECTIONS} scheduled runs to finish`,
      async () => {
        const snap = await connections(s.h.db, 'acme').select('recentRuns').get();
        const done = snap.docs.filter((d) =>
          (d.get('recentRuns') as { trigger: string; startedAt: number; outcome: string }[]).some(
            (r) => r.trigger === 'schedule' && r.startedAt >= tickAt && r.outcome === 'ok',
          ),
        );
        return done.length === CONNECTIONS ? done.length : null;
      },
      // The emulator's push deliveries and the pauses of deferred runs set the pace, not the cap alone.
      480_000,
      1_000,
    );
    assert.equal(finished, CONNECTIONS);
    const stats = proxy.stats();
    assert.ok(stats.requests - before >= CONNECTIONS, `every run reached Creatio (${JSON.stringify(stats)})`);
    assert.ok(stats.peakRuns <= CAP, `at most ${CAP} runs at once at Creatio: ${JSON.stringify(stats)}`);
    assert.ok(pusher.peak() > CAP, `more deliveries than the cap were in flight at once: ${pusher.peak()}`);
    assert.ok(
      stats.peakRuns > 1,
      `runs did overlap, so the cap was what held them: ${JSON.stringify(stats)}`,
    );
    const slots = await s.h.db.collection('tenants').doc('acme').collection('runSlots').get();
    assert.equal(slots.size, 0, 'every run gave its slot back');
    const deferred = s.h.logs.filter((l) => l.message === 'syncUser: deferred').length;
    assert.ok(deferred > 0, 'runs beyond the cap waited their turn');
    assert.equal(s.h.logs.filter((l) => l.message === 'syncUser: skipped').length, 0, 'no run was dropped');
  });
});
