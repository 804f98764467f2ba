// Signing in: forms login with our own cookie jar and BPMCSRF, renewal on each of the three expiry
// signals, failed logins, and OAuth client credentials with refresh before expiry and on 401.
import assert from 'node:assert/strict';
import type { ExpiredSignal } from '../../../../infra/standins/creatio/index.js';
import { SyncError, isTransient } from '../../../../shared/errors.js';
import { startEnv } from './helpers.js';

const isAuthError = (err: unknown) => err instanceof SyncError && err.kind === 'auth';

describe('Creatio side: authentication', function () {
  this.timeout(60_000);

  for (const signal of ['401', 'redirect', 'html'] as ExpiredSignal[])
    it(`an expired session answered with ${signal} is renewed once and the call goes through`, async () => {
      const e = await startEnv({ sessionExpiredSignal: signal });
      try {
        const a = e.s.ui.createContact({ GivenName: 'Ann', Surname: 'Able' });
        e.s.ui.addToFolder(e.folderId, a.Id as string);
        // Outside the group: not read with the members, so fetching it calls Creatio.
        const b = e.s.ui.createContact({ GivenName: 'Bob', Surname: 'Baker' });
        const side = e.side();
        await side.readChanges(null, { full: false });
        e.clock.advance(61 * 60_000); // past UserSessionTimeout
        const got = await side.fetch([b.Id as string]);
        assert.equal(got.records.length, 1);
        assert.equal(side.stats().renewals, 1);
        assert.equal(side.stats().signIns, 2);
        assert.equal(e.s.stats().login, 2);
        assert.ok(e.s.stats().unauthorized >= 1);
      } finally {
        await e.s.close();
      }
    });

  it('a session refused again right after signing in fails with auth (no loop)', async () => {
    const e = await startEnv();
    try {
      e.s.faults.add({ match: { path: /\/0\/odata\// }, expireSessions: true, times: Infinity });
      await assert.rejects(e.side().readChanges(null, { full: false }), isAuthError);
      assert.equal(e.s.stats().login, 2);
    } finally {
      await e.s.close();
    }
  });

  it('two HTML pages in a row right after a good login (maintenance, a firewall) are transient, not rejected credentials', async () => {
    const e = await startEnv();
    try {
      let pages = 0;
      const side = e.side({
        fetch: async (input, init) => {
          if (String(input).includes('/0/odata/') && pages < 2) {
            pages += 1;
            return new Response('<!DOCTYPE html><html><body>Down for maintenance</body></html>', {
              status: 200,
              headers: { 'content-type': 'text/html; charset=utf-8' },
            });
          }
          return fetch(input, init);
        },
      });
      await assert.rejects(side.readChanges(null, { full: false }), (err: unknown) => {
        assert.ok(err instanceof SyncError, String(err));
        assert.equal(err.kind, 'unavailable', err.message);
        assert.ok(isTransient(err), 'retried later, the connection not marked');
        return true;
      });
      assert.equal(pages, 2);
      assert.equal(e.s.stats().login, 2, 'the second login succeeded');
      assert.equal(e.s.stats().loginFailed, 0);
      const again = await side.readChanges(null, { full: false });
      assert.ok(again, 'once the pages stop, the same side reads');
    } finally {
      await e.s.close();
    }
  });

  it('a failed login (HTTP 200, Code 1) is an auth error with a generic message, never retried', async () => {
    const e = await startEnv();
    try {
      const side = e.side({ auth: { mode: 'cookie', userName: 'Supervisor', password: 'wrong-secret' } });
      await assert.rejects(side.readChanges(null, { full: false }), (err: unknown) => {
        assert.ok(isAuthError(err));
        const text = `${(err as Error).message} ${JSON.stringify(err)}`;
        assert.ok(!text.includes('wrong-secret') && !/incorrect/i.test(text), text);
        return true;
      });
      assert.equal(e.s.stats().loginFailed, 1);
      assert.equal(e.waits.length, 0);
    } finally {
      await e.s.close();
    }
  });

  it('every OData call carries the session cookies and a BPMCSRF header equal to the BPMCSRF cookie', async () => {
    const e = await startEnv({ csrfRequired: true });
    try {
      const seen: Headers[] = [];
      const side = e.side({
        fetch: async (input, init) => {
          if (String(input).includes('/0/odata/')) seen.push(new Headers(init?.headers));
          return fetch(input, init);
        },
      });
      const a = e.s.ui.createContact({ GivenName: 'Ann', Surname: 'Able', Email: 'ann@example.com' });
      e.s.ui.addToFolder(e.folderId, a.Id as string);
      await side.readChanges(null, { full: false });
      assert.ok(seen.length >= 2);
      for (const h of seen) {
        const csrf = /BPMCSRF=([^;]+)/.exec(h.get('cookie') ?? '')?.[1];
        assert.ok(csrf && h.get('bpmcsrf') === csrf);
        assert.match(h.get('cookie')!, /\.ASPXAUTH=/);
      }
      assert.equal(e.s.stats().unauthorized, 0);
    } finally {
      await e.s.close();
    }
  });

  it('a 403 (no permission) is a permission error', async () => {
    const e = await startEnv();
    try {
      const side = e.side({
        fetch: async (input, init) =>
          String(input).includes('/0/odata/') ? new Response('', { status: 403 }) : fetch(input, init),
      });
      await assert.rejects(
        side.readChanges(null, { full: false }),
        (err: unknown) => err instanceof SyncError && err.kind === 'permission',
      );
    } finally {
      await e.s.close();
    }
  });

  describe('OAuth 2.0 client credentials', () => {
    const oauth = (e: Awaited<ReturnType<typeof startEnv>>, secret = 's3cret') => ({
      auth: { mode: 'oauth' as const, clientId: 'sync-app', clientSecret: secret, tokenUrl: e.s.tokenUrl },
    });

    it('reads with a bearer token, refreshes it before it expires and once on a 401', async () => {
      const e = await startEnv({ oauthClients: [{ clientId: 'sync-app', clientSecret: 's3cret' }] });
      try {
        const a = e.s.ui.createContact({ GivenName: 'Ann', Surname: 'Able' });
        e.s.ui.addToFolder(e.folderId, a.Id as string);
        // Outside the group: records the run has not read, so each fetch calls Creatio.
        const [b, c, d] = ['Bob', 'Cy', 'Di'].map(
          (n) => e.s.ui.createContact({ GivenName: n, Surname: 'Out' }).Id as string,
        );
        const side = e.side(oauth(e));
        assert.equal((await side.readChanges(null, { full: false })).records.length, 1);
        assert.equal(e.s.stats().token, 1);
        assert.equal(e.s.stats().login, 0);
        await side.fetch([b!]);
        assert.equal(e.s.stats().token, 1, 'the token is reused');
        e.clock.advance(3600_000 - 30_000); // inside the refresh margin, not yet expired
        await side.fetch([c!]);
        assert.equal(e.s.stats().token, 2, 'refreshed before expiry');
        assert.equal(e.s.stats().unauthorized, 0);
        e.s.expireAllSessions(); // revoked early: Creatio answers 401
        await side.fetch([d!]);
        assert.equal(e.s.stats().token, 3);
        assert.equal(side.stats().renewals, 1);
      } finally {
        await e.s.close();
      }
    });

    it('a refused client is an auth error', async () => {
      const e = await startEnv({ oauthClients: [{ clientId: 'sync-app', clientSecret: 's3cret' }] });
      try {
        await assert.rejects(e.side(oauth(e, 'nope')).readChanges(null, { full: false }), isAuthError);
        assert.equal(e.s.stats().tokenFailed, 1);
      } finally {
        await e.s.close();
      }
    });
  });
});
