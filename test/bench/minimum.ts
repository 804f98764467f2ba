// The fewest requests the APIs allow for the work a run had to do, from their documented limits:
// Google lists 1,000 people a page, writes 200 contacts a batch and 1,000 memberships a call;
// Creatio answers 20,000 rows a page, and a URL carries about 100 ids in one filter, so records known
// only by id cost one call per 100 per entity set (Contact, ContactCommunication, ContactAddress).
// Creatio bills every $batch sub-request, so each written row is one call.
export interface Work {
  createGoogle: number;
  createCrm: number;
  updateGoogle: number;
  updateCrm: number;
  groupGoogle: number;
  groupCrm: number;
  /** People in the Google account listed in full (0: an incremental read). */
  googleListed: number;
  googleIncremental: boolean;
  crmMembers: number;
  /** Members whose full records had to be read by id. */
  crmFullRead: number;
  /** Contacts changed in the CRM, read with their rows. */
  crmChanged?: number;
  /** Emails looked up in the CRM to pair Google newcomers. */
  crmLookups: number;
}

const pages = (n: number, size: number) => Math.ceil(n / size);
const SETS = 3;
const ROWS_PER_NEW_CONTACT = 4; // the contact, its email and phone rows, its membership

export function minimumGoogle(w: Work): number {
  const reads = w.googleIncremental ? 1 : pages(w.googleListed, 1000) + 1; // + the group lookup
  return reads + pages(w.createGoogle, 200) + pages(w.updateGoogle, 200) + pages(w.groupGoogle, 1000);
}

export function minimumCrm(w: Work): number {
  const members = Math.max(1, pages(w.crmMembers, 20_000));
  const changes = w.crmFullRead > 0 ? 0 : SETS; // what changed since the watermark, per set
  const byId = pages(w.crmFullRead, 100) * SETS + pages(w.crmChanged ?? 0, 100) * (SETS - 1);
  return (
    members +
    changes +
    byId +
    pages(w.crmLookups, 100) +
    w.createCrm * ROWS_PER_NEW_CONTACT +
    w.updateCrm +
    w.groupCrm
  );
}
