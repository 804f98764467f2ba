// ContactCommunication events with feature CommonCommunicationsBehavior off, Creatio's default
// (reference §6.2; SRC ContactCommunication.CrtBase.cs, ContactCommunicationSchema.CrtBase.cs).
// `IsCreatedBySynchronization` is the column that really marks the primary row in this mode;
// `Primary` follows it on insert.
import { mirrorByType } from '../constants.js';
import type { EntityService, SetHooks } from '../entities.js';
import { schemaOf, type Value } from '../schema.js';

const SET = 'ContactCommunication';
const NUMBER = schemaOf(SET).byName.get('Number')!;

function demoteOthers(
  svc: EntityService,
  contactId: Value | undefined,
  typeId: Value | undefined,
  selfId: string,
): void {
  if (typeof contactId !== 'string') return;
  for (const r of svc.rowsBy(SET, 'ContactId', contactId)) {
    if (r.Id !== selfId && r.CommunicationTypeId === typeId && r.IsCreatedBySynchronization !== false)
      svc.rawUpdate(SET, r.Id as string, { IsCreatedBySynchronization: false });
  }
}

export const communicationHooks: SetHooks = {
  saving(e, svc) {
    const { prev, next } = e;
    const id = next.Id as string;
    if (prev && next.CommunicationTypeId !== prev.CommunicationTypeId) next.ExternalCommunicationType = '';
    const oldNumber = prev ? String(prev.Number) : '';
    const isNew = oldNumber === '' && next.Number !== oldNumber;
    if (isNew) {
      demoteOthers(svc, next.ContactId, next.CommunicationTypeId, id);
      next.IsCreatedBySynchronization = true;
    } else if (
      prev &&
      prev.CommunicationTypeId !== null &&
      prev.CommunicationTypeId !== next.CommunicationTypeId
    ) {
      demoteOthers(svc, next.ContactId, next.CommunicationTypeId, id);
      next.IsCreatedBySynchronization = true;
      const old = mirrorByType(prev.CommunicationTypeId as string);
      const contact =
        typeof next.ContactId === 'string' ? svc.store.get('Contact', next.ContactId) : undefined;
      if (old && contact && contact[old.column] === next.Number)
        svc.rawUpdate('Contact', contact.Id as string, { [old.column]: '' });
    }
    if (!isNew && e.changed('Primary')) next.IsCreatedBySynchronization = next.Primary === true;
    else if (isNew || e.changed('IsCreatedBySynchronization'))
      next.Primary = next.IsCreatedBySynchronization === true;
  },

  saved(row, _prev, svc, ctx) {
    const contactId = row.ContactId;
    if (typeof contactId !== 'string') return;
    const contact = svc.store.get('Contact', contactId);
    if (contact) {
      const patch: Record<string, Value> = { ModifiedOn: ctx.now };
      const m = mirrorByType(row.CommunicationTypeId as string | null);
      if (m && row.IsCreatedBySynchronization === true) {
        patch[m.column] = row.Number ?? '';
        if (m.social) patch[m.social] = row.SocialMediaId ?? '';
      }
      svc.rawUpdate('Contact', contactId, patch);
    }
    // Legacy mode removes same-type, same-number siblings after the save (database comparison rules).
    const key = svc.store.key(NUMBER, row.Number ?? '');
    for (const r of svc.rowsBy(SET, 'ContactId', contactId)) {
      if (r.Id === row.Id || r.CommunicationTypeId !== row.CommunicationTypeId) continue;
      if (svc.store.key(NUMBER, r.Number ?? '') === key) svc.rawDelete(SET, r.Id as string);
    }
  },

  deleted(row, svc, ctx) {
    // Only the row flagged primary touches the Contact; deleting any other row leaves ModifiedOn alone.
    if (row.IsCreatedBySynchronization !== true || typeof row.ContactId !== 'string') return;
    const contact = svc.store.get('Contact', row.ContactId);
    if (!contact) return;
    const patch: Record<string, Value> = { ModifiedOn: ctx.now };
    const m = mirrorByType(row.CommunicationTypeId as string | null);
    if (m && contact[m.column] === row.Number) {
      patch[m.column] = '';
      if (m.social) patch[m.social] = '';
    }
    svc.update('Contact', row.ContactId, patch, ctx);
  },
};
