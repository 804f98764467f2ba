// Test-controlled fault injection. A fault matches HTTP requests and, inside $batch, sub-requests
// (their path is the OData root plus the sub-request URL), and applies to the first `times` matches.
import { ODataError } from './errors.js';
import { errorReply, textReply, type Reply } from './reply.js';

export interface FaultSpec {
  match?: { method?: string; path?: RegExp | string };
  /** Answer this status instead of processing (500 as an OData error, 502/503 as a gateway page). */
  status?: 500 | 502 | 503;
  /** Answer the RAM-limit 500 of reference §3 instead of processing. */
  ramLimit?: true;
  /** Hold the answer this long (ms). */
  delayMs?: number;
  /** Expire every session and token before the request is authenticated. */
  expireSessions?: true;
  /** How many matching requests it applies to; default 1, Infinity allowed. */
  times?: number;
}

export interface FaultHandle {
  readonly id: number;
  remaining(): number;
  remove(): void;
}

interface ActiveFault {
  id: number;
  spec: FaultSpec;
  left: number;
}

export class Faults {
  private readonly active: ActiveFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): FaultHandle {
    const times = spec.times ?? 1;
    if (!(times > 0) || (!Number.isInteger(times) && times !== Infinity))
      throw new RangeError('faults.add: times must be a positive integer or Infinity');
    if (spec.status !== undefined && ![500, 502, 503].includes(spec.status))
      throw new RangeError('faults.add: status must be 500, 502 or 503');
    if (spec.delayMs !== undefined && !(spec.delayMs >= 0))
      throw new RangeError('faults.add: delayMs must be >= 0');
    const f: ActiveFault = { id: this.nextId++, spec, left: times };
    this.active.push(f);
    return {
      id: f.id,
      remaining: () => f.left,
      remove: () => this.drop(f),
    };
  }

  clear(): void {
    this.active.length = 0;
  }

  get size(): number {
    return this.active.length;
  }

  /** Consumes and returns the first fault matching this request, if any. */
  take(method: string, path: string): FaultSpec | undefined {
    const f = this.active.find((a) => matches(a.spec, method, path));
    if (!f) return undefined;
    if (--f.left <= 0) this.drop(f);
    return f.spec;
  }

  private drop(f: ActiveFault): void {
    const i = this.active.indexOf(f);
    if (i >= 0) this.active.splice(i, 1);
  }
}

function matches(spec: FaultSpec, method: string, path: string): boolean {
  const m = spec.match;
  if (!m) return true;
  if (m.method && m.method.toUpperCase() !== method.toUpperCase()) return false;
  if (m.path === undefined) return true;
  if (m.path instanceof RegExp) {
    m.path.lastIndex = 0;
    return m.path.test(path);
  }
  // A string names a resource: itself, its keys and sub-paths, not longer names that share a prefix.
  return path === m.path || path.startsWith(`${m.path}(`) || path.startsWith(`${m.path}/`);
}

/** The reply for a fault that answers instead of processing, if it does. */
export function faultReply(spec: FaultSpec, ramLimitError: () => ODataError): Reply | undefined {
  if (spec.ramLimit) return errorReply(ramLimitError());
  switch (spec.status) {
    case 500:
      return errorReply(new ODataError(500, 'An error has occurred.', 'System.Exception'));
    case 502:
      return textReply(
        502,
        '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>',
        'text/html',
      );
    case 503:
      return textReply(
        503,
        '<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>',
        'text/html',
      );
    default:
      return undefined;
  }
}
