// Configuration at start: every variable validated, failures naming the variables; the token key ring
// (mounted from Secret Manager when deployed) with its current key; and a function of a misconfigured
// deployment answering a plain 500 that names nothing secret.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import '../../functions/index.js';
import { setLogSink } from '../../functions/log.js';
import type { LogSink } from '../../functions/log.js';
import { ConfigError, serviceConfig } from '../../shared/config.js';
import { SyncError } from '../../shared/errors.js';
import { buildApp, useApp } from '../../shared/compose.js';
import { RecordingQueue, call } from './harness.js';

const BASE: Record<string, string> = {
  GOOGLE_CLOUD_PROJECT: 'demo-compose',
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  OAUTH_START_URL: 'https://fn.example/oauthStart',
  PAGES_URL: 'https://fn.example/pages',
  OAUTH_REDIRECT_URL: 'https://fn.example/oauthCallback',
  GOOGLE_CLIENT_ID: 'client',
  GOOGLE_CLIENT_SECRET: 'secret',
};

const failsNaming = (env: Record<string, string | undefined>, names: string[]) => {
  assert.throws(
    () => serviceConfig(env),
    (e: unknown) =>
      e instanceof ConfigError &&
      JSON.stringify([...e.variables].sort()) === JSON.stringify([...names].sort()),
  );
};

