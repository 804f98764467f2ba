// node:http plumbing: body reading, routing by path, latency and faults, auth, and writing replies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loginPage, type AuthState } from './auth.js';
import { dailyLimitError, handleBatch, type BatchDeps } from './batch.js';
import { sleep } from './clock.js';
import { ODataError, badRequest, notModelled, ramLimitError } from './errors.js';
import { faultReply, type Faults } from './faults.js';
import type { ODataService } from './odata.js';
import { emptyReply, errorReply, jsonReply, textReply, type Reply } from './reply.js';
import type { StatsCounter } from './stats.js';

export interface HttpDeps {
  auth: AuthState;
  odata: ODataService;
  faults: Faults;
  stats: StatsCounter;
  batch: Omit<BatchDeps, 'stats' | 'faults' | 'odata'>;
  latencyMs: number;
  ramLimitMb: number;
  /** Daily limit exceeded and configured to reject: answer 429 (our assumption; Creatio's cap is soft). */
  rejectOverLimit: boolean;
  now: () => number;
}

const MAX_BODY = 32 * 1024 * 1024;
const ODATA_ROOT = /^\/(?:0\/)?odata(?=\/|$)/i;
const AUTH_SERVICE = /^\/ServiceModel\/AuthService\.svc\/([^/]*)$/i;

export function createHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // The Date header follows the stand-in clock, as a real server's follows its own: clients take
    // their change watermark from it.
    const dated = (reply: Reply): Reply => ({
      ...reply,
      headers: { Date: new Date(deps.now()).toUTCString(), ...reply.headers },
    });
    handle(deps, req)
      .then((reply) => write(res, dated(reply)))
      .catch((e: unknown) => {
        const err =
          e instanceof ODataError
            ? e
            : new ODataError(500, `Internal error in the Creatio stand-in: ${(e as Error).message}`);
        write(res, dated(errorReply(err)));
      });
  };
}

async function handle(deps: HttpDeps, req: IncomingMessage): Promise<Reply> {
  deps.stats.bump('total');
  const raw = await readBody(req);
  const method = (req.method ?? 'GET').toUpperCase();
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  let path: string;
  try {
    path = decodeURIComponent(q < 0 ? url : url.slice(0, q));
  } catch {
    return errorReply(badRequest('The request path is not correctly percent-encoded.'));
  }
  const query = q < 0 ? '' : url.slice(q + 1);

  const fault = deps.faults.take(method, path);
  if (fault) {
    deps.stats.bump('faultsInjected');
    if (fault.expireSessions) deps.auth.expireAll();
  }
  await sleep(deps.latencyMs + (fault?.delayMs ?? 0));
  const injected = fault && faultReply(fault, () => ramLimitError(deps.ramLimitMb));
  if (injected) return injected;
  if (raw === undefined) return textReply(413, 'Request entity too large');

  const auth = AUTH_SERVICE.exec(path);
  if (auth) return authService(deps, method, auth[1]!, raw, req);
  if (/^\/connect\/token$/i.test(path)) {
    if (method !== 'POST') return emptyReply(405, { Allow: 'POST' });
    const reply = deps.auth.token(req.headers['content-type'], raw, req.headers.authorization);
    deps.stats.bump(reply.status === 200 ? 'token' : 'tokenFailed');
    return reply;
  }
  if (/^(\/0)?\/\.well-known\/openid-configuration$/i.test(path)) return discovery(req);
  if (/^\/Login\/NuiLogin\.aspx$/i.test(path)) return loginPage();
  if (/^\/0\/ServiceModel\/EntityDataService\.svc/i.test(path))
    return errorReply(
      notModelled('the OData 3 service (EntityDataService.svc); use the OData 4 root /0/odata'),
    );
  const root = ODATA_ROOT.exec(path);
  if (root)
    return odata(deps, req, method, root[0], path.slice(root[0].length).replace(/^\//, ''), query, raw);
  return textReply(404, 'Not found');
}

function authService(deps: HttpDeps, method: string, op: string, raw: string, req: IncomingMessage): Reply {
  const name = op.toLowerCase();
  // Any other AuthService method name is refused with 403 (reference §2.1).
  if (name !== 'login' && name !== 'logout') return emptyReply(403);
  if (method !== 'POST') return emptyReply(405, { Allow: 'POST' });
  if (name === 'logout') return deps.auth.logout(req.headers);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    deps.stats.bump('loginFailed');
    return textReply(400, 'The request body is not valid JSON.');
  }
  const reply = deps.auth.login(body);
  const ok = reply.body !== undefined && (JSON.parse(reply.body) as { Code: number }).Code === 0;
  deps.stats.bump(ok ? 'login' : 'loginFailed');
  return reply;
}

function odata(
  deps: HttpDeps,
  req: IncomingMessage,
  method: string,
  rootPath: string,
  rest: string,
  query: string,
  raw: string,
): Reply | Promise<Reply> {
  const originalUrl = req.url ?? '/';
  const auth = deps.auth.authenticate(req.headers, originalUrl);
  if (!auth.ok) {
    deps.stats.bump('unauthorized');
    return auth.reply;
  }
  const rootUrl = `http://${req.headers.host ?? '127.0.0.1'}${rootPath}`;
  let body: unknown;
  let bodyInvalid = false;
  if (raw !== '') {
    try {
      body = JSON.parse(raw);
    } catch {
      bodyInvalid = true;
    }
  }
  const contentType = req.headers['content-type'];
  if (rest.replace(/\/+$/, '') === '$batch') {
    if (method !== 'POST') return errorReply(new ODataError(405, 'A $batch request must be POST.'));
    const prefer = [req.headers.prefer ?? ''].flat().join(', ');
    const result = handleBatch(contentType, prefer, body, bodyInvalid, rootPath, rootUrl, auth.actor, {
      ...deps.batch,
      stats: deps.stats,
      faults: deps.faults,
      odata: deps.odata,
    });
    return sleep(result.delayMs).then(() => result.reply);
  }
  const withinLimit = deps.stats.apiCall(deps.now());
  if (!withinLimit && deps.rejectOverLimit) return errorReply(dailyLimitError());
  const prefer = [req.headers.prefer ?? ''].flat().join(', ');
  return deps.odata.handle(
    { method, path: rest, query, contentType, body, bodyInvalid, prefer },
    rootUrl,
    auth.actor,
  );
}

function discovery(req: IncomingMessage): Reply {
  const base = `http://${req.headers.host ?? '127.0.0.1'}`;
  return jsonReply(200, {
    issuer: base,
    token_endpoint: `${base}/connect/token`,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    response_types_supported: ['token'],
  });
}

/** Reads the body as UTF-8; undefined when it exceeds the size bound. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooBig ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  res.statusCode = reply.status;
  for (const [k, v] of Object.entries(reply.headers)) res.setHeader(k, v);
  if (reply.body !== undefined && reply.status !== 204 && reply.status !== 304) {
    res.setHeader('Content-Length', Buffer.byteLength(reply.body));
    res.end(reply.body);
  } else res.end();
}
