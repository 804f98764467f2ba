// Flags and environment of `npm start`, checked in full before anything starts. A flag wins over its
// environment variable; a port given either way is held to (a busy one is an error), while a default
// port that is taken gives way to a free one.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError, integer, tenantId } from '../deploy/validate.js';

export type PortName = 'functions' | 'google' | 'creatio' | 'firestore' | 'pubsub';

/** `port: 0` is any free port. */
export interface PortChoice {
  port: number;
  explicit: boolean;
}

export interface StackOptions {
  ports: Record<PortName, PortChoice>;
  tickSeconds: number;
  intervalMinutes: number;
  stateDir: string;
  tenantId: string;
  userId: string;
  demoAndExit: boolean;
  verbose: boolean;
}

export const DEFAULT_PORTS: Record<PortName, number> = {
  functions: 8780,
  google: 8781,
  creatio: 8782,
  firestore: 8783,
  pubsub: 8784,
};

export const PORT_ENV: Record<PortName, string> = {
  functions: 'CONTACT_SYNC_FUNCTIONS_PORT',
  google: 'CONTACT_SYNC_GOOGLE_PORT',
  creatio: 'CONTACT_SYNC_CREATIO_PORT',
  firestore: 'CONTACT_SYNC_FIRESTORE_PORT',
  pubsub: 'CONTACT_SYNC_PUBSUB_PORT',
};

export const TICK_ENV = 'CONTACT_SYNC_TICK_SECONDS';
export const STATE_DIR_ENV = 'CONTACT_SYNC_STATE_DIR';

// infra/local → the repository root, whatever the working directory.
export const DEFAULT_STATE_DIR = resolve(fileURLToPath(new URL('../../.local', import.meta.url)));

export const START_USAGE = `Usage: npm start -- [options]

  --functions-port N   the seven functions, one server routing by path (default ${DEFAULT_PORTS.functions})
  --google-port N      Google People API + OAuth stand-in (default ${DEFAULT_PORTS.google})
  --creatio-port N     Creatio OData stand-in (default ${DEFAULT_PORTS.creatio})
  --firestore-port N   Firestore emulator (default ${DEFAULT_PORTS.firestore})
  --pubsub-port N      Pub/Sub emulator (default ${DEFAULT_PORTS.pubsub})
                       0 = any free port. A default port that is taken gives way to a free one;
                       a port you name must be free.
  --tick-seconds N     local stand-in for Cloud Scheduler: one tick per tenant every N s (default 60)
  --interval-minutes N the demo tenant's sync interval (5-1440, default 5)
  --tenant ID          the demo tenant's id (default demo)
  --user ID            the demo salesperson's user id (default demo.rep)
  --state-dir DIR      where the run's encryption key is kept (default .local/)
  --demo-and-exit      stop after the demo walk-through (exit 0 if it completed)
  --verbose            also print the functions' JSON log lines and the emulators' output
  --help

  Environment: ${Object.values(PORT_ENV).join(', ')}, ${TICK_ENV}, ${STATE_DIR_ENV}
  (the same as the flags); TOKEN_ENCRYPTION_KEY (else one is generated and kept in the state dir);
  CONTACT_SYNC_NO_GCLOUD=1 (act as if the Cloud SDK were missing).
  Real services instead of the stand-ins: GOOGLE_CLIENT_ID + GOOGLE_CLIENT_SECRET (Google);
  CREATIO_URL + CREATIO_GROUP_ID + (CREATIO_USER + CREATIO_PASSWORD | CREATIO_CLIENT_ID +
  CREATIO_CLIENT_SECRET + CREATIO_TOKEN_URL) (Creatio). See docs/local-stack.md.`;

const OPTIONS = {
  'functions-port': { type: 'string' },
  'google-port': { type: 'string' },
  'creatio-port': { type: 'string' },
  'firestore-port': { type: 'string' },
  'pubsub-port': { type: 'string' },
  'tick-seconds': { type: 'string' },
  'interval-minutes': { type: 'string' },
  tenant: { type: 'string' },
  user: { type: 'string' },
  'state-dir': { type: 'string' },
  'demo-and-exit': { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

const USER_ID = /^[A-Za-z0-9._@-]{1,128}$/;

export function parseStackArgs(
  argv: string[],
  env: Record<string, string | undefined>,
): { help: true } | { help: false; options: StackOptions } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (values.help) return { help: true };
  const str = (flag: string, variable?: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string') return v;
    return variable ? env[variable] || undefined : undefined;
  };
  const ports = {} as Record<PortName, PortChoice>;
  for (const name of Object.keys(DEFAULT_PORTS) as PortName[]) {
    const given = str(`${name}-port`, PORT_ENV[name]);
    ports[name] =
      given === undefined
        ? { port: DEFAULT_PORTS[name], explicit: false }
        : { port: integer(given, `--${name}-port (or ${PORT_ENV[name]})`, 0, 65535), explicit: true };
  }
  const tick = str('tick-seconds', TICK_ENV);
  const interval = str('interval-minutes');
  const userId = str('user') ?? 'demo.rep';
  if (!USER_ID.test(userId)) throw new UsageError(`--user must match ${USER_ID.source}`);
  return {
    help: false,
    options: {
      ports,
      tickSeconds: tick === undefined ? 60 : integer(tick, `--tick-seconds (or ${TICK_ENV})`, 1, 86_400),
      intervalMinutes: interval === undefined ? 5 : integer(interval, '--interval-minutes', 5, 1440),
      stateDir: resolve(str('state-dir', STATE_DIR_ENV) ?? DEFAULT_STATE_DIR),
      tenantId: tenantId(str('tenant') ?? 'demo'),
      userId,
      demoAndExit: values['demo-and-exit'] === true,
      verbose: values.verbose === true,
    },
  };
}
