// Key rotation end to end on the deployed shape (functions, Firestore emulator, both stand-ins): users
// connect while key 1 seals; key 2 is added and made current; `npm run tenant -- reseal` moves every
// stored secret to key 2; key 1 is retired; every connection still syncs. Nobody reconnects.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { buildApp } from '../../shared/compose.js';
import type { App } from '../../shared/compose.js';
import { connectionDoc, tenantDoc } from '../../shared/adapters/firestore/paths.js';
import { syncConnection } from '../../shared/syncConnection.js';
import { tenantMain } from '../../infra/deploy/tenantCli.js';
import type { Harness } from './harness.js';
import { RecordingQueue, connectUser, startHarness } from './harness.js';

const K1 = `k1:${randomBytes(32).toString('base64')}`;
const K2 = `k2:${randomBytes(32).toString('base64')}`;
const USERS = ['ann@example.com', 'bob@example.com', 'cid@example.com'];

describe('key rotation: seal with key 1, add key 2, re-seal, retire key 1', function () {
  this.timeout(180_000);
  let h: Harness;
  const extra: App[] = [];

  before(async function () {
    h = await startHarness({ env: { TOKEN_ENCRYPTION_KEY: '', TOKEN_ENCRYPTION_KEYS: K1 } });
  });
  after(async () => {
    for (const a of extra) await a.close();
    await h?.close();
  });

  const appWith = async (keys: string, current: string): Promise<App> => {
    const a = await buildApp(
      { ...h.env, TOKEN_ENCRYPTION_KEY: '', TOKEN_ENCRYPTION_KEYS: keys, TOKEN_ENCRYPTION_KEY_ID: current },
      { firestore: h.db, queue: new RecordingQueue(), clock: h.clock },
    );
    extra.push(a);
    return a;
  };
  const syncAll = async (a: App) => {
    const results: string[] = [];
    for (const userId of USERS) {
      h.clock.advance(60_000);
      const outcome = await syncConnection(a, {
        tenantId: 'rot',
        userId,
        trigger: 'manual',
        runId: a.newId(),
        requestedAt: h.clock.now(),
      });
      results.push(outcome.ack ? outcome.result : `retry ${outcome.reason}`);
    }
    return results;
  };
  const sealedValues = async () => [
    (await tenantDoc(h.db, 'rot').get()).get('creatio.auth.passwordSealed') as string,
    ...(await Promise.all(
      USERS.map(async (u) => (await connectionDoc(h.db, 'rot', u).get()).get('refreshTokenSealed') as string),
    )),
  ];

  it('keeps every connection syncing through the whole rotation', async () => {
    const seed = await h.seedTenant('rot');
    const folder = h.createFolder('Rotation');
    for (const u of USERS) {
      const steps = await connectUser(h, seed, u, folder);
      assert.equal(steps.callback.status, 200, steps.callback.text);
    }
    assert.deepEqual(await syncAll(h.app), ['done', 'done', 'done']);
    for (const v of await sealedValues()) assert.match(v, /^v2\.k1\./);

    // Step 1: both keys, key 2 current. Instances with both open everything; new values use key 2.
    const both = await appWith(`${K1},${K2}`, 'k2');
    assert.deepEqual(await syncAll(both), ['done', 'done', 'done']);

    // Step 2: re-seal everything stored.
    const out: string[] = [];
    const reseal = (env: Record<string, string>) =>
      tenantMain(['reseal', '--project', h.projectId], {
        env,
        out: (l) => out.push(l),
        err: (l) => out.push(l),
        firestore: () => h.db,
        scheduler: () => assert.fail('no scheduler'),
        now: () => h.clock.now(),
      });
    assert.equal(
      await reseal({ TOKEN_ENCRYPTION_KEYS: `${K1},${K2}`, TOKEN_ENCRYPTION_KEY_ID: 'k2' }),
      0,
      out.join('\n'),
    );
    assert.match(
      out.join('\n'),
      /Resealed 4 secrets of 1 tenants with key k2; 0 were already sealed with it/,
    );
    for (const v of await sealedValues()) assert.match(v, /^v2\.k2\./);
    // Again: nothing left to do.
    assert.equal(await reseal({ TOKEN_ENCRYPTION_KEYS: `${K1},${K2}`, TOKEN_ENCRYPTION_KEY_ID: 'k2' }), 0);
    assert.match(out.at(-1)!, /Resealed 0 secrets of 1 tenants with key k2; 4 were already sealed with it/);

    // Step 3: key 1 retired. Every connection still syncs; an instance still on key 1 alone cannot.
    const only2 = await appWith(K2, 'k2');
    assert.deepEqual(await syncAll(only2), ['done', 'done', 'done']);
    const only1 = await appWith(K1, 'k1');
    assert.ok((await syncAll(only1)).every((r) => r === 'stopped'));
  });
});
