// Entry point of `npm run tenant`; see infra/README.md and infra/deploy/tenantCli.ts.
import { Firestore } from '@google-cloud/firestore';
import { cloudScheduler } from './deploy/scheduler.js';
import { tenantMain } from './deploy/tenantCli.js';

const opened: Firestore[] = [];
try {
  process.exitCode = await tenantMain(process.argv.slice(2), {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    // FIRESTORE_EMULATOR_HOST, when set, is honoured by the client library itself.
    firestore: (projectId) => {
      const db = new Firestore({ projectId });
      opened.push(db);
      return db;
    },
    scheduler: () => cloudScheduler(),
    now: () => Date.now(),
  });
} finally {
  // Open gRPC channels would keep the process alive after the command is done.
  await Promise.all(opened.map((db) => db.terminate()));
}
