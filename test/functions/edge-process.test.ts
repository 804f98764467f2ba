// The public edge as deployed: the built service (tsc -p tsconfig.build.json), served by the
// functions-framework command in a child process under the Node flags of the smallest memory tier.
// A compressed or oversized body is refused from its headers or within a few KiB of reading, so the
// process stays alive and keeps answering; an event function asked with GET refuses it without an error.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { constants, createBrotliCompress, createDeflate, createGzip } from 'node:zlib';
import type { Transform } from 'node:stream';
import { MEMORY, nodeOptions } from '../../infra/deploy/functions.js';
import { completeFunctionEnv } from '../support/functionEnv.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FRAMEWORK = `${ROOT}node_modules/@google-cloud/functions-framework/build/src/main.js`;
const TSC = `${ROOT}node_modules/typescript/bin/tsc`;

interface Served {
  url: string;
  child: ChildProcess;
  output: () => string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function serve(target: string, signatureType: 'http' | 'cloudevent'): Promise<Served> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      FRAMEWORK,
      `--target=${target}`,
      `--signature-type=${signatureType}`,
      '--source=build/functions/index.js',
      `--port=${port}`,
    ],
    {
      cwd: ROOT,
      // A valid configuration (an instance without one refuses to start); what is tested is refused
      // before the service is built, so nothing reaches Firestore.
      env: {
        ...completeFunctionEnv(),
        PATH: process.env.PATH ?? '',
        NODE_OPTIONS: nodeOptions(MEMORY),
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  // In production the framework prints no banner: wait for the port to answer.
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${target} did not start:\n${out}`);
    const up = await send(url, 'OPTIONS', {}).then(
      () => true,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, child, output: () => out };
}

interface Reply {
  status: number;
  body: string;
  contentType: string;
}

/** One request; a body given as chunks is sent chunked, without a declared length. */
function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Buffer | Buffer[],
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, signal: AbortSignal.timeout(30_000) }, (res) => {
      let text = '';
      res.on('data', (b: Buffer) => (text += b.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: text, contentType: res.headers['content-type'] ?? '' });
        req.destroy();
      });
    });
    // The server may answer and close before the whole body is sent: that is the point.
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? undefined : reject(e)));
    if (Array.isArray(body)) {
      for (const chunk of body) req.write(chunk);
      req.end();
    } else if (body && Number(headers['content-length']) > body.length) {
      // Declares more than it sends: whatever answers must do so from the headers.
      req.write(body);
    } else req.end(body);
  });
}

/** `inflated` bytes of zeros, compressed: a few hundred KiB that inflate to hundreds of MiB. */
async function bomb(compressor: Transform, inflated: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  compressor.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise((r) => compressor.on('end', r));
  const block = Buffer.alloc(1024 * 1024, 0x20);
  compressor.write('{"tenantId":"');
  for (let written = 0; written < inflated; written += block.length)
    if (!compressor.write(block)) await new Promise((r) => compressor.once('drain', r));
  compressor.end('"}');
  await done;
  return Buffer.concat(parts);
}

const alive = async (s: Served) => {
  assert.equal(s.child.exitCode, null, `the process is still running:\n${s.output()}`);
  // A GET without a ticket is answered by the function itself, before the service is configured.
  const r = await send(`${s.url}?ticket=`, 'GET', { accept: 'application/json' });
  assert.equal(r.status, 400, r.body);
  assert.match(r.body, /"bad-request"/);
};

describe('the built functions under the deployed Node flags', function () {
  this.timeout(240_000);
  let start: Served;
  let syncUser: Served;
  const MiB = 1024 * 1024;

  before(async function () {
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: ROOT }, (e, out) =>
        e ? reject(new Error(`build failed: ${out}`)) : resolve(),
      ),
    );
    [start, syncUser] = await Promise.all([serve('oauthStart', 'http'), serve('syncUser', 'cloudevent')]);
  });
  after(() => {
    for (const s of [start, syncUser]) s?.child.kill();
  });

  it('a 250 MB gzip body of about 250 KB is refused with 415, and the process answers afterwards', async () => {
    const body = await bomb(createGzip({ level: 9 }), 250 * MiB);
    assert.ok(body.length < 300 * 1024, `the bomb is small: ${body.length}`);
    for (let i = 0; i < 3; i++) {
      const r = await send(
        start.url,
        'POST',
        { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body,
      );
      assert.equal(r.status, 415, r.body);
      assert.match(r.contentType, /application\/json/);
      assert.match(r.body, /"unsupported-media-type"/);
    }
    await alive(start);
  });

  it('deflate, br and any other encoding are refused, with any method and content type', async () => {
    const deflated = await bomb(createDeflate({ level: 9 }), 64 * MiB);
    const brotli = await bomb(
      createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }),
      64 * MiB,
    );
    const cases: [string, string, Buffer][] = [
      ['deflate', 'application/json', deflated],
      ['br', 'text/plain', brotli],
      ['x-made-up', 'application/octet-stream', deflated],
      ['GZIP', 'application/x-www-form-urlencoded', deflated],
    ];
    for (const method of ['POST', 'PUT', 'GET'])
      for (const [encoding, type, body] of cases) {
        const r = await send(start.url, method, { 'content-type': type, 'content-encoding': encoding }, body);
        assert.equal(r.status, 415, `${method} ${encoding}: ${r.body}`);
      }
    await alive(start);
  });

  it('a declared length over the limit is refused with 413 before the body is read', async () => {
    const r = await send(
      start.url,
      'POST',
      { 'content-type': 'application/json', 'content-length': String(512 * MiB) },
      Buffer.alloc(1024, 0x20),
    );
    assert.equal(r.status, 413, r.body);
    assert.match(r.body, /"payload-too-large"/);
    await alive(start);
  });

  it('a chunked body without a declared length stops being read at the limit', async () => {
    const chunks = Array.from({ length: 64 }, () => Buffer.alloc(256 * 1024, 0x20));
    for (const type of ['application/json', 'text/plain', 'application/octet-stream']) {
      const r = await send(start.url, 'POST', { 'content-type': type }, chunks);
      assert.equal(r.status, 413, `${type}: ${r.body}`);
    }
    await alive(start);
  });

  it('an event function refuses what is not an event: GET 405 and a bomb 415, logged at WARNING at most', async () => {
    const get = await send(syncUser.url, 'GET', {});
    assert.equal(get.status, 405, get.body);
    assert.match(get.body, /"method-not-allowed"/);
    const gz = await send(
      syncUser.url,
      'POST',
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      await bomb(createGzip({ level: 9 }), 100 * MiB),
    );
    assert.equal(gz.status, 415, gz.body);
    const notEvent = await send(syncUser.url, 'POST', {});
    assert.ok(notEvent.status >= 200 && notEvent.status < 500, `${notEvent.status} ${notEvent.body}`);
    assert.equal(syncUser.child.exitCode, null);
    assert.doesNotMatch(syncUser.output(), /"severity":"ERROR"/);
  });
});
