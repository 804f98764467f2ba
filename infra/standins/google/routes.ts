// Google's paths, each with the method name used by stats and faults and the RPC name Google
// reports in error metadata. People API paths keep the `:verb` suffixes of the REST mapping.
import type { Env } from './env.js';
import {
  authorize,
  jwks,
  openidConfiguration,
  pemCerts,
  revoke,
  token,
  tokenInfo,
  userInfo,
} from './oauth.js';
import {
  batchCreateContacts,
  batchDeleteContacts,
  batchGet,
  batchUpdateContacts,
  createContact,
  deleteContact,
  getPerson,
  searchContacts,
  updateContact,
} from './people.js';
import {
  batchGetGroups,
  createGroupHandler,
  deleteGroupHandler,
  getGroupHandler,
  listGroups,
  modifyMembersHandler,
  updateGroupHandler,
} from './groups.js';
import type { Route } from './http.js';
import { listConnections } from './sync.js';

const ID = '([^/:]+)';
const rpc = (service: string, method: string): string => `google.people.v1.${service}.${method}`;

export function buildRoutes(env: Env): Route[] {
  const people = (
    http: string,
    pattern: RegExp,
    api: string,
    kind: 'read' | 'write',
    method: string,
    handler: Route['handler'],
    service = 'PeopleService',
  ): Route => ({ http, pattern, api, kind, rpc: rpc(service, method), handler });
  const groups = (
    http: string,
    pattern: RegExp,
    api: string,
    kind: 'read' | 'write',
    method: string,
    handler: Route['handler'],
  ): Route => people(http, pattern, api, kind, method, handler, 'ContactGroupService');
  const oauth = (
    http: string | string[],
    pattern: RegExp,
    api: string,
    handler: Route['handler'],
  ): Route => ({
    http,
    pattern,
    api,
    kind: 'oauth',
    handler,
  });

  return [
    people(
      'GET',
      new RegExp(`^/v1/people/${ID}/connections$`),
      'connections.list',
      'read',
      'ListConnections',
      (rc, m) => listConnections(env, rc, m),
    ),
    people('GET', /^\/v1\/people:batchGet$/, 'people.getBatchGet', 'read', 'GetPeople', (rc) =>
      batchGet(env, rc),
    ),
    people('GET', /^\/v1\/people:searchContacts$/, 'people.searchContacts', 'read', 'SearchContacts', (rc) =>
      searchContacts(env, rc),
    ),
    people('POST', /^\/v1\/people:createContact$/, 'people.createContact', 'write', 'CreateContact', (rc) =>
      createContact(env, rc),
    ),
    people(
      'POST',
      /^\/v1\/people:batchCreateContacts$/,
      'people.batchCreateContacts',
      'write',
      'BatchCreateContacts',
      (rc) => batchCreateContacts(env, rc),
    ),
    people(
      'POST',
      /^\/v1\/people:batchUpdateContacts$/,
      'people.batchUpdateContacts',
      'write',
      'BatchUpdateContacts',
      (rc) => batchUpdateContacts(env, rc),
    ),
    people(
      'POST',
      /^\/v1\/people:batchDeleteContacts$/,
      'people.batchDeleteContacts',
      'write',
      'BatchDeleteContacts',
      (rc) => batchDeleteContacts(env, rc),
    ),
    people(
      'PATCH',
      new RegExp(`^/v1/people/${ID}:updateContact$`),
      'people.updateContact',
      'write',
      'UpdateContact',
      (rc, m) => updateContact(env, rc, m),
    ),
    people(
      'DELETE',
      new RegExp(`^/v1/people/${ID}:deleteContact$`),
      'people.deleteContact',
      'write',
      'DeleteContact',
      (rc, m) => deleteContact(env, rc, m),
    ),
    people('GET', new RegExp(`^/v1/people/${ID}$`), 'people.get', 'read', 'GetPerson', (rc, m) =>
      getPerson(env, rc, m),
    ),

    groups('GET', /^\/v1\/contactGroups$/, 'contactGroups.list', 'read', 'ListContactGroups', (rc) =>
      listGroups(env, rc),
    ),
    groups('POST', /^\/v1\/contactGroups$/, 'contactGroups.create', 'write', 'CreateContactGroup', (rc) =>
      createGroupHandler(env, rc),
    ),
    groups(
      'GET',
      /^\/v1\/contactGroups:batchGet$/,
      'contactGroups.batchGet',
      'read',
      'BatchGetContactGroups',
      (rc) => batchGetGroups(env, rc),
    ),
    groups(
      'POST',
      new RegExp(`^/v1/contactGroups/${ID}/members:modify$`),
      'contactGroups.members.modify',
      'write',
      'ModifyContactGroupMembers',
      (rc, m) => modifyMembersHandler(env, rc, m),
    ),
    groups(
      'GET',
      new RegExp(`^/v1/contactGroups/${ID}$`),
      'contactGroups.get',
      'read',
      'GetContactGroup',
      (rc, m) => getGroupHandler(env, rc, m),
    ),
    groups(
      'PUT',
      new RegExp(`^/v1/contactGroups/${ID}$`),
      'contactGroups.update',
      'write',
      'UpdateContactGroup',
      (rc, m) => updateGroupHandler(env, rc, m),
    ),
    groups(
      'DELETE',
      new RegExp(`^/v1/contactGroups/${ID}$`),
      'contactGroups.delete',
      'write',
      'DeleteContactGroup',
      (rc, m) => deleteGroupHandler(env, rc, m),
    ),

    oauth('GET', /^\/o\/oauth2(\/v2)?\/auth$/, 'oauth.authorize', (rc) => authorize(env, rc)),
    oauth('POST', /^\/(token|o\/oauth2\/token|oauth2\/v4\/token)$/, 'oauth.token', (rc) => token(env, rc)),
    oauth(['GET', 'POST'], /^\/(revoke|o\/oauth2\/revoke)$/, 'oauth.revoke', (rc) => revoke(env, rc)),
    oauth(['GET', 'POST'], /^\/(tokeninfo|oauth2\/v3\/tokeninfo)$/, 'oauth.tokeninfo', (rc) =>
      tokenInfo(env, rc),
    ),
    oauth(['GET', 'POST'], /^\/(v1\/userinfo|oauth2\/v3\/userinfo)$/, 'oauth.userinfo', (rc) =>
      userInfo(env, rc),
    ),
    oauth('GET', /^\/oauth2\/v3\/certs$/, 'oauth.certs', () => jwks(env)),
    oauth('GET', /^\/oauth2\/v1\/certs$/, 'oauth.certs', () => pemCerts(env)),
    oauth('GET', /^\/\.well-known\/openid-configuration$/, 'oauth.discovery', () => openidConfiguration(env)),
  ];
}
