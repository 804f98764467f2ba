// Arguments of `npm run tenant`, checked in full before anything is read or written. Creatio secrets
// may come from CREATIO_PASSWORD / CREATIO_CLIENT_SECRET instead of flags (flags stay in shell history).
import { parseArgs } from 'node:util';
import type { ConnectionSettings } from '../../shared/ports.js';
import { DEFAULT_MAX_CONCURRENT_RUNS, MAX_CONCURRENT_RUNS_LIMIT } from '../../shared/lease.js';
import { CREATIO_DAILY_BUDGET_MAX, CREATIO_DAILY_BUDGET_MIN } from '../../shared/creatioCalls.js';
import { UsageError, httpUrl, integer, oneOf, projectId, region, tenantId } from './validate.js';

export const POLICIES: readonly ConnectionSettings['policy'][] = ['newest-wins', 'crm-wins', 'google-wins'];
export const DEFAULT_INTERVAL = 15;
export const DEFAULT_GROUP = "bpm'online";

export const TENANT_USAGE = `Usage: npm run tenant -- COMMAND [options]

  add --tenant ID --creatio-url URL
      (--creatio-user USER [--creatio-password PASSWORD]
       | --creatio-client-id ID [--creatio-client-secret SECRET] --creatio-token-url URL)
      [--interval MINUTES (5-1440, default ${DEFAULT_INTERVAL})] [--google-group NAME (default ${DEFAULT_GROUP})]
      [--policy ${POLICIES.join('|')}] [--replace] [--no-scheduler] [--no-check]
      [--max-concurrent-runs N (1-${MAX_CONCURRENT_RUNS_LIMIT}, default ${DEFAULT_MAX_CONCURRENT_RUNS})]
      How many of the tenant's sync runs may work against its Creatio at once; the rest wait their turn.
      [--creatio-daily-budget CALLS (${CREATIO_DAILY_BUDGET_MIN}-${CREATIO_DAILY_BUDGET_MAX}, default none)]
      Billed Creatio calls a UTC day past which the daily full read of each CRM group waits for the
      next day (ordinary syncs go on); Creatio's soft cap is 10,000 a day per full user licence.
      The password or client secret may come from CREATIO_PASSWORD / CREATIO_CLIENT_SECRET instead.
      Logs in to Creatio and reads one page of contact folders before saving; --no-check skips that
      (for a Creatio not reachable from here). A plain http:// URL is refused except on loopback.
  check --creatio-url URL (the same credential options as add)
      Only that login and read; nothing is saved.
  reseal [--tenant ID]
      Seals every stored secret (Creatio secrets, Google refresh tokens) with the current key
      (TOKEN_ENCRYPTION_KEY_ID); run after adding a key, before retiring the old one.
  list
  show --tenant ID
  rotate-key --tenant ID
  remove --tenant ID --yes [--no-scheduler]

  Every command: [--project PROJECT (default $GOOGLE_CLOUD_PROJECT)]
  Scheduler commands: [--region REGION (default $GOOGLE_CLOUD_REGION)]
  add and reseal need TOKEN_ENCRYPTION_KEYS (id:base64 of 32 bytes,...; TOKEN_ENCRYPTION_KEY_ID names the
  current one), TOKEN_ENCRYPTION_KEY (one key) or TOKEN_ENCRYPTION_SECRET (the Secret Manager version
  holding the ring, e.g. projects/P/secrets/contact-sync-token-key/versions/1).`;

export type CreatioAuthInput =
  | { mode: 'cookie'; userName: string; password: string }
  | { mode: 'oauth'; clientId: string; clientSecret: string; tokenUrl: string };

interface Common {
  project: string;
  region: string | null;
  noScheduler: boolean;
}

export type TenantCommand =
  | (Common & {
      command: 'add';
      tenantId: string;
      creatioUrl: string;
      auth: CreatioAuthInput;
      intervalMinutes: number;
      googleGroupName: string;
      policy: ConnectionSettings['policy'];
      maxConcurrentRuns: number;
      /** Null: no budget, nothing waits. */
      creatioDailyBudget: number | null;
      replace: boolean;
      noCheck: boolean;
    })
  | (Common & { command: 'check'; creatioUrl: string; auth: CreatioAuthInput })
  | (Common & { command: 'reseal'; tenantId: string | null })
  | (Common & { command: 'list' })
  | (Common & { command: 'show' | 'rotate-key'; tenantId: string })
  | (Common & { command: 'remove'; tenantId: string; confirmed: boolean })
  | { command: 'help' };

