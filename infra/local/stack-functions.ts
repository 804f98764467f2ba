// The functions served by functions-framework, in this process, behind one loopback port that
// routes by the first path segment as cloudfunctions.net does (`/syncNow`, `/oauthCallback?...`).
// Each function gets the framework's own Express app (getTestServer), so body parsing, the Pub/Sub
// push conversion and CloudEvents decoding are the framework's, not ours.
import type { RequestListener, Server } from 'node:http';
import { createServer } from 'node:http';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { FUNCTION_NAMES } from '../../functions/index.js';
import type { FunctionName } from '../../functions/index.js';
import type { PortChoice } from './stack-options.js';
import { listen, onPort } from './stack-ports.js';

export interface ServedFunctions {
  /** http://127.0.0.1:PORT */
  base: string;
  url(name: FunctionName): string;
  close(): Promise<void>;
}

function frameworkApp(name: FunctionName): RequestListener {
  const [listener] = getTestServer(name).listeners('request');
  if (typeof listener !== 'function')
    throw new Error(`functions-framework gave no request handler for ${name}`);
  return listener as RequestListener;
}

export async function serveFunctions(
  choice: PortChoice,
  notice: (line: string) => void,
): Promise<ServedFunctions> {
  const apps = new Map<string, RequestListener>(FUNCTION_NAMES.map((n) => [n, frameworkApp(n)]));
  const server: Server = createServer((req, res) => {
    const raw = req.url ?? '/';
    const match = /^\/([A-Za-z]+)(\/[^?]*)?(\?.*)?$/.exec(raw);
    const target = match ? apps.get(match[1]!) : undefined;
    if (!match || !target) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { code: 'not-found', message: `functions: ${FUNCTION_NAMES.join(', ')}` } }),
      );
      return;
    }
    // The function sees the rest of the path, as behind Cloud Functions' own front end; a push
    // endpoint keeps its /projects/P/topics/T for the framework's Pub/Sub conversion.
    req.url = `${match[2] ?? '/'}${match[3] ?? ''}`;
    target(req, res);
  });
  // Pub/Sub pushes and polling reuse connections; a short keep-alive lets close() finish quickly.
  server.keepAliveTimeout = 2_000;
  const port = await onPort('functions', choice, (p) => listen(server, p), notice);
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    url: (name) => `${base}/${name}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
