// Saving a Contact (SRC Contact.CrtBase.cs, CommunicationSynchronizer.CrtBase.cs): derive the
// name, mirror changed flat communication columns into ContactCommunication, and copy the flat
// address into the primary ContactAddress.
import { BIRTHDAY_ANNIVERSARY_TYPE, MIRRORED_COLUMNS } from '../constants.js';
import type { EntityService, SetHooks, WriteCtx } from '../entities.js';
import type { Row } from '../schema.js';
import { joinName, splitName, type NameOrder } from './names.js';

const NAME_PARTS = ['Surname', 'GivenName', 'MiddleName'] as const;
const ADDRESS_COLUMNS = ['AddressTypeId', 'Address', 'CityId', 'RegionId', 'CountryId', 'Zip'] as const;

export function contactHooks(nameOrder: NameOrder): SetHooks {
  return {
    saving(e) {
      if (nameOrder === 'none') return;
      const nameChanged = e.changed('Name');
      const partsChanged = NAME_PARTS.some((p) => e.changed(p));
      if (nameChanged && partsChanged) return;
      const n = e.next;
      if (nameChanged) Object.assign(n, splitName(String(n.Name), nameOrder));
      else if (partsChanged)
        n.Name = joinName(
          { GivenName: String(n.GivenName), MiddleName: String(n.MiddleName), Surname: String(n.Surname) },
          nameOrder,
        );
    },
    saved(row, prev, svc, ctx) {
      for (const m of MIRRORED_COLUMNS) {
        if (!m.toCommunication) continue;
        const oldValue = prev ? String(prev[m.column]) : '';
        const newValue = String(row[m.column]);
        // Clearing a flat column leaves the detail rows alone (CommunicationSynchronizer handles new/changed only).
        if (newValue === oldValue || newValue === '') continue;
        createOrUpdateCommunication(svc, ctx, row.Id as string, m.typeId, newValue, oldValue);
      }
      if (ADDRESS_COLUMNS.some((c) => !prev || prev[c] !== row[c])) syncPrimaryAddress(svc, ctx, row);
      if ((prev?.BirthDate ?? null) !== row.BirthDate) syncBirthday(svc, ctx, row);
    },
  };
}

function createOrUpdateCommunication(
  svc: EntityService,
  ctx: WriteCtx,
  contactId: string,
  typeId: string,
  newValue: string,
  oldValue: string,
): void {
  const ofType = svc
    .rowsBy('ContactCommunication', 'ContactId', contactId)
    .filter((r) => r.CommunicationTypeId === typeId);
  const primaries = ofType.filter((r) => r.IsCreatedBySynchronization === true);
  let target: Row | undefined;
  if (primaries.length > 1) {
    const keep = primaries.some((r) => r.Number === newValue) ? newValue : oldValue;
    for (const r of primaries)
      if (r.Number !== keep)
        svc.rawUpdate('ContactCommunication', r.Id as string, { IsCreatedBySynchronization: false });
    target = primaries.find((r) => r.Number === keep) ?? primaries[0];
  } else {
    target = primaries[0];
  }
  const values = { Number: newValue, CommunicationTypeId: typeId, IsCreatedBySynchronization: true };
  if (target) svc.update('ContactCommunication', target.Id as string, values, ctx);
  else svc.insert('ContactCommunication', { ...values, ContactId: contactId }, ctx);
}

function syncPrimaryAddress(svc: EntityService, ctx: WriteCtx, contact: Row): void {
  if (ADDRESS_COLUMNS.every((c) => contact[c] === null || contact[c] === '')) return;
  const primary = svc
    .rowsBy('ContactAddress', 'ContactId', contact.Id as string)
    .filter((r) => r.Primary === true)
    .sort((a, b) => (a.CreatedOn as number) - (b.CreatedOn as number))[0];
  const lookups = ['AddressTypeId', 'CityId', 'RegionId', 'CountryId'] as const;
  if (primary) {
    const patch: Record<string, string> = {};
    for (const c of lookups)
      if (contact[c] !== null && contact[c] !== primary[c]) patch[c] = contact[c] as string;
    for (const c of ['Address', 'Zip'] as const)
      if (contact[c] !== primary[c]) patch[c] = contact[c] as string;
    if (Object.keys(patch).length > 0) svc.update('ContactAddress', primary.Id as string, patch, ctx);
    return;
  }
  const values: Record<string, string | boolean> = {
    ContactId: contact.Id as string,
    Primary: true,
    Address: contact.Address as string,
    Zip: contact.Zip as string,
  };
  for (const c of lookups) if (contact[c] !== null) values[c] = contact[c] as string;
  svc.insert('ContactAddress', values, ctx);
}

// BirthDate → the contact's Birthday ContactAnniversary (reference §6.1): updated in place, created if
// missing. Clearing BirthDate leaves the row (assumed, as clearing a flat communication column does).
function syncBirthday(svc: EntityService, ctx: WriteCtx, contact: Row): void {
  const date = contact.BirthDate;
  if (date === null || date === undefined || date === '') return;
  const row = svc
    .rowsBy('ContactAnniversary', 'ContactId', contact.Id as string)
    .find((r) => r.AnniversaryTypeId === BIRTHDAY_ANNIVERSARY_TYPE);
  if (row) {
    if (row.Date !== date) svc.update('ContactAnniversary', row.Id as string, { Date: date }, ctx);
    return;
  }
  svc.insert(
    'ContactAnniversary',
    { ContactId: contact.Id as string, AnniversaryTypeId: BIRTHDAY_ANNIVERSARY_TYPE, Date: date },
    ctx,
  );
}