describe('compose: configuration and the token key', function () {
  this.timeout(60_000);

  describe('serviceConfig', () => {
    it('applies the defaults', () => {
      const c = serviceConfig(BASE);
      assert.equal(c.syncTopic, 'contact-sync-user');
      assert.equal(c.timeBudgetMs, 480_000);
      assert.equal(c.leaseTtlMs, 600_000);
      assert.equal(c.google.peopleApiUrl, 'https://people.googleapis.com');
      assert.equal(c.keys.keys[0]!.key.length, 32);
    });

    it('names every missing variable at once', () => {
      failsNaming({}, [
        'GOOGLE_CLOUD_PROJECT',
        'TOKEN_ENCRYPTION_KEYS',
        'OAUTH_START_URL',
        'PAGES_URL',
        'OAUTH_REDIRECT_URL',
        'GOOGLE_CLIENT_ID',
        'GOOGLE_CLIENT_SECRET',
      ]);
      // Without any key, the variable named is the key ring's, which replaced the single key.
      for (const name of Object.keys(BASE))
        failsNaming({ ...BASE, [name]: undefined }, [
          name === 'TOKEN_ENCRYPTION_KEY' ? 'TOKEN_ENCRYPTION_KEYS' : name,
        ]);
    });

    it('names the malformed ones', () => {
      failsNaming({ ...BASE, TOKEN_ENCRYPTION_KEY: randomBytes(16).toString('base64') }, [
        'TOKEN_ENCRYPTION_KEY',
      ]);
      failsNaming({ ...BASE, OAUTH_START_URL: 'not a url' }, ['OAUTH_START_URL']);
      failsNaming({ ...BASE, SYNC_TIME_BUDGET_SECONDS: '540', LEASE_TTL_SECONDS: '900' }, [
        'SYNC_TIME_BUDGET_SECONDS',
      ]);
      failsNaming({ ...BASE, SYNC_TIME_BUDGET_SECONDS: 'soon' }, ['SYNC_TIME_BUDGET_SECONDS']);
      failsNaming({ ...BASE, LEASE_TTL_SECONDS: '300' }, ['LEASE_TTL_SECONDS']);
    });
  });

  describe('the key ring', () => {
    const key = () => randomBytes(32).toString('base64');
    const ring = (env: Record<string, string | undefined>) =>
      serviceConfig({ ...BASE, TOKEN_ENCRYPTION_KEY: undefined, ...env }).keys;

    it('reads TOKEN_ENCRYPTION_KEYS with ids, the current one named', () => {
      const r = ring({ TOKEN_ENCRYPTION_KEYS: `k1:${key()},k2:${key()}`, TOKEN_ENCRYPTION_KEY_ID: 'k2' });
      assert.equal(r.current, 'k2');
      assert.deepEqual(
        r.keys.map((k) => k.id),
        ['k1', 'k2'],
      );
      // One key needs no name; a bare key (the older single key) has id 0.
      assert.equal(ring({ TOKEN_ENCRYPTION_KEYS: `k1:${key()}` }).current, 'k1');
      assert.equal(serviceConfig(BASE).keys.current, '0');
    });

    it('names the variable at fault, never a key', () => {
      const k = key();
      const env = { ...BASE, TOKEN_ENCRYPTION_KEY: undefined };
      failsNaming({ ...env, TOKEN_ENCRYPTION_KEYS: `k1:${k},k2:${key()}` }, ['TOKEN_ENCRYPTION_KEY_ID']);
      failsNaming({ ...env, TOKEN_ENCRYPTION_KEYS: `k1:${k}`, TOKEN_ENCRYPTION_KEY_ID: 'k9' }, [
        'TOKEN_ENCRYPTION_KEY_ID',
      ]);
      failsNaming({ ...env, TOKEN_ENCRYPTION_KEYS: `k1:${k},k1:${key()}`, TOKEN_ENCRYPTION_KEY_ID: 'k1' }, [
        'TOKEN_ENCRYPTION_KEYS',
      ]);
      failsNaming({ ...env, TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(16).toString('base64')}` }, [
        'TOKEN_ENCRYPTION_KEYS',
      ]);
      failsNaming({ ...BASE, TOKEN_ENCRYPTION_KEYS: `k1:${k}` }, ['TOKEN_ENCRYPTION_KEYS']);
      try {
        serviceConfig({ ...env, TOKEN_ENCRYPTION_KEYS: `k1:${k},k2:short` });
        assert.fail('accepted');
      } catch (e) {
        assert.ok(!String((e as Error).message).includes(k));
      }
    });

    it('seals with the current key and opens what the older keys sealed', async () => {
      const k1 = key();
      const old = await buildApp(
        { ...BASE, TOKEN_ENCRYPTION_KEY: undefined, TOKEN_ENCRYPTION_KEYS: `k1:${k1}` },
        { queue: new RecordingQueue() },
      );
      const both = await buildApp(
        {
          ...BASE,
          TOKEN_ENCRYPTION_KEY: undefined,
          TOKEN_ENCRYPTION_KEYS: `k1:${k1},k2:${key()}`,
          TOKEN_ENCRYPTION_KEY_ID: 'k2',
        },
        { queue: new RecordingQueue() },
      );
      try {
        const sealed = old.sealer.seal('refresh-token', 'google:acme/alice');
        assert.match(sealed, /^v2\.k1\./);
        assert.equal(both.sealer.open(sealed, 'google:acme/alice'), 'refresh-token');
        assert.match(both.sealer.seal('x', 'c'), /^v2\.k2\./);
        assert.throws(
          () => old.sealer.open(both.sealer.seal('x', 'c'), 'c'),
          (e: unknown) => e instanceof SyncError && /token key k2, which is not configured/.test(e.message),
        );
      } finally {
        await old.close();
        await both.close();
      }
    });
  });

  describe('a misconfigured deployment', () => {
    const saved: Record<string, string | undefined> = {};
    const logs: Parameters<LogSink>[0][] = [];
    let server: Server;
    let syncUser: Server;

    before(async () => {
      for (const name of [...Object.keys(BASE), 'TOKEN_ENCRYPTION_KEYS']) {
        saved[name] = process.env[name];
        delete process.env[name];
      }
      useApp(null);
      setLogSink((e) => logs.push(e));
      server = getTestServer('syncNow');
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      syncUser = getTestServer('syncUser');
      await new Promise<void>((resolve) => syncUser.listen(0, '127.0.0.1', resolve));
    });
    after(async () => {
      for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
      setLogSink(null);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => syncUser.close(() => resolve()));
    });

    it('answers 500 with a generic config error and logs the names of the variables to fix', async () => {
      const r = await call(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
        method: 'POST',
        json: { tenantId: 'acme', userId: 'alice' },
        apiKey: 'k',
      });
      assert.equal(r.status, 500);
      assert.deepEqual(r.json, {
        error: { code: 'config', message: 'the service or tenant is misconfigured' },
      });
      const line = logs.find((l) => l.message === 'syncNow: config');
      assert.ok(line, JSON.stringify(logs));
      assert.match(String(line.variables), /GOOGLE_CLOUD_PROJECT/);
      assert.match(String(line.variables), /TOKEN_ENCRYPTION_KEY/);
    });

    it('keeps Pub/Sub messages for after the fix: they are retried, not acknowledged', async () => {
      const request = { tenantId: 'acme', userId: 'alice', trigger: 'schedule', runId: 'r1', requestedAt: 1 };
      const r = await call(
        `http://127.0.0.1:${(syncUser.address() as AddressInfo).port}/projects/p/topics/t`,
        {
          method: 'POST',
          json: {
            message: { data: Buffer.from(JSON.stringify(request)).toString('base64'), messageId: 'm1' },
            subscription: 'projects/p/subscriptions/s',
          },
        },
      );
      assert.equal(r.status, 500);
      assert.equal(r.text, 'retry: config');
      assert.ok(logs.some((l) => l.message === 'syncUser: config' && l.runId === 'r1'));
    });
  });
});
