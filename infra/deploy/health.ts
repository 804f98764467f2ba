// After a deploy: does each function answer? An event function must be ACTIVE (its revision started);
// an HTTP function must also answer a request with something its own code says (any status under
// 500: a GET without an API key is refused by the function, which proves it runs). Says which did not.
import type { CommandRunner } from './gcloud.js';

export interface Deployed {
  name: string;
  /** Its URL when it is an HTTP function. */
  url: string | null;
}

export type Fetch = (url: string, init: { signal: AbortSignal }) => Promise<{ status: number }>;

export async function healthCheck(
  functions: readonly Deployed[],
  target: { project: string; region: string },
  deps: { runner: CommandRunner; fetch: Fetch },
): Promise<{ name: string; problem: string }[]> {
  const failed: { name: string; problem: string }[] = [];
  for (const f of functions) {
    const r = await deps.runner.run([
      'functions',
      'describe',
      f.name,
      '--gen2',
      `--region=${target.region}`,
      '--format=value(state)',
      `--project=${target.project}`,
    ]);
    const state = r.stdout.trim();
    if (r.code !== 0 || state !== 'ACTIVE') {
      failed.push({ name: f.name, problem: `state ${state || 'unknown'} (gcloud exited ${r.code})` });
      continue;
    }
    if (!f.url) continue;
    try {
      const answer = await deps.fetch(f.url, { signal: AbortSignal.timeout(30_000) });
      if (answer.status >= 500) failed.push({ name: f.name, problem: `answered HTTP ${answer.status}` });
    } catch (e) {
      failed.push({ name: f.name, problem: `did not answer (${e instanceof Error ? e.name : 'error'})` });
    }
  }
  return failed;
}
