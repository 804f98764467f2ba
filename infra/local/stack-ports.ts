// Ports of the local stack, all on 127.0.0.1. A port the user named must be free (a clear error says
// which flag to change); a default port that is taken gives way to a free one, with a notice.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import type { PortChoice, PortName } from './stack-options.js';
import { PORT_ENV } from './stack-options.js';

export class PortBusyError extends Error {
  constructor(name: PortName, port: number) {
    super(
      `127.0.0.1:${port} (${name}) is already in use. Stop whatever holds it, or choose another port with ` +
        `--${name}-port N (or ${PORT_ENV[name]}=N; 0 = any free port)`,
    );
    this.name = 'PortBusyError';
  }
}

const inUse = (e: unknown): boolean => (e as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE';

/** Whether a listener could bind the port right now (0 always can). */
export function portFree(port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * Runs `start` on the chosen port; when a default port is taken, once more on a free one.
 * `start` must reject with EADDRINUSE (as Node's listen does) when the port is busy.
 */
export async function onPort<T>(
  name: PortName,
  choice: PortChoice,
  start: (port: number) => Promise<T>,
  notice: (line: string) => void,
): Promise<T> {
  try {
    return await start(choice.port);
  } catch (e) {
    if (!inUse(e)) throw e;
    if (choice.explicit) throw new PortBusyError(name, choice.port);
    notice(`${name}: default port ${choice.port} is taken; using a free port instead`);
    return start(0);
  }
}

/**
 * For servers started elsewhere (the emulators): the port to ask for, or undefined for a free one.
 * The probe and the start are not atomic; the emulator's own error covers the rare race.
 */
export async function emulatorPort(
  name: PortName,
  choice: PortChoice,
  notice: (line: string) => void,
): Promise<number | undefined> {
  if (choice.port === 0) return undefined;
  if (await portFree(choice.port)) return choice.port;
  if (choice.explicit) throw new PortBusyError(name, choice.port);
  notice(`${name}: default port ${choice.port} is taken; using a free port instead`);
  return undefined;
}

export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
