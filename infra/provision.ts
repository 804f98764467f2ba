// Entry point of `npm run provision`; see infra/README.md and infra/deploy/provisionCli.ts.
import { PubSub } from '@google-cloud/pubsub';
import { gcloudRunner } from './deploy/gcloud.js';
import { loadIndexConfig } from './deploy/indexes.js';
import { provisionMain } from './deploy/provisionCli.js';

process.exitCode = await provisionMain(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  indexes: () => loadIndexConfig(),
  runner: () => gcloudRunner({ echo: (chunk) => process.stderr.write(chunk) }),
  pubsub: (projectId) => new PubSub({ projectId }),
});
