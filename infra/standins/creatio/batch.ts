// JSON $batch (reference §4): at most 100 sub-requests, processed in order, stopping at the first
// 4xx/5xx unless `Prefer: continue-on-error`; an atomicityGroup is a change set that is rolled back
// as a whole. Every sub-request counts as one API call.
import type { Actor } from './entities.js';
import { ODataError, badRequest, notModelled, ramLimitError } from './errors.js';
import { faultReply, type Faults } from './faults.js';
import type { ODataRequest, ODataService } from './odata.js';
import { errorReply, jsonReply, type Reply } from './reply.js';
import type { StatsCounter } from './stats.js';
import type { EntityStore } from './store.js';

export const MAX_BATCH = 100;

export interface BatchDeps {
  store: EntityStore;
  odata: ODataService;
  faults: Faults;
  stats: StatsCounter;
  now: () => number;
  ramLimitMb: number;
  /** false when the daily call limit rejects the call (only in 'reject' mode). */
  countCall: () => boolean;
  expireSessions: () => void;
}

interface SubRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  atomicityGroup?: string;
}

interface SubResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  atomicityGroup?: string;
}

export interface BatchResult {
  reply: Reply;
  /** Extra time injected faults asked for, applied once the whole batch is answered. */
  delayMs: number;
}

export function handleBatch(
  contentType: string | undefined,
  prefer: string | undefined,
  body: unknown,
  bodyInvalid: boolean,
  rootPath: string,
  rootUrl: string,
  actor: Actor,
  deps: BatchDeps,
): BatchResult {
  if (contentType && /^multipart\/mixed/i.test(contentType))
    return {
      reply: errorReply(notModelled('multipart/mixed $batch; send the JSON batch format')),
      delayMs: 0,
    };
  if (!contentType || !/^application\/json\b/i.test(contentType))
    return {
      reply: errorReply(new ODataError(415, 'A $batch request must be application/json.')),
      delayMs: 0,
    };
  let requests: SubRequest[];
  try {
    requests = validate(body, bodyInvalid);
  } catch (e) {
    return { reply: errorReply(e as ODataError), delayMs: 0 };
  }
  deps.stats.batch(requests.length);
  const continueOnError = /(^|[\s,;])(odata\.)?continue-on-error(\s*=\s*true)?\s*($|[,;])/i.test(
    prefer ?? '',
  );
  const responses: SubResponse[] = [];
  let delayMs = 0;

  const runOne = (r: SubRequest): SubResponse => {
    const withinLimit = deps.countCall();
    let target: { path: string; query: string };
    try {
      target = splitUrl(r.url, rootPath, rootUrl);
    } catch (e) {
      return toSubResponse(r, errorReply(e as ODataError));
    }
    const { path, query } = target;
    let reply: Reply | undefined;
    const fault = deps.faults.take(r.method, `${rootPath}/${path}`);
    if (fault) {
      deps.stats.bump('faultsInjected');
      delayMs += fault.delayMs ?? 0;
      if (fault.expireSessions) deps.expireSessions();
      reply = faultReply(fault, () => ramLimitError(deps.ramLimitMb));
    }
    if (!reply && !withinLimit) reply = errorReply(dailyLimitError());
    if (!reply && path.replace(/\/+$/, '') === '$batch')
      reply = errorReply(badRequest('A $batch request cannot be nested.'));
    if (!reply) {
      const sub: ODataRequest = {
        method: r.method,
        path,
        query,
        contentType: r.headers['content-type'] ?? (r.body !== undefined ? 'application/json' : undefined),
        body: r.body,
        prefer: r.headers.prefer,
      };
      reply = deps.odata.handle(sub, rootUrl, actor);
    }
    return toSubResponse(r, reply);
  };

  let i = 0;
  while (i < requests.length) {
    const r = requests[i]!;
    if (r.atomicityGroup === undefined) {
      const res = runOne(r);
      responses.push(res);
      i++;
      if (res.status >= 400 && !continueOnError) break;
      continue;
    }
    // A change set: the adjacent requests sharing the group either all apply or none does.
    const group: SubRequest[] = [];
    while (i < requests.length && requests[i]!.atomicityGroup === r.atomicityGroup)
      group.push(requests[i++]!);
    const sp = deps.store.savepoint();
    const groupResponses: SubResponse[] = [];
    let failedAt = -1;
    for (let g = 0; g < group.length; g++) {
      const res = runOne(group[g]!);
      groupResponses.push(res);
      if (res.status >= 400) {
        failedAt = g;
        break;
      }
    }
    if (failedAt < 0) {
      deps.store.release();
      responses.push(...groupResponses);
      continue;
    }
    deps.store.rollback(sp);
    for (let g = 0; g < group.length; g++) {
      responses.push(g === failedAt ? groupResponses[g]! : failedDependency(group[g]!, r.atomicityGroup));
    }
    if (!continueOnError) break;
  }
  const headers: Record<string, string> = { 'OData-Version': '4.0' };
  if (continueOnError) headers['Preference-Applied'] = 'continue-on-error';
  return { reply: jsonReply(200, { responses }, headers), delayMs };
}

