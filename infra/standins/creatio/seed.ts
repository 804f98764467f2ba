// Rows a fresh Creatio already has: the users' contacts and the lookup values of reference §6.
import type { UserDef } from './auth.js';
import {
  ADDRESS_TYPE,
  COMMUNICATION_TYPE,
  COMMUNICATION_TYPE_NAMES,
  COUNTRIES,
  FOLDER_TYPE,
  countryId,
  userContactId,
} from './constants.js';
import type { Actor, EntityService } from './entities.js';

export function seedReference(
  svc: EntityService,
  users: readonly UserDef[],
  actor: Actor,
  now: number,
): void {
  const ctx = { actor, now };
  for (const u of users) svc.insert('Contact', { Id: userContactId(u.userName), Name: u.userName }, ctx);
  for (const [key, id] of Object.entries(COMMUNICATION_TYPE))
    svc.insert(
      'CommunicationType',
      { Id: id, Name: COMMUNICATION_TYPE_NAMES[key as keyof typeof COMMUNICATION_TYPE] },
      ctx,
    );
  const folderTypeNames: Record<keyof typeof FOLDER_TYPE, string> = {
    Static: 'General',
    Dynamic: 'Dynamic',
    Favorite: 'Favorite',
  };
  for (const [key, id] of Object.entries(FOLDER_TYPE))
    svc.insert('FolderType', { Id: id, Name: folderTypeNames[key as keyof typeof FOLDER_TYPE] }, ctx);
  for (const [name, id] of Object.entries(ADDRESS_TYPE))
    svc.insert('AddressType', { Id: id, Name: name }, ctx);
  for (const name of COUNTRIES) svc.insert('Country', { Id: countryId(name), Name: name }, ctx);
}
