// How a plan reads on the terminal: numbered steps, each with the command a person could paste.
import type { Plan, Step } from './plan.js';

/** Quotes an argument for a POSIX shell, only when it needs it. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

export const commandLine = (args: readonly string[]): string => ['gcloud', ...args].map(shellQuote).join(' ');

export function stepCommands(step: Step): string[] {
  switch (step.kind) {
    case 'gcloud':
      return [commandLine(step.args)];
    case 'topic':
    case 'pull-subscription':
      return [`(Pub/Sub API) ${commandLine(step.equivalent)}`];
    case 'trigger-subscription':
      return step.equivalent.map((args) => `(Pub/Sub API) ${commandLine(args)}`);
  }
}

export function renderPlan(plan: Plan, header: string): string[] {
  const lines = [header, ''];
  plan.steps.forEach((step, i) => {
    lines.push(`${String(i + 1).padStart(2)}. [${step.group}] ${step.title}`);
    for (const c of stepCommands(step)) lines.push(`    ${c}`);
  });
  if (plan.notes.length > 0) lines.push('', ...plan.notes.map((n) => `Note: ${n}`));
  lines.push('', `OAuth callback URL to register on the OAuth client: ${plan.oauthRedirectUrl}`);
  return lines;
}
