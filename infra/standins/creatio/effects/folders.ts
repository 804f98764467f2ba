// Static groups (reference §6.4). Membership deletes bump Contact.ModifiedOn with the acting user's
// local time written as if it were UTC (SRC ContactInFolderSchema.CrtBase.cs uses
// CurrentUser.GetCurrentDateTime() in a raw Update); inserts do not touch the Contact.
import { FOLDER_TYPE } from '../constants.js';
import type { SetHooks } from '../entities.js';
import { badRequest } from '../errors.js';

export const folderHooks: SetHooks = {
  saving(e) {
    if (e.next.FolderTypeId === null) e.next.FolderTypeId = FOLDER_TYPE.Static;
  },
};

export const membershipHooks: SetHooks = {
  saving(e, svc) {
    const folderId = e.next.FolderId;
    if (typeof folderId !== 'string' || !e.changed('FolderId')) return;
    const folder = svc.store.get('ContactFolder', folderId);
    if (folder?.FolderTypeId === FOLDER_TYPE.Dynamic)
      throw badRequest(
        `Records cannot be added to the dynamic folder '${String(folder.Name)}': its members come from its filter.`,
      );
  },

  deleted(row, svc, ctx) {
    if (typeof row.ContactId !== 'string') return;
    svc.rawUpdate('Contact', row.ContactId, {
      ModifiedOn: ctx.now + ctx.actor.timeZoneOffsetMinutes * 60_000,
    });
  },
};
