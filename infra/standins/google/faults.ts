// Injected failures: Google-shaped 429/5xx bodies, dropped sockets and delays.
import { internalError, rateLimitExceeded, unavailable, type ApiError } from './errors.js';
import { htmlError, type ApiKind, type Reply } from './http.js';

export interface FaultMatch {
  /** A method name such as `connections.list`, or an HTTP verb such as `POST`. */
  method?: string;
  /** RegExp tested against the path, or a substring of it. */
  path?: RegExp | string;
  /** Account email of the request's access token. */
  account?: string;
}

export interface FaultSpec {
  match?: FaultMatch;
  status?: 429 | 500 | 502 | 503;
  retryAfterSec?: number;
  delayMs?: number;
  /** Destroy the socket without answering. */
  drop?: true;
  /**
   * Carry the request out, then destroy the socket without answering: the write happened but the
   * client cannot tell (a lost answer, as opposed to `drop`, where nothing happened).
   */
  dropAfter?: true;
  /** How many matching requests this fault applies to. */
  times: number;
}

export interface FaultRequest {
  api: string;
  httpMethod: string;
  path: string;
  account?: string;
  kind: ApiKind;
}

interface ActiveFault {
  id: number;
  spec: FaultSpec;
  remaining: number;
}

export interface FaultRegistry {
  add(spec: FaultSpec): number;
  remove(id: number): void;
  clear(): void;
  /** Faults still armed, with how many hits each has left. */
  pending(): { id: number; spec: FaultSpec; remaining: number }[];
}

function matches(m: FaultMatch | undefined, r: FaultRequest): boolean {
  if (!m) return true;
  if (m.method !== undefined && m.method !== r.api && m.method.toUpperCase() !== r.httpMethod) return false;
  if (m.path !== undefined && !(typeof m.path === 'string' ? r.path.includes(m.path) : m.path.test(r.path))) {
    return false;
  }
  if (m.account !== undefined && m.account.toLowerCase() !== r.account) return false;
  return true;
}

export class Faults implements FaultRegistry {
  private nextId = 1;
  private readonly active: ActiveFault[] = [];

  add(spec: FaultSpec): number {
    if (!Number.isInteger(spec.times) || spec.times < 1)
      throw new RangeError('fault.times must be a positive integer');
    if (spec.status === undefined && !spec.drop && !spec.dropAfter && spec.delayMs === undefined) {
      throw new RangeError('a fault needs a status, drop, dropAfter or delayMs');
    }
    const id = this.nextId++;
    this.active.push({ id, spec: { ...spec }, remaining: spec.times });
    return id;
  }

  remove(id: number): void {
    const i = this.active.findIndex((f) => f.id === id);
    if (i >= 0) this.active.splice(i, 1);
  }

  clear(): void {
    this.active.length = 0;
  }

  pending(): { id: number; spec: FaultSpec; remaining: number }[] {
    return this.active.map((f) => ({ id: f.id, spec: { ...f.spec }, remaining: f.remaining }));
  }

  /** First armed fault matching the request, consuming one of its hits. */
  take(r: FaultRequest): FaultSpec | undefined {
    const f = this.active.find((a) => matches(a.spec.match, r));
    if (!f) return undefined;
    f.remaining -= 1;
    if (f.remaining <= 0) this.remove(f.id);
    return f.spec;
  }
}

/** The reply a faulted request gets; 502 is an HTML page, as from Google's front end. */
export function faultReply(spec: FaultSpec, kind: ApiKind): Reply | undefined {
  if (spec.status === undefined) return undefined;
  if (spec.status === 502)
    return htmlError(
      502,
      'The server encountered a temporary error and could not complete your request. Please try again in 30 seconds.',
    );
  let err: ApiError;
  if (spec.status === 429)
    err = rateLimitExceeded(kind === 'write' ? 'write' : 'read', undefined, spec.retryAfterSec);
  else if (spec.status === 500) err = internalError();
  else err = unavailable();
  const headers = { ...err.headers };
  if (spec.retryAfterSec !== undefined) headers['retry-after'] = String(spec.retryAfterSec);
  return { status: err.httpStatus, json: err.body(), headers };
}
