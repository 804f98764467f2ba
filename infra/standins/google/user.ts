// The human user editing contacts in the Google Contacts UI, and state inspection for tests.
// Every edit goes through the same operations as the API, so it rotates etags, stamps
// updateTime and shows up in sync results exactly like an API write.
import type { Clock } from './clock.js';
import { ApiError, invalidArgument, notFound } from './errors.js';
import { GROUP_FIELDS, PERSON_FIELDS, UPDATABLE_FIELDS } from './fields.js';
import {
  createGroup,
  createPerson,
  deleteGroup,
  deletePerson,
  getContact,
  getGroup,
  modifyMembers,
  updateGroup,
  updatePerson,
} from './ops.js';
import { parsePerson } from './person.js';
import { renderGroup, renderPerson, type Json } from './render.js';
import type { Store } from './store.js';

export type PersonJson = Record<string, unknown>;

export interface UserApi {
  createContact(email: string, person: PersonJson): Json;
  /** Replaces every field named in `fields` wholesale (an empty list clears it); no etag needed. */
  updateContact(email: string, resourceName: string, fields: PersonJson): Json;
  deleteContact(email: string, resourceName: string): void;
  getContact(email: string, resourceName: string): Json | undefined;
  /** All contacts with every field, memberships and metadata, oldest change first. */
  listContacts(email: string): Json[];
  createGroup(email: string, name: string, clientData?: { key: string; value: string }[]): Json;
  renameGroup(email: string, groupResourceName: string, name: string): Json;
  deleteGroup(email: string, groupResourceName: string, opts?: { deleteContacts?: boolean }): void;
  addToGroup(email: string, groupResourceName: string, personResourceNames: string | string[]): void;
  removeFromGroup(email: string, groupResourceName: string, personResourceNames: string | string[]): void;
  /** Every group with all fields and its full member list. */
  listGroups(email: string): Json[];
  getGroup(email: string, groupResourceName: string): Json | undefined;
  /** This account's contact limit instead of the `maxContacts` option (null: the option's). */
  setContactLimit(email: string, limit: number | null): void;
}

const ALL_GROUP = { fields: GROUP_FIELDS, maxMembers: Number.MAX_SAFE_INTEGER };

export function createUserApi(store: Store, clock: Clock): UserApi {
  const acc = (email: string) => store.account(email, clock.now());
  const list = (names: string | string[]): string[] => (Array.isArray(names) ? names : [names]);
  return {
    createContact(email, person) {
      return renderPerson(createPerson(acc(email), parsePerson(person), clock.now()), PERSON_FIELDS);
    },
    updateContact(email, resourceName, fields) {
      const a = acc(email);
      const input = parsePerson(fields);
      const mask = Object.keys(fields).filter((k) => (UPDATABLE_FIELDS as readonly string[]).includes(k));
      if (mask.length === 0) throw invalidArgument('Name at least one updatable field.');
      const p = updatePerson(a, getContact(a, resourceName), input, mask, clock.now());
      return renderPerson(p, PERSON_FIELDS);
    },
    deleteContact(email, resourceName) {
      const a = acc(email);
      deletePerson(a, getContact(a, resourceName), clock.now());
    },
    setContactLimit(email, limit) {
      acc(email).contactLimit = limit;
    },
    getContact(email, resourceName) {
      const p = acc(email).people.get(resourceName);
      return p ? renderPerson(p, PERSON_FIELDS) : undefined;
    },
    listContacts(email) {
      const a = acc(email);
      const out: Json[] = [];
      for (const rn of a.personChanges.keys()) {
        const p = a.people.get(rn);
        if (p) out.push(renderPerson(p, PERSON_FIELDS));
      }
      return out;
    },
    createGroup(email, name, clientData = []) {
      const g = createGroup(
        acc(email),
        name,
        clientData.map((c) => ({ ...c })),
        clock.now(),
      );
      return renderGroup(g, ALL_GROUP);
    },
    renameGroup(email, groupResourceName, name) {
      const a = acc(email);
      return renderGroup(
        updateGroup(a, getGroup(a, groupResourceName), { name }, ['name'], clock.now()),
        ALL_GROUP,
      );
    },
    deleteGroup(email, groupResourceName, opts = {}) {
      const a = acc(email);
      deleteGroup(a, getGroup(a, groupResourceName), opts.deleteContacts ?? false, clock.now());
    },
    addToGroup(email, groupResourceName, personResourceNames) {
      const a = acc(email);
      const r = modifyMembers(a, getGroup(a, groupResourceName), list(personResourceNames), [], clock.now());
      if (r.notFoundResourceNames.length > 0) throw notFound();
    },
    removeFromGroup(email, groupResourceName, personResourceNames) {
      const a = acc(email);
      const r = modifyMembers(a, getGroup(a, groupResourceName), [], list(personResourceNames), clock.now());
      if (r.notFoundResourceNames.length > 0) throw notFound();
      if (r.canNotRemoveLastContactGroupResourceNames.length > 0) {
        throw new ApiError(
          400,
          'FAILED_PRECONDITION',
          'Cannot remove a contact from its last contact group.',
        );
      }
    },
    listGroups(email) {
      return [...acc(email).groups.values()].map((g) => renderGroup(g, ALL_GROUP));
    },
    getGroup(email, groupResourceName) {
      const g = acc(email).groups.get(groupResourceName);
      return g ? renderGroup(g, ALL_GROUP) : undefined;
    },
  };
}
