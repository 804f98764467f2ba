// `npm run tenant -- COMMAND ...`: registers and manages tenants. Exit codes: 0 done, 1 failed,
// 2 wrong usage. Nothing secret is printed except the new API key, once, on its own line.
import type { Firestore } from '@google-cloud/firestore';
import { connections } from '../../shared/adapters/firestore/paths.js';
import type { SecretManagerOptions } from '../../shared/adapters/secretmanager/keyRing.js';
import type { TickScheduler } from './scheduler.js';
import { tickJob, tickJobName, tickSchedule } from './scheduler.js';
import type { TenantCommand } from './tenantArgs.js';
import { TENANT_USAGE, parseTenantArgs } from './tenantArgs.js';
import { keySource, loadSealer } from './tenantKey.js';
import { checkCreatio } from './creatioCheck.js';
import { resealAll } from './reseal.js';
import {
  TenantProblem,
  addTenant,
  countConnections,
  describeTenant,
  getTenant,
  listTenants,
  removeTenant,
  rotateKey,
} from './tenantOps.js';
import { UsageError } from './validate.js';

export interface TenantDeps {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  firestore: (projectId: string) => Firestore;
  scheduler: () => TickScheduler;
  now: () => number;
  /** Options of the Secret Manager client (TOKEN_ENCRYPTION_SECRET); its defaults otherwise. */
  secretManager?: () => SecretManagerOptions;
}

type Run = Exclude<TenantCommand, { command: 'help' }>;

export async function tenantMain(argv: string[], deps: TenantDeps): Promise<number> {
  let cmd: TenantCommand;
  try {
    cmd = parseTenantArgs(argv, deps.env);
    if (cmd.command === 'help') {
      deps.out(TENANT_USAGE);
      return 0;
    }
    checkBeforeWriting(cmd, deps.env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    deps.err(`tenant: ${e.message}`);
    deps.err('Run "npm run tenant -- --help" for usage.');
    return 2;
  }
  try {
    await run(cmd, deps);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      deps.err(`tenant: ${e.message}`);
      return 2;
    }
    deps.err(`tenant: ${e instanceof TenantProblem ? e.message : describeError(e)}`);
    return 1;
  }
}

/** Everything that can be refused without I/O is refused before the first write. */
function checkBeforeWriting(cmd: Run, env: TenantDeps['env']): void {
  if (cmd.command === 'remove' && !cmd.confirmed)
    throw new UsageError(
      `remove deletes tenant ${cmd.tenantId} with all its connections and sync state; add --yes to confirm`,
    );
  if (cmd.command === 'add' || cmd.command === 'reseal') keySource(env);
  if ((cmd.command === 'add' || cmd.command === 'remove') && schedulerSkip(cmd, env) === null && !cmd.region)
    throw new UsageError(
      '--region (or GOOGLE_CLOUD_REGION) is required for the Cloud Scheduler job; --no-scheduler skips it',
    );
}

/** Why the scheduler is left alone, or null when it is used. */
function schedulerSkip(cmd: Run, env: TenantDeps['env']): string | null {
  if (cmd.noScheduler) return '--no-scheduler was given';
  if (env.FIRESTORE_EMULATOR_HOST)
    return `FIRESTORE_EMULATOR_HOST is set (emulators: the local stack publishes its own ticks)`;
  return null;
}

