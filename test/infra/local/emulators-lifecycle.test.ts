import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Firestore } from '@google-cloud/firestore';
import {
  detectCloudSdk,
  NO_GCLOUD_ENV,
  startFirestoreEmulator,
  startPubsubEmulator,
} from '../../../infra/local/emulators.js';
import { groupAlive, portOpen, waitUntil } from '../../../infra/local/emulators-process.js';
import { skipWith } from '../../support/emulators.js';

describe('emulator detection and fallback', () => {
  let saved: string | undefined;
  before(() => {
    saved = process.env[NO_GCLOUD_ENV];
    process.env[NO_GCLOUD_ENV] = '1';
  });
  after(() => {
    if (saved === undefined) delete process.env[NO_GCLOUD_ENV];
    else process.env[NO_GCLOUD_ENV] = saved;
  });

  it(`reports no SDK when ${NO_GCLOUD_ENV}=1`, () => {
    const status = detectCloudSdk('firestore');
    assert.equal(status.available, false);
    assert.match(status.reason ?? '', new RegExp(NO_GCLOUD_ENV));
  });

  it('has no Pub/Sub emulator without the SDK, and says so', async () => {
    const lines: string[] = [];
    assert.equal(await startPubsubEmulator({ log: (l) => lines.push(l) }), null);
    assert.match(
      lines.join('\n'),
      /Pub\/Sub: no emulator without the Google Cloud SDK .*runs without it or is skipped/,
    );
  });

  it('falls back to @firestore-emulator/server for Firestore, or names what is missing', async () => {
    const lines: string[] = [];
    const started = await startFirestoreEmulator({ log: (l) => lines.push(l) }).catch((err: Error) => err);
    assert.match(
      lines.join('\n'),
      /Firestore: gcloud emulator not found .*loses concurrent transaction updates/,
    );
    if (started instanceof Error) {
      assert.match(started.message, /@firestore-emulator\/server is not installed/);
      return;
    }
    try {
      assert.equal(started.implementation, 'npm-fallback');
      assert.match(started.host, /^127\.0\.0\.1:\d+$/);
      const db = new Firestore({ projectId: 'demo-fallback', host: started.host, ssl: false });
      await db.doc('x/1').set({ v: 1 });
      assert.equal((await db.doc('x/1').get()).get('v'), 1);
      await db.terminate();
    } finally {
      await started.stop();
    }
  });
});

describe('emulator processes', () => {
  const fixture = fileURLToPath(new URL('./fixtures/orphan-emulator.ts', import.meta.url));

  beforeEach(function () {
    const sdk = detectCloudSdk('firestore');
    if (!sdk.available) skipWith(this, `no gcloud emulator to leave behind (${sdk.reason})`);
  });

  it('stop() ends the whole process tree, Java included, and closes the port', async () => {
    const handle = await startFirestoreEmulator();
    try {
      assert.ok(handle.pgid && groupAlive(handle.pgid));
    } finally {
      await handle.stop();
    }
    assert.equal(groupAlive(handle.pgid), false);
    assert.equal(await portOpen(Number(handle.host.split(':')[1])), false);
  });

  for (const ending of ['exit', 'SIGKILL'] as const) {
    it(`leaves no emulator behind when its parent ends by ${ending === 'exit' ? 'process.exit' : ending}`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, ending], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let pgid: number | undefined;
      try {
        const started = JSON.parse(await firstLine(child)) as { pgid: number; host: string };
        pgid = started.pgid;
        const port = Number(started.host.split(':')[1]);
        assert.ok(groupAlive(pgid) || ending === 'exit');
        if (ending === 'SIGKILL') child.kill('SIGKILL');
        const gone = await waitUntil(
          async () => !groupAlive(started.pgid) && !(await portOpen(port)),
          15_000,
        );
        assert.ok(gone, `process group ${pgid} or port ${port} outlived its parent`);
      } finally {
        child.kill('SIGKILL');
        if (pgid !== undefined && groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
      }
    });
  }
});

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error('the fixture did not report its emulator in 60 s')),
      60_000,
    );
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const end = out.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, end));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!out.includes('\n'))
        reject(new Error(`the fixture exited (${code}) before reporting its emulator`));
    });
  });
}
