// The one place that names the runtime functions are deployed with, next to the decommission dates of
// the runtimes it could name (Google's runtime support schedule for Cloud Run functions): after that
// date a function on the runtime can no longer be created or updated, so a deploy would fail outright.
// Runtimes already past their date are not listed: they are refused as unknown.
export const DECOMMISSIONED = {
  nodejs22: '2027-10-31',
  nodejs24: '2028-10-31',
} as const;

export type Runtime = keyof typeof DECOMMISSIONED;

/** Matches `engines` in package.json and the pinned `node` package the tests run under. */
export const RUNTIME: Runtime = 'nodejs24';

/** Why a deploy on `runtime` would fail on `day`, or null while it is still supported. */
export function runtimeProblem(runtime: string, day: Date): string | null {
  const end = (DECOMMISSIONED as Record<string, string | undefined>)[runtime];
  if (end === undefined) return `${runtime} is not a runtime whose decommission date is known here`;
  const today = day.toISOString().slice(0, 10);
  return today >= end ? `${runtime} was decommissioned on ${end}: functions on it cannot be deployed` : null;
}
