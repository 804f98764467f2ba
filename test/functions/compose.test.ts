// Configuration at start: every variable validated, failures naming the variables; the token key from
// the environment or from Secret Manager (fetched once, with credentials, checksum verified); and a
// function of a misconfigured deployment answering a plain 500 that names nothing secret.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { OAuth2Client } from 'google-auth-library';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import '../../functions/index.js';
import { setLogSink } from '../../functions/log.js';
import type { LogSink } from '../../functions/log.js';
import { ConfigError, serviceConfig } from '../../shared/config.js';
import { SyncError } from '../../shared/errors.js';
import { Sealer } from '../../shared/secrets.js';
import { buildApp, useApp } from '../../shared/compose.js';
import type { SecretAuth } from '../../shared/adapters/secretmanager/secretVersion.js';
import { crc32c } from '../../shared/adapters/secretmanager/crc32c.js';
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
      assert.ok('key' in c.encryption && c.encryption.key.length === 32);
    });

    it('names every missing variable at once', () => {
      failsNaming({}, [
        'GOOGLE_CLOUD_PROJECT',
        'TOKEN_ENCRYPTION_KEY',
        'OAUTH_START_URL',
        'PAGES_URL',
        'OAUTH_REDIRECT_URL',
        'GOOGLE_CLIENT_ID',
        'GOOGLE_CLIENT_SECRET',
      ]);
      for (const name of Object.keys(BASE)) failsNaming({ ...BASE, [name]: undefined }, [name]);
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
      failsNaming({ ...BASE, TOKEN_ENCRYPTION_SECRET: 'projects/p/secrets/k/versions/1' }, [
        'TOKEN_ENCRYPTION_KEY',
      ]);
      failsNaming({ ...BASE, TOKEN_ENCRYPTION_KEY: undefined, TOKEN_ENCRYPTION_SECRET: 'token-key' }, [
        'TOKEN_ENCRYPTION_SECRET',
      ]);
    });
  });

  describe('the key from Secret Manager', () => {
    let server: Server;
    let url: string;
    const requests: IncomingMessage[] = [];
    let reply: (req: IncomingMessage) => { status: number; body: unknown } = () => ({
      status: 500,
      body: {},
    });

    before(async () => {
      server = createServer((req, res) => {
        requests.push(req);
        const r = reply(req);
        res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const auth = (): SecretAuth => {
      const client = new OAuth2Client();
      client.setCredentials({ access_token: 'test-access-token', expiry_date: Date.now() + 3_600_000 });
      return { getClient: async () => client } as unknown as SecretAuth;
    };
    const VERSION = 'projects/demo/secrets/token-key/versions/3';
    const env = {
      ...BASE,
      TOKEN_ENCRYPTION_KEY: '',
      TOKEN_ENCRYPTION_SECRET: VERSION,
    };
    const serve = (payload: Buffer, crc = crc32c(payload)) => {
      reply = (req) =>
        req.url === `/v1/${VERSION}:access`
          ? {
              status: 200,
              body: { name: VERSION, payload: { data: payload.toString('base64'), dataCrc32c: String(crc) } },
            }
          : { status: 404, body: { error: { code: 404, status: 'NOT_FOUND' } } };
    };
    const build = () =>
      buildApp({ ...env, SECRET_MANAGER_API_URL: url }, { secretAuth: auth(), queue: new RecordingQueue() });

    it('fetches the version once at start, with credentials, and seals with it', async () => {
      const key = randomBytes(32);
      serve(Buffer.from(key.toString('base64')));
      requests.length = 0;
      const app = await build();
      try {
        assert.equal(requests.length, 1);
        assert.equal(requests[0]!.headers.authorization, 'Bearer test-access-token');
        const sealed = new Sealer(key).seal('refresh-token', 'google:acme/alice');
        assert.equal(app.sealer.open(sealed, 'google:acme/alice'), 'refresh-token');
      } finally {
        await app.close();
      }
    });

    it('accepts the raw 32 bytes as the payload too', async () => {
      const key = randomBytes(32);
      serve(key);
      const app = await build();
      try {
        assert.equal(app.sealer.open(new Sealer(key).seal('x', 'c'), 'c'), 'x');
      } finally {
        await app.close();
      }
    });

    it('refuses a payload that fails its checksum, is not a key, or cannot be read', async () => {
      const isConfig = (pattern: RegExp) => (e: unknown) =>
        e instanceof SyncError && e.kind === 'config' && pattern.test(e.message);
      serve(randomBytes(32), 12345);
      await assert.rejects(build(), isConfig(/checksum/));
      serve(Buffer.from('too short'));
      await assert.rejects(build(), isConfig(/32 bytes/));
      reply = () => ({ status: 403, body: { error: { code: 403, status: 'PERMISSION_DENIED' } } });
      await assert.rejects(
        build(),
        isConfig(/refused projects\/demo\/secrets\/token-key\/versions\/3 \(HTTP 403\)/),
      );
    });
  });

  describe('a misconfigured deployment', () => {
    const saved: Record<string, string | undefined> = {};
    const logs: Parameters<LogSink>[0][] = [];
    let server: Server;
    let syncUser: Server;

    before(async () => {
      for (const name of [...Object.keys(BASE), 'TOKEN_ENCRYPTION_SECRET']) {
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
