// `npm start`: the whole system on this machine until Ctrl-C (see docs/local-stack.md).
// Exit codes: 0 stopped cleanly (or --demo-and-exit completed), 1 failed, 2 wrong arguments,
// 130 interrupted while starting.
import { UsageError } from '../deploy/validate.js';
import { parseStackArgs, START_USAGE } from './stack-options.js';
import { Interrupted, startLocalStack } from './stack.js';
import type { LocalStack } from './stack.js';

const SAME_SIGNAL_MS = 1_500;

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const complain = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseStackArgs>;
  try {
    parsed = parseStackArgs(process.argv.slice(2), process.env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    complain(`npm start: ${e.message}`);
    complain(START_USAGE);
    return 2;
  }
  if (parsed.help) {
    say(START_USAGE);
    return 0;
  }
  // Our own emulators are started below; an inherited host would send the clients elsewhere.
  for (const name of ['FIRESTORE_EMULATOR_HOST', 'PUBSUB_EMULATOR_HOST']) {
    if (process.env[name]) {
      say(`${name} is set: ignored, the local stack starts its own emulator`);
      delete process.env[name];
    }
  }

  const interrupt = new AbortController();
  let stack: LocalStack | null = null;
  let stopping: Promise<void> | null = null;
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping || interrupt.signal.aborted) {
      // One Ctrl-C can arrive several times: from the terminal and relayed by npm and tsx.
      if (Date.now() - firstSignalAt < SAME_SIGNAL_MS) return;
      // A second Ctrl-C: leave now; the emulators' watchdogs and exit hook stop their processes.
      complain(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    firstSignalAt = Date.now();
    say(`\n${signal}: stopping everything (Ctrl-C again to exit at once)…`);
    interrupt.abort();
    if (stack) stopping = stack.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    stack = await startLocalStack(parsed.options, process.env, say, interrupt.signal);
  } catch (e) {
    if (e instanceof Interrupted) return 130;
    complain(`npm start failed: ${e instanceof Error ? e.message : String(e)}`);
    return e instanceof UsageError ? 2 : 1;
  }
  if (interrupt.signal.aborted) stopping ??= stack.stop();

  if (parsed.options.demoAndExit) {
    stopping ??= stack.stop();
    await stopping;
    say(
      stack.demo
        ? 'Demo completed; everything stopped.'
        : `Demo did not complete (${stack.demoError?.message ?? 'unknown'}); everything stopped.`,
    );
    return stack.demo ? 0 : 1;
  }
  say('Running. Ctrl-C stops everything.');
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (stopping) {
        clearInterval(check);
        resolve();
      }
    }, 200);
  });
  await stopping;
  say('Stopped.');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    complain(`npm start failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