async function run(cmd: Run, deps: TenantDeps): Promise<void> {
  if (cmd.command === 'check') {
    await checkCreatio(cmd.creatioUrl, cmd.auth);
    deps.out(`Creatio check: logged in to ${cmd.creatioUrl} and read contact folders.`);
    return;
  }
  const db = deps.firestore(cmd.project);
  switch (cmd.command) {
    case 'reseal': {
      const sealer = await loadSealer(keySource(deps.env), deps.secretManager?.());
      const c = await resealAll(db, sealer, cmd.tenantId);
      deps.out(
        `Resealed ${c.resealed} secrets of ${c.tenants} tenants with key ${sealer.currentKeyId}; ` +
          `${c.current} were already sealed with it.`,
      );
      return;
    }
    case 'add': {
      // The key first (a wrong one must not cost a login), then Creatio, then the one write.
      const sealer = await loadSealer(keySource(deps.env), deps.secretManager?.());
      if (cmd.replace) await refuseSlowerTick(db, cmd.tenantId, cmd.intervalMinutes);
      if (cmd.noCheck) deps.out('Creatio check: skipped (--no-check).');
      else {
        await checkCreatio(cmd.creatioUrl, cmd.auth);
        deps.out(`Creatio check: logged in to ${cmd.creatioUrl} and read contact folders.`);
      }
      const { apiKey } = await addTenant(
        db,
        sealer,
        {
          tenantId: cmd.tenantId,
          creatioUrl: cmd.creatioUrl,
          auth: cmd.auth,
          defaults: {
            intervalMinutes: cmd.intervalMinutes,
            googleGroupName: cmd.googleGroupName,
            policy: cmd.policy,
          },
          maxConcurrentRuns: cmd.maxConcurrentRuns,
          ...(cmd.creatioDailyBudget === null ? {} : { creatioDailyBudget: cmd.creatioDailyBudget }),
          replace: cmd.replace,
        },
        deps.now(),
      );
      deps.out(`Tenant ${cmd.tenantId} ${apiKey ? 'registered' : 'updated'} in project ${cmd.project}.`);
      if (apiKey) printKey(apiKey, deps);
      else deps.out('API key unchanged (rotate-key makes a new one).');
      await scheduleTicks(cmd, cmd.intervalMinutes, deps);
      return;
    }
    case 'rotate-key': {
      const apiKey = await rotateKey(db, cmd.tenantId);
      deps.out(`New API key for tenant ${cmd.tenantId}; the previous key no longer works.`);
      printKey(apiKey, deps);
      return;
    }
    case 'show': {
      const tenant = await getTenant(db, cmd.tenantId);
      if (!tenant) throw new TenantProblem(`tenant ${cmd.tenantId} does not exist`);
      const rows = describeTenant(tenant, await countConnections(db, cmd.tenantId));
      const width = Math.max(...rows.map(([k]) => k.length));
      rows.forEach(([k, v]) => deps.out(`${k.padEnd(width)}  ${v}`));
      return;
    }
    case 'list': {
      const tenants = await listTenants(db);
      if (tenants.length === 0) deps.out(`No tenants in project ${cmd.project}.`);
      for (const t of tenants)
        deps.out(
          `${t.tenantId}\t${t.creatio.baseUrl}\t${t.creatio.auth.mode}\t` +
            `every ${t.defaults.intervalMinutes} min\t${t.defaults.policy}`,
        );
      return;
    }
    case 'remove': {
      await removeTenant(db, cmd.tenantId);
      deps.out(`Tenant ${cmd.tenantId} removed with its connections and sync state.`);
      const skip = schedulerSkip(cmd, deps.env);
      if (skip) {
        deps.out(`Scheduler: skipped (${skip}).`);
        return;
      }
      const name = tickJobName(cmd.project, cmd.region!, cmd.tenantId);
      const result = await deps.scheduler().remove(name);
      deps.out(`Scheduler: job ${shortName(name)} ${result === 'deleted' ? 'deleted' : 'was not there'}.`);
      return;
    }
  }
}

/** A longer tick would run the tenant's quicker connections at its pace, slower than they say. */
async function refuseSlowerTick(db: Firestore, tenantId: string, intervalMinutes: number): Promise<void> {
  const period = tickSchedule(intervalMinutes).periodMinutes;
  const rows = await connections(db, tenantId).select('intervalMinutes').get();
  const shortest = Math.min(
    ...rows.docs.map((d) => Number(d.get('intervalMinutes'))).filter(Number.isFinite),
  );
  if (shortest < period)
    throw new TenantProblem(
      `--interval ${intervalMinutes} makes the scheduler tick every ${period} minutes, but a connection ` +
        `of tenant ${tenantId} syncs every ${shortest}; use --interval ${shortest} or less, or lengthen ` +
        'those connections first',
    );
}

function printKey(apiKey: string, deps: TenantDeps): void {
  deps.out(`API key: ${apiKey}`);
  deps.out('Keep it now: it is shown only this once and only its hash is stored.');
}

async function scheduleTicks(cmd: Extract<Run, { command: 'add' }>, interval: number, deps: TenantDeps) {
  const skip = schedulerSkip(cmd, deps.env);
  if (skip) {
    deps.out(`Scheduler: skipped (${skip}).`);
    return;
  }
  const job = tickJob({
    project: cmd.project,
    region: cmd.region!,
    tenantId: cmd.tenantId,
    intervalMinutes: interval,
  });
  let result: 'created' | 'updated';
  try {
    result = await deps.scheduler().upsert(job);
  } catch (e) {
    throw new TenantProblem(
      `the tenant is stored but its Cloud Scheduler job failed (${describeError(e)}); ` +
        'run the same add again with --replace to retry (the API key is kept)',
    );
  }
  const { periodMinutes } = tickSchedule(interval);
  deps.out(
    `Scheduler: job ${shortName(job.name)} ${result} in ${cmd.region}, ticking every ${periodMinutes} min ` +
      `("${job.schedule}" UTC) to ${job.topicName}.`,
  );
}

const shortName = (name: string) => name.split('/').pop() ?? name;

// Plaintext secrets are sealed before any SDK call, so an SDK message cannot quote one.
function describeError(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err.code === 'number' || typeof err.code === 'string' ? ` (code ${err.code})` : '';
  const message = typeof err.message === 'string' ? err.message.split('\n')[0]!.slice(0, 300) : String(e);
  return `${message}${code}`;
}