function validate(body: unknown, bodyInvalid: boolean): SubRequest[] {
  if (bodyInvalid) throw badRequest('The $batch body is not valid JSON.');
  const reqs = (body as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(reqs)) throw badRequest('A JSON $batch body must be an object with a "requests" array.');
  if (reqs.length > MAX_BATCH)
    throw badRequest(
      `The batch request contains ${reqs.length} sub-requests; at most ${MAX_BATCH} are allowed.`,
    );
  const seen = new Set<string>();
  const groupsClosed = new Set<string>();
  let lastGroup: string | undefined;
  return reqs.map((raw, n) => {
    if (typeof raw !== 'object' || raw === null) throw badRequest(`Sub-request ${n} is not a JSON object.`);
    const o = raw as Record<string, unknown>;
    const id = o.id === undefined ? String(n + 1) : String(o.id);
    if (seen.has(id)) throw badRequest(`The sub-request id '${id}' is used twice.`);
    seen.add(id);
    if (typeof o.method !== 'string' || !/^(GET|POST|PATCH|PUT|DELETE)$/i.test(o.method))
      throw badRequest(`Sub-request '${id}' needs a method of GET, POST, PATCH, PUT or DELETE.`);
    if (typeof o.url !== 'string' || o.url === '') throw badRequest(`Sub-request '${id}' needs a url.`);
    if (o.url.startsWith('$') && !o.url.startsWith('$metadata'))
      throw notModelled(`references to other sub-requests ('${o.url}') in $batch`);
    const headers: Record<string, string> = {};
    if (o.headers !== undefined) {
      if (typeof o.headers !== 'object' || o.headers === null)
        throw badRequest(`Sub-request '${id}' has invalid headers.`);
      for (const [k, v] of Object.entries(o.headers)) headers[k.toLowerCase()] = String(v);
    }
    const group = o.atomicityGroup === undefined ? undefined : String(o.atomicityGroup);
    if (group !== lastGroup && lastGroup !== undefined) groupsClosed.add(lastGroup);
    if (group !== undefined && groupsClosed.has(group))
      throw badRequest(`The requests of atomicityGroup '${group}' must be adjacent.`);
    lastGroup = group;
    const sub: SubRequest = { id, method: o.method.toUpperCase(), url: o.url, headers, body: o.body };
    if (group !== undefined) sub.atomicityGroup = group;
    return sub;
  });
}

/** Accepts URLs relative to the OData root, root-relative paths and absolute URLs on this host. */
function splitUrl(url: string, rootPath: string, rootUrl: string): { path: string; query: string } {
  let rel = url;
  if (rel.startsWith(rootUrl)) rel = rel.slice(rootUrl.length);
  else if (/^https?:\/\//i.test(rel)) {
    let u: URL;
    try {
      u = new URL(rel);
    } catch {
      throw badRequest(`The sub-request url '${url}' is not a valid URL.`);
    }
    rel = u.pathname.slice(rootPath.length) + u.search;
  } else if (rel.startsWith(`${rootPath}/`)) rel = rel.slice(rootPath.length);
  rel = rel.replace(/^\/+/, '');
  const q = rel.indexOf('?');
  const rawPath = q < 0 ? rel : rel.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    path = rawPath;
  }
  return { path, query: q < 0 ? '' : rel.slice(q + 1) };
}

function toSubResponse(r: SubRequest, reply: Reply): SubResponse {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(reply.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
  const res: SubResponse = { id: r.id, status: reply.status, headers };
  if (reply.body !== undefined && reply.body !== '') {
    const ct = headers['content-type'] ?? '';
    res.body = ct.includes('json') ? JSON.parse(reply.body) : reply.body;
  }
  if (r.atomicityGroup !== undefined) res.atomicityGroup = r.atomicityGroup;
  return res;
}

function failedDependency(r: SubRequest, group: string | undefined): SubResponse {
  const e = new ODataError(
    424,
    `Failed dependency: another request of atomicityGroup '${group}' failed, so this one was not applied.`,
  );
  const res: SubResponse = {
    id: r.id,
    status: 424,
    headers: { 'content-type': 'application/json' },
    body: e.body(),
  };
  if (r.atomicityGroup !== undefined) res.atomicityGroup = r.atomicityGroup;
  return res;
}

export const dailyLimitError = (): ODataError =>
  new ODataError(
    429,
    'The daily limit of OData calls for this environment has been reached.',
    'Terrasoft.Common.LimitExceededException',
  );
