// Which Google and which Creatio the local stack talks to: the stand-ins, or real services named in the
// environment. Checked before anything starts; an incomplete set names the missing variables and
// never echoes a value (most of them are secrets).
import type { CreatioAuthInput } from '../deploy/tenantArgs.js';
import { UsageError, httpUrl } from '../deploy/validate.js';

export type GoogleTarget =
  | { kind: 'standin' }
  /** The variables handed to the functions as they are (the defaults are Google's real endpoints). */
  | { kind: 'real'; env: Record<string, string> };

export type CreatioTarget =
  { kind: 'standin' } | { kind: 'real'; url: string; auth: CreatioAuthInput; groupId: string };

export interface Targets {
  google: GoogleTarget;
  creatio: CreatioTarget;
  /** Why a variable that was set is not used. */
  notes: string[];
}

const GOOGLE_PASSTHROUGH = [
  'GOOGLE_CLIENT_ID',
  'GOOGLE_CLIENT_SECRET',
  'GOOGLE_PEOPLE_API_URL',
  'GOOGLE_OAUTH_AUTH_URL',
  'GOOGLE_OAUTH_TOKEN_URL',
  'GOOGLE_OAUTH_REVOKE_URL',
];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
  } catch {
    return false;
  }
}

const set = (env: Record<string, string | undefined>, name: string): string | undefined =>
  env[name]?.trim() || undefined;

function missing(what: string, names: string[]): never {
  throw new UsageError(`${what}: set ${names.join(', ')}`);
}

export function chooseTargets(env: Record<string, string | undefined>): Targets {
  const notes: string[] = [];
  return { google: googleTarget(env, notes), creatio: creatioTarget(env), notes };
}

function googleTarget(env: Record<string, string | undefined>, notes: string[]): GoogleTarget {
  const id = set(env, 'GOOGLE_CLIENT_ID');
  const secret = set(env, 'GOOGLE_CLIENT_SECRET');
  const people = set(env, 'GOOGLE_PEOPLE_API_URL');
  if (!id && !secret) return { kind: 'standin' };
  // A People API URL on loopback is a stand-in someone else started: ours is the better choice.
  if (people && isLoopback(people)) {
    notes.push('GOOGLE_PEOPLE_API_URL points at loopback: the built-in Google stand-in is used instead');
    return { kind: 'standin' };
  }
  if (!id || !secret)
    missing('real Google needs both OAuth client variables', [
      !id ? 'GOOGLE_CLIENT_ID' : 'GOOGLE_CLIENT_SECRET',
    ]);
  const passed: Record<string, string> = {};
  for (const name of GOOGLE_PASSTHROUGH) {
    const v = set(env, name);
    if (v === undefined) continue;
    if (name.endsWith('_URL')) httpUrl(v, name);
    passed[name] = v;
  }
  return { kind: 'real', env: passed };
}

function creatioTarget(env: Record<string, string | undefined>): CreatioTarget {
  const url = set(env, 'CREATIO_URL');
  if (!url) {
    const stray = ['CREATIO_USER', 'CREATIO_CLIENT_ID', 'CREATIO_GROUP_ID'].filter((n) => set(env, n));
    if (stray.length > 0) missing(`${stray.join(', ')} given without the Creatio site`, ['CREATIO_URL']);
    return { kind: 'standin' };
  }
  httpUrl(url, 'CREATIO_URL');
  const groupId = set(env, 'CREATIO_GROUP_ID');
  if (!groupId)
    missing('real Creatio needs the static group to sync (a ContactFolder Id)', ['CREATIO_GROUP_ID']);
  if (!GUID.test(groupId)) throw new UsageError('CREATIO_GROUP_ID must be a ContactFolder Id (a GUID)');
  const user = set(env, 'CREATIO_USER');
  const clientId = set(env, 'CREATIO_CLIENT_ID');
  if (user && clientId)
    throw new UsageError('set CREATIO_USER (with CREATIO_PASSWORD) or CREATIO_CLIENT_ID, not both');
  if (user) {
    const password = env.CREATIO_PASSWORD;
    if (!password) missing('CREATIO_USER needs its password', ['CREATIO_PASSWORD']);
    return { kind: 'real', url, groupId, auth: { mode: 'cookie', userName: user, password } };
  }
  if (clientId) {
    const clientSecret = set(env, 'CREATIO_CLIENT_SECRET');
    const tokenUrl = set(env, 'CREATIO_TOKEN_URL');
    const absent = [
      ...(clientSecret ? [] : ['CREATIO_CLIENT_SECRET']),
      ...(tokenUrl ? [] : ['CREATIO_TOKEN_URL']),
    ];
    if (!clientSecret || !tokenUrl) missing('CREATIO_CLIENT_ID needs', absent);
    httpUrl(tokenUrl, 'CREATIO_TOKEN_URL');
    return { kind: 'real', url, groupId, auth: { mode: 'oauth', clientId, clientSecret, tokenUrl } };
  }
  return missing('real Creatio needs credentials', [
    'CREATIO_USER + CREATIO_PASSWORD',
    'or CREATIO_CLIENT_ID + CREATIO_CLIENT_SECRET + CREATIO_TOKEN_URL',
  ]);
}
