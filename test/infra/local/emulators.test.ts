import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Firestore } from '@google-cloud/firestore';
import type { Message, PubSub } from '@google-cloud/pubsub';
import {
  clearFirestore,
  firestoreEmulator,
  newFirestore,
  newPubSub,
  skipUnlessPubsub,
  skipWith,
  uniqueProjectId,
} from '../../support/emulators.js';

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe('Firestore emulator', () => {
  let db: Firestore;

  before(async () => {
    db = await newFirestore(uniqueProjectId('fs'));
  });

  it('serves on loopback', async () => {
    const emulator = await firestoreEmulator();
    assert.match(emulator.host, /^127\.0\.0\.1:\d+$/);
  });

  it('reads back a written document', async () => {
    const ref = db.collection('contacts').doc('c1');
    await ref.set({ name: 'Ada', emails: ['ada@example.com'] });
    const snap = await ref.get();
    assert.deepEqual(snap.data(), { name: 'Ada', emails: ['ada@example.com'] });
  });

  it('keeps projects apart and clears one of them', async () => {
    const projectA = uniqueProjectId('a');
    const projectB = uniqueProjectId('b');
    const [a, b] = await Promise.all([newFirestore(projectA), newFirestore(projectB)]);
    await a.doc('x/1').set({ v: 'a' });
    await b.doc('x/1').set({ v: 'b' });
    assert.equal((await a.doc('x/1').get()).get('v'), 'a');
    await clearFirestore(projectA);
    assert.equal((await a.doc('x/1').get()).exists, false);
    assert.equal((await b.doc('x/1').get()).get('v'), 'b');
  });

  it('retries a transaction that lost a race, so no increment is lost', async function () {
    const emulator = await firestoreEmulator();
    if (emulator.implementation !== 'gcloud') {
      skipWith(this, 'the npm Firestore fallback loses concurrent transaction updates');
    }
    const projectId = uniqueProjectId('tx');
    const [a, b] = await Promise.all([newFirestore(projectId), newFirestore(projectId)]);
    await a.doc('counters/c').set({ n: 0 });
    // Both first attempts read before either writes, so one commit must fail and be retried.
    let reads = 0;
    let attempts = 0;
    let bothRead!: () => void;
    const barrier = new Promise<void>((resolve) => (bothRead = resolve));
    const increment = (client: Firestore): Promise<void> =>
      client.runTransaction(async (tx) => {
        attempts++;
        const snap = await tx.get(client.doc('counters/c'));
        if (++reads === 2) bothRead();
        await within(barrier, 10_000, 'the other transaction did not read').catch(() => undefined);
        tx.update(client.doc('counters/c'), { n: (snap.get('n') as number) + 1 });
      });
    await Promise.all([increment(a), increment(b)]);
    assert.equal((await a.doc('counters/c').get()).get('n'), 2);
    assert.ok(attempts >= 3, `expected a retried attempt, saw ${attempts} attempts`);
  });
});

describe('Pub/Sub emulator', () => {
  let pubsub: PubSub;

  before(async function () {
    await skipUnlessPubsub(this);
    pubsub = await newPubSub(uniqueProjectId('ps'));
  });

  describe('push subscription', () => {
    let server: Server;
    const received: Array<{ req: IncomingMessage; body: string }> = [];
    let arrived: () => void;
    const firstPush = new Promise<void>((resolve) => (arrived = resolve));

    before(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString('utf8')));
        req.on('end', () => {
          received.push({ req, body });
          res.writeHead(204).end();
          arrived();
        });
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
    });

    after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('delivers a published message to a local HTTP endpoint in the push envelope', async () => {
      const { port } = server.address() as AddressInfo;
      const [topic] = await pubsub.createTopic('contact-changes');
      const [subscription] = await topic.createSubscription('to-local-push', {
        pushConfig: { pushEndpoint: `http://127.0.0.1:${port}/push` },
      });
      await topic.publishMessage({ data: Buffer.from('{"contactId":"c1"}'), attributes: { tenant: 't1' } });
      await within(firstPush, 20_000, 'push delivery');

      const push = received[0]!;
      assert.equal(push.req.method, 'POST');
      assert.equal(push.req.url, '/push');
      const envelope = JSON.parse(push.body) as {
        message: { data: string; attributes: Record<string, string>; messageId: string; publishTime: string };
        subscription: string;
      };
      assert.equal(envelope.subscription, subscription.name);
      assert.equal(Buffer.from(envelope.message.data, 'base64').toString('utf8'), '{"contactId":"c1"}');
      assert.deepEqual(envelope.message.attributes, { tenant: 't1' });
      assert.match(envelope.message.messageId, /^\d+$/);
      assert.ok(!Number.isNaN(Date.parse(envelope.message.publishTime)), envelope.message.publishTime);
    });
  });

  it('delivers through a pull subscription', async () => {
    const [topic] = await pubsub.createTopic('contact-pulls');
    const [subscription] = await topic.createSubscription('pull');
    const got = new Promise<Message>((resolve) => subscription.once('message', resolve));
    try {
      await topic.publishMessage({ data: Buffer.from('hello'), attributes: { kind: 'pull' } });
      const message = await within(got, 20_000, 'pull delivery');
      message.ack();
      assert.equal(message.data.toString('utf8'), 'hello');
      assert.deepEqual(message.attributes, { kind: 'pull' });
    } finally {
      await subscription.close();
    }
  });
});
