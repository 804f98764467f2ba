// CLI: npx tsx infra/standins/google/main.ts --port N [--latency-ms N] [--seed-demo]
//      [--propagation-delay-ms N] [--expired-token-mode 400|410]
import {
  DEMO_ACCOUNT,
  DEMO_CLIENT,
  seedDemo,
  startGoogleStandin,
  type GoogleStandinOptions,
} from './index.js';

function parseArgs(argv: string[]): { options: GoogleStandinOptions; seed: boolean } {
  const options: GoogleStandinOptions = {};
  let seed = false;
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0)
      throw new Error(`${flag} needs a non-negative number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') options.port = num(a, argv[++i]);
    else if (a === '--latency-ms') options.latencyMs = num(a, argv[++i]);
    else if (a === '--propagation-delay-ms') options.propagationDelayMs = num(a, argv[++i]);
    else if (a === '--expired-token-mode') {
      const v = argv[++i];
      if (v !== '400' && v !== '410') throw new Error('--expired-token-mode must be 400 or 410');
      options.expiredTokenMode = v;
    } else if (a === '--seed-demo') seed = true;
    else throw new Error(`unknown argument: ${a}`);
  }
  return { options, seed };
}

async function main(): Promise<void> {
  const { options, seed } = parseArgs(process.argv.slice(2));
  const standin = await startGoogleStandin(options);
  if (seed) {
    const s = seedDemo(standin.user);
    console.log(`seeded ${s.contacts} demo contacts and ${s.groups} group for ${DEMO_ACCOUNT}`);
  }
  console.log(`Google stand-in listening on ${standin.url}`);
  console.log(`  People API rootUrl: ${standin.endpoints.peopleRootUrl}`);
  console.log(`  OAuth authorize:    ${standin.endpoints.oauth2AuthBaseUrl}`);
  console.log(`  OAuth token:        ${standin.endpoints.oauth2TokenUrl}`);
  console.log(`  demo client id:     ${DEMO_CLIENT.clientId} (secret: see infra/standins/google/README.md)`);
  const stop = (): void => {
    standin.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