const OPTIONS = {
  tenant: { type: 'string' },
  'creatio-url': { type: 'string' },
  'creatio-user': { type: 'string' },
  'creatio-password': { type: 'string' },
  'creatio-client-id': { type: 'string' },
  'creatio-client-secret': { type: 'string' },
  'creatio-token-url': { type: 'string' },
  interval: { type: 'string' },
  'google-group': { type: 'string' },
  policy: { type: 'string' },
  'max-concurrent-runs': { type: 'string' },
  'creatio-daily-budget': { type: 'string' },
  replace: { type: 'boolean', default: false },
  'no-scheduler': { type: 'boolean', default: false },
  'no-check': { type: 'boolean', default: false },
  yes: { type: 'boolean', default: false },
  project: { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];
type Flag = keyof typeof OPTIONS;

const ALLOWED: Record<string, Flag[]> = {
  add: [
    'tenant',
    'creatio-url',
    'creatio-user',
    'creatio-password',
    'creatio-client-id',
    'creatio-client-secret',
    'creatio-token-url',
    'interval',
    'google-group',
    'policy',
    'max-concurrent-runs',
    'creatio-daily-budget',
    'replace',
    'no-scheduler',
    'no-check',
  ],
  check: [
    'creatio-url',
    'creatio-user',
    'creatio-password',
    'creatio-client-id',
    'creatio-client-secret',
    'creatio-token-url',
  ],
  reseal: ['tenant'],
  list: [],
  show: ['tenant'],
  'rotate-key': ['tenant'],
  remove: ['tenant', 'yes', 'no-scheduler'],
};
const EVERYWHERE: Flag[] = ['project', 'region', 'help'];

export function parseTenantArgs(argv: string[], env: Record<string, string | undefined>): TenantCommand {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    }));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const command = positionals[0];
  if (values.help || command === 'help') return { command: 'help' };
  if (!command) throw new UsageError(`a command is required: ${Object.keys(ALLOWED).join(', ')}`);
  if (!(command in ALLOWED))
    throw new UsageError(`unknown command (commands: ${Object.keys(ALLOWED).join(', ')})`);
  // Extra words are not echoed: a misplaced secret would otherwise end up on the terminal.
  if (positionals.length > 1) throw new UsageError(`${command}: unexpected argument; options start with --`);
  const allowed = [...ALLOWED[command]!, ...EVERYWHERE];
  for (const [flag, value] of Object.entries(values))
    if (value !== undefined && value !== false && !allowed.includes(flag as Flag))
      throw new UsageError(`${command} does not take --${flag}`);

  const common: Common = {
    project: projectId(values.project ?? env.GOOGLE_CLOUD_PROJECT, '--project (or GOOGLE_CLOUD_PROJECT)'),
    region: optionalRegion(values.region ?? env.GOOGLE_CLOUD_REGION),
    noScheduler: values['no-scheduler'] === true,
  };
  switch (command) {
    case 'list':
      return { ...common, command };
    case 'show':
    case 'rotate-key':
      return { ...common, command, tenantId: tenantId(values.tenant) };
    case 'remove':
      return { ...common, command, tenantId: tenantId(values.tenant), confirmed: values.yes === true };
    case 'reseal':
      return { ...common, command, tenantId: values.tenant === undefined ? null : tenantId(values.tenant) };
    case 'check':
      return {
        ...common,
        command,
        creatioUrl: creatioUrl(values['creatio-url'], '--creatio-url'),
        auth: creatioAuth(values, env),
      };
    default:
      return {
        ...common,
        command: 'add',
        tenantId: tenantId(values.tenant),
        creatioUrl: creatioUrl(values['creatio-url'], '--creatio-url'),
        auth: creatioAuth(values, env),
        noCheck: values['no-check'] === true,
        intervalMinutes:
          values.interval === undefined ? DEFAULT_INTERVAL : integer(values.interval, '--interval', 5, 1440),
        googleGroupName: groupName(values['google-group'] ?? DEFAULT_GROUP),
        policy: values.policy === undefined ? 'newest-wins' : oneOf(values.policy, '--policy', POLICIES),
        maxConcurrentRuns:
          values['max-concurrent-runs'] === undefined
            ? DEFAULT_MAX_CONCURRENT_RUNS
            : integer(values['max-concurrent-runs'], '--max-concurrent-runs', 1, MAX_CONCURRENT_RUNS_LIMIT),
        creatioDailyBudget:
          values['creatio-daily-budget'] === undefined
            ? null
            : integer(
                values['creatio-daily-budget'],
                '--creatio-daily-budget',
                CREATIO_DAILY_BUDGET_MIN,
                CREATIO_DAILY_BUDGET_MAX,
              ),
        replace: values.replace === true,
      };
  }
}

function optionalRegion(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : region(value, '--region (or GOOGLE_CLOUD_REGION)');
}

function creatioAuth(values: Values, env: Record<string, string | undefined>): CreatioAuthInput {
  const cookie = values['creatio-user'] !== undefined || values['creatio-password'] !== undefined;
  const oauth = ['creatio-client-id', 'creatio-client-secret', 'creatio-token-url'].some(
    (f) => values[f as Flag] !== undefined,
  );
  if (cookie && oauth)
    throw new UsageError(
      'give either --creatio-user/--creatio-password or --creatio-client-id/--creatio-client-secret/' +
        '--creatio-token-url, not both',
    );
  if (cookie) {
    const userName = nonEmpty(values['creatio-user'], '--creatio-user');
    const password = values['creatio-password'] ?? env.CREATIO_PASSWORD;
    return {
      mode: 'cookie',
      userName,
      password: nonEmpty(password, '--creatio-password (or CREATIO_PASSWORD)'),
    };
  }
  if (oauth) {
    const clientId = nonEmpty(values['creatio-client-id'], '--creatio-client-id');
    const secret = values['creatio-client-secret'] ?? env.CREATIO_CLIENT_SECRET;
    return {
      mode: 'oauth',
      clientId,
      clientSecret: nonEmpty(secret, '--creatio-client-secret (or CREATIO_CLIENT_SECRET)'),
      tokenUrl: creatioUrl(values['creatio-token-url'], '--creatio-token-url'),
    };
  }
  throw new UsageError(
    'Creatio credentials are required: --creatio-user with --creatio-password, or --creatio-client-id ' +
      'with --creatio-client-secret and --creatio-token-url',
  );
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Passwords and tokens travel to it: https, except a Creatio on this machine (stand-ins, tunnels). */
function creatioUrl(value: string | undefined, flag: string): string {
  const url = new URL(httpUrl(value, flag));
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname))
    throw new UsageError(`${flag} must be https:// (plain http:// is allowed only for localhost)`);
  return value!;
}

function nonEmpty(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} is required`);
  return value;
}

function groupName(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (value.trim() === '' || value.length > 100 || /[\u0000-\u001f]/.test(value))
    throw new UsageError('--google-group must be 1-100 printable characters');
  return value;
}
