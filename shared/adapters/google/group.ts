// Find-or-create the sync group. Group names are unique per account, but a create whose answer was
// lost may still have happened, so every doubt is settled by listing again: never two groups.
import { SyncError } from '../../errors.js';
import { failureOf, type PeopleClient } from './client.js';
import { listGroupsSchema, groupSchema } from './schemas.js';

const MAX_GROUP_PAGES = 50;
const MAX_CREATE_ATTEMPTS = 3;

export async function findGroup(client: PeopleClient, name: string): Promise<string | null> {
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_GROUP_PAGES; page++) {
    const res = await client.call('contactGroups.list', 'read', listGroupsSchema, (o) =>
      client.api.contactGroups.list({ pageSize: 1000, groupFields: 'name,groupType', pageToken }, o),
    );
    const found = (res.contactGroups ?? []).find(
      (g) => g.groupType === 'USER_CONTACT_GROUP' && g.name === name,
    );
    if (found) return found.resourceName;
    if (!res.nextPageToken || res.nextPageToken === pageToken) return null;
    pageToken = res.nextPageToken;
  }
  throw new SyncError('bad-response', 'google contactGroups.list: too many pages', { side: 'google' });
}

export async function findOrCreateGroup(client: PeopleClient, name: string): Promise<string> {
  for (let attempt = 0; attempt < MAX_CREATE_ATTEMPTS; attempt++) {
    const existing = await findGroup(client, name);
    if (existing) return existing;
    try {
      const created = await client.call('contactGroups.create', 'create', groupSchema, (o) =>
        client.api.contactGroups.create({ requestBody: { contactGroup: { name } } }, o),
      );
      return created.resourceName;
    } catch (e) {
      // 409: someone (or our own earlier attempt) made it meanwhile. Unknown outcome: it may exist.
      const f = failureOf(e);
      const doubt = e instanceof SyncError && (e.kind === 'conflict' || e.kind === 'unavailable');
      if (!doubt || f === null) throw e;
    }
  }
  throw new SyncError('unavailable', 'google contact group: neither found nor created', { side: 'google' });
}

/** How many contacts the group holds now: one contactGroups.get that lists none of them. */
export async function memberCount(client: PeopleClient, group: string): Promise<number> {
  const res = await client.call('contactGroups.get', 'read', groupSchema, (o) =>
    client.api.contactGroups.get({ resourceName: group, maxMembers: 0, groupFields: 'memberCount' }, o),
  );
  return res.memberCount ?? 0;
}
