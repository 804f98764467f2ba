// Executes a plan step by step, stopping at the first failure with the step that failed. Steps are
// idempotent, so after fixing the cause the same command is simply run again.
import type { PubSub } from '@google-cloud/pubsub';
import type { CommandRunner } from './gcloud.js';
import { alreadyExists } from './gcloud.js';
import { PROJECT_NUMBER } from './names.js';
import type { Plan, Step } from './plan.js';
import type { GrantOnSubscription } from './pubsub.js';
import { configureTriggerSubscription, ensurePullSubscription, ensureTopic } from './pubsub.js';
import { commandLine } from './render.js';

export interface ApplyDeps {
  runner: CommandRunner;
  pubsub: () => PubSub;
  log: (line: string) => void;
  grant?: GrantOnSubscription;
  /** Waits between retries of a binding on a new identity (tests: no wait). */
  sleep?: (ms: number) => Promise<void>;
}

/** IAM's answers while a service account or agent created moments ago is not yet known everywhere. */
const NOT_YET_PROPAGATED =
  /does not exist|not found|INVALID_ARGUMENT: Service account|Invalid principal|unknown service account/i;
/** Bounded: about two and a half minutes in all, longer than IAM's propagation normally takes. */
export const PROPAGATION_DELAYS_MS = [5_000, 10_000, 20_000, 40_000, 80_000];

export class StepFailed extends Error {
  constructor(
    readonly step: number,
    readonly title: string,
    detail: string,
  ) {
    super(`step ${step} (${title}) failed: ${detail}`);
    this.name = 'StepFailed';
  }
}

const lastLines = (text: string, n = 8) => text.trim().split('\n').slice(-n).join('\n');

export async function applyPlan(
  plan: Plan,
  target: { project: string; region: string },
  deps: ApplyDeps,
): Promise<void> {
  let projectNumber: string | null = null;
  const number = async (): Promise<string> => {
    if (projectNumber) return projectNumber;
    const r = await deps.runner.run([
      'projects',
      'describe',
      target.project,
      '--format=value(projectNumber)',
    ]);
    const value = r.stdout.trim();
    if (r.code !== 0 || !/^[0-9]+$/.test(value))
      throw new Error(`cannot read the project number of ${target.project}: ${lastLines(r.stderr, 3)}`);
    projectNumber = value;
    return value;
  };

  for (const [i, step] of plan.steps.entries()) {
    deps.log(`${i + 1}/${plan.steps.length} ${step.title}`);
    try {
      deps.log(`   ${await runStep(step, target, deps, number)}`);
    } catch (e) {
      if (e instanceof StepFailed) throw e;
      throw new StepFailed(i + 1, step.title, e instanceof Error ? e.message : String(e));
    }
  }
}

async function runStep(
  step: Step,
  target: { project: string; region: string },
  deps: ApplyDeps,
  projectNumber: () => Promise<string>,
): Promise<string> {
  switch (step.kind) {
    case 'gcloud': {
      const needsNumber = step.args.some((a) => a.includes(PROJECT_NUMBER));
      const n = needsNumber ? await projectNumber() : '';
      const args = step.args.map((a) => a.replaceAll(PROJECT_NUMBER, n));
      deps.log(`   $ ${commandLine(args)}`);
      let r = await deps.runner.run(args);
      const delays = step.retryWhilePropagating ? [...PROPAGATION_DELAYS_MS] : [];
      while (r.code !== 0 && delays.length > 0 && NOT_YET_PROPAGATED.test(r.stderr) && !alreadyExists(r)) {
        const wait = delays.shift()!;
        deps.log(`   the identity is not known to IAM yet; again in ${wait / 1000} s`);
        await (deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))))(wait);
        r = await deps.runner.run(args);
      }
      if (r.code === 0) return 'done';
      if (step.okIfExists && alreadyExists(r)) return 'already exists';
      throw new Error(`${commandLine(args)} exited with ${r.code}\n${lastLines(r.stderr)}`);
    }
    case 'topic':
      return ensureTopic(deps.pubsub(), step);
    case 'pull-subscription':
      return ensurePullSubscription(deps.pubsub(), step);
    case 'trigger-subscription': {
      const names = await configureTriggerSubscription(
        deps.pubsub(),
        step,
        { ...target, projectNumber: await projectNumber() },
        deps.grant,
      );
      return `configured ${names.join(', ')}`;
    }
  }
}
