// What the stack prints about itself: where everything listens, how to call it, and which variables
// change it. The API key appears once, on its own line, elsewhere; nothing here is a secret.
import { TOPICS } from '../deploy/names.js';
import type { Emulators } from './stack-emulators.js';
import type { ServedFunctions } from './stack-functions.js';
import { FUNCTION_NAMES } from '../../functions/index.js';

export interface BannerInfo {
  projectId: string;
  emulators: Emulators;
  /** null: the real Google. */
  google: { url: string } | null;
  creatio: { url: string; real: boolean };
  fn: ServedFunctions;
  routes: string[];
  keyNote: string;
  tickSeconds: number;
}

export function bannerLines(b: BannerInfo): string[] {
  const { firestore, pubsub } = b.emulators;
  const impl = (i: string) =>
    i === 'gcloud' ? 'gcloud emulator' : 'npm fallback, no concurrent transactions';
  return [
    '',
    'Contact sync: the local stack',
    `  Firestore        ${firestore.host} (${impl(firestore.implementation)}), project ${b.projectId}`,
    `  Pub/Sub          ${pubsub ? `${pubsub.host} (gcloud emulator), topics ${TOPICS.tick}, ${TOPICS.user}` : 'none: in-process delivery'}`,
    b.google
      ? `  Google           ${b.google.url} (People API + OAuth stand-in; its consent agrees at once, reached through a connect link)`
      : '  Google           the real People API and OAuth (GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET)',
    b.creatio.real
      ? `  Creatio          ${b.creatio.url} (real, CREATIO_URL)`
      : `  Creatio          ${b.creatio.url} (OData 4 stand-in, no UI of its own: see its data through the pages)`,
    `  Functions        ${b.fn.base}/<name> (functions-framework, one server routing by path)`,
    ...FUNCTION_NAMES.map((n) => `    ${n.padEnd(14)} ${b.fn.url(n)}`),
    ...b.routes.map((r) => `  Delivery         ${r}`),
    `  Scheduler        a local tick per tenant every ${b.tickSeconds} s (--tick-seconds)`,
    `  Encryption key   ${b.keyNote}`,
    '',
  ];
}

export function signInLines(
  fn: ServedFunctions,
  tenantId: string,
  userId: string,
  links: { user: string; admin: string },
): string[] {
  return [
    'Open the pages in a browser (each link works once, within 10 minutes):',
    `  ${userId.padEnd(24)} ${links.user}`,
    `  ${'tenant admin'.padEnd(24)} ${links.admin}`,
    'A fresh link, as the CRM asks for one:',
    `  curl -s -X POST ${fn.url('pages')}/signin-link -H "Authorization: Bearer $API_KEY" \\`,
    `    -H 'Content-Type: application/json' -d '{"tenantId":"${tenantId}","userId":"${userId}"}'`,
    '',
  ];
}

export function curlLines(fn: ServedFunctions, tenantId: string, userId: string): string[] {
  const q = `tenantId=${tenantId}&userId=${userId}`;
  return [
    'Try it (set API_KEY to the key printed above):',
    `  curl -s -X POST ${fn.url('syncNow')} -H "Authorization: Bearer $API_KEY" \\`,
    `    -H 'Content-Type: application/json' -d '{"tenantId":"${tenantId}","userId":"${userId}"}'`,
    `  curl -s "${fn.url('syncStatus')}?${q}" -H "Authorization: Bearer $API_KEY"`,
    `  curl -s "${fn.url('syncSettings')}?${q}" -H "Authorization: Bearer $API_KEY"`,
  ];
}

export function tenantCliLines(
  projectId: string,
  firestoreHost: string,
  keyFile: string | undefined,
  creatioUrl: string,
): string[] {
  const key = keyFile
    ? `TOKEN_ENCRYPTION_KEY="$(cat ${keyFile})"`
    : 'TOKEN_ENCRYPTION_KEY (as set in your environment)';
  return [
    'More tenants on this stack (they tick too):',
    `  FIRESTORE_EMULATOR_HOST=${firestoreHost} GOOGLE_CLOUD_PROJECT=${projectId} ${key} \\`,
    `    CREATIO_PASSWORD=… npm run tenant -- add --tenant acme --creatio-url ${creatioUrl} --creatio-user Supervisor`,
  ];
}
