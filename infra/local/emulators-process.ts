// Child processes for the emulators: each runs in its own process group so that stopping it
// also stops the Java process that the gcloud wrapper spawns, and nothing outlives this process.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';

export interface GroupProcess {
  /** Process group id (= pid of the group leader). */
  readonly pgid: number;
  /** Exit code of the group leader once it exited, else undefined. */
  exitCode(): number | null | undefined;
  lastLines(): string[];
  /** Stops every process of the group: SIGTERM, then SIGKILL; resolves once none is left. */
  kill(): Promise<void>;
}

const LAST_LINES = 40;
/** Live process groups, each with the pid of its watchdog. */
const liveGroups = new Map<number, number | undefined>();
let exitHookInstalled = false;

// 'exit' handlers must be synchronous, so this is a plain SIGKILL. Deaths that skip 'exit' handlers
// (SIGKILL, an unhandled SIGTERM or SIGINT) are covered by the watchdog of spawnGroup.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [pgid, watchdog] of liveGroups) {
      signalGroup(pgid, 'SIGKILL');
      if (watchdog !== undefined) signalGroup(watchdog, 'SIGKILL');
    }
    liveGroups.clear();
  });
}

// gcloud keeps its process group only if it leads its own session (else it calls setpgid(0, 0)),
// so it is spawned detached and its Java child joins that group. A watchdog next to it holds a
// pipe from us: when this process dies, however it dies, the pipe reaches EOF and the watchdog
// kills the group.
const WATCHDOG = 'cat >/dev/null 2>&1; kill -s KILL -- "-$1" 2>/dev/null';

export function spawnGroup(
  command: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; log?: (line: string) => void },
): GroupProcess {
  installExitHook();
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
  const pgid = child.pid;
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG, 'emulator-watchdog', String(pgid)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  liveGroups.set(pgid, watchdog.pid);
  // Neither the children nor our ends of their pipes may keep the event loop (and mocha) alive.
  for (const handle of [child, child.stdout, child.stderr, watchdog, watchdog.stdin]) {
    (handle as { unref?: () => void } | null)?.unref?.();
  }

  const lines: string[] = [];
  const onData = (() => {
    let partial = '';
    return (chunk: Buffer): void => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > LAST_LINES) lines.shift();
        opts.log?.(line);
      }
    };
  })();
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  let code: number | null | undefined;
  child.on('exit', (c) => {
    code = c;
  });
  child.on('error', (err) => {
    lines.push(`spawn error: ${err.message}`);
    code = null;
  });

  return {
    pgid,
    exitCode: () => code,
    lastLines: () => [...lines],
    async kill() {
      if (!groupAlive(pgid)) return forget();
      signalGroup(pgid, 'SIGTERM');
      if (await waitUntil(() => !groupAlive(pgid), 10_000)) return forget();
      signalGroup(pgid, 'SIGKILL');
      if (await waitUntil(() => !groupAlive(pgid), 5_000)) return forget();
      throw new Error(`process group ${pgid} (${command}) survived SIGKILL`);
    },
  };

  // Killed outright: once the group is gone its id may be reused, and the watchdog must not hit that.
  function forget(): void {
    liveGroups.delete(pgid);
    if (watchdog.pid !== undefined) signalGroup(watchdog.pid, 'SIGKILL');
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** True while a process of the group is running; zombies awaiting their reaper do not count. */
export function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    // No procfs (macOS): fall back to a signal probe, which also sees zombies.
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp ..."; comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free loopback port'))));
    });
  });
}

/** One HTTP GET to 127.0.0.1:port; resolves with the body, or undefined if nothing answered. */
export function httpGet(port: number, path = '/', timeoutMs = 1_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve(body));
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

export function portOpen(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('connect', () => done(true));
    socket.on('error', () => done(false));
  });
}
