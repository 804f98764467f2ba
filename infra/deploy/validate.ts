// Arguments are checked before anything is called, and a refusal names the argument and the rule.
// Error messages never quote a value that may be a secret.
import { isId } from '../../shared/requests.js';
import { FUNCTION_REGIONS } from './regions.js';

/** A mistake in how the command was called: printed as is, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

// Google's rule for new project ids; domain-scoped legacy ids (example.com:p) are not supported.
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
// Every Cloud Functions / Cloud Scheduler region has this shape (us-central1, europe-west4, me-central2).
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;
const TENANT_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function projectId(value: string | undefined, flag = '--project'): string {
  if (!value) throw new UsageError(`${flag} is required`);
  if (!PROJECT_ID.test(value))
    throw new UsageError(
      `${flag} "${value}" is not a Google Cloud project id (6-30 characters: lowercase letters, digits, ` +
        `hyphens; starts with a letter, does not end with a hyphen)`,
    );
  return value;
}

export function region(value: string | undefined, flag = '--region'): string {
  if (!value) throw new UsageError(`${flag} is required`);
  if (!REGION.test(value))
    throw new UsageError(`${flag} "${value}" is not a Google Cloud region (for example us-central1)`);
  return value;
}

/** A region where Cloud Run functions can be deployed (infra/deploy/regions.ts). */
export function functionRegion(value: string | undefined, flag = '--region'): string {
  const r = region(value, flag);
  if (!FUNCTION_REGIONS.includes(r))
    throw new UsageError(
      `${flag} "${r}" is not a region Cloud Run functions serve (for example us-central1, europe-west1)`,
    );
  return r;
}

export function tenantId(value: string | undefined, flag = '--tenant'): string {
  if (!value) throw new UsageError(`${flag} is required`);
  if (!TENANT_ID.test(value))
    throw new UsageError(`${flag} must match ${TENANT_ID.source} (letters, digits, '.', '_', '-'; 1-64)`);
  // The service's one rule for ids, which also keeps out what Firestore refuses as document ids.
  if (!isId(value)) throw new UsageError(`${flag} must not be "." or "..", nor start and end with "__"`);
  return value;
}

/** An absolute http(s) URL without credentials in it (they would end up in logs and documents). */
export function httpUrl(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`${flag} is required`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${flag} must be an http:// or https:// URL`);
  if (url.username || url.password) throw new UsageError(`${flag} must not contain a user name or password`);
  return value;
}

export function integer(value: string | undefined, flag: string, min: number, max: number): number {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag} must be from ${min} to ${max} (got ${n})`);
  return n;
}

export function oneOf<T extends string>(value: string | undefined, flag: string, allowed: readonly T[]): T {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** A value that will be passed in a gcloud KEY=VALUE list, where a comma would split it. */
export function envValue(value: string, name: string): string {
  if (/[,\n\r]/.test(value)) throw new UsageError(`${name} must not contain a comma or a line break`);
  return value;
}
