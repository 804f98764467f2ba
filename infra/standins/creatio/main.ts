// CLI: npx tsx infra/standins/creatio/main.ts --port N [--latency-ms N] [--seed-demo]
//   [--session-timeout-minutes N] [--expired-signal 401|redirect|html] [--oauth-client id:secret]
import { startCreatioStandin, type CreatioStandinOptions } from './index.js';

function parseArgs(argv: string[]): CreatioStandinOptions {
  const o: CreatioStandinOptions = { port: 0 };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n)) throw new Error(`${flag} needs an integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    switch (a) {
      case '--port':
        o.port = num(a, argv[++i]);
        break;
      case '--latency-ms':
        o.latencyMs = num(a, argv[++i]);
        break;
      case '--seed-demo':
        o.seedDemo = true;
        break;
      case '--session-timeout-minutes':
        o.sessionTimeoutMinutes = num(a, argv[++i]);
        break;
      case '--expired-signal': {
        const v = argv[++i];
        if (v !== '401' && v !== 'redirect' && v !== 'html')
          throw new Error('--expired-signal is 401, redirect or html');
        o.sessionExpiredSignal = v;
        break;
      }
      case '--oauth-client': {
        const v = argv[++i] ?? '';
        const colon = v.indexOf(':');
        if (colon <= 0) throw new Error('--oauth-client needs id:secret');
        (o.oauthClients ??= []).push({ clientId: v.slice(0, colon), clientSecret: v.slice(colon + 1) });
        break;
      }
      default:
        throw new Error(`unknown argument ${a}`);
    }
  }
  return o;
}

async function main(): Promise<void> {
  const standin = await startCreatioStandin(parseArgs(process.argv.slice(2)));
  console.log(
    `Creatio stand-in listening on ${standin.url} (OData 4 root ${standin.odataUrl}); user Supervisor`,
  );
  const stop = () => {
    void standin.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
