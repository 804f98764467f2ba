// The floor: the fewest requests the documented APIs allow for the work a run had to do, whatever
// the product's own design. Each term cites the limit it comes from; the derivation, with worked
// figures, is in docs/benchmark.md. Creatio references: ../shared/reference/creatio-odata.md;
// Google: ../shared/reference/google-people-api.md.
export interface Work {
  createGoogle: number;
  createCrm: number;
  updateGoogle: number;
  updateCrm: number;
  groupGoogle: number;
  groupCrm: number;
  /** People in the Google account listed in full (0: an incremental read). */
  googleListed: number;
  /** Google people changed since the sync token (an incremental read). */
  googleChanged?: number;
  /** The full listing follows a refused (expired) sync token: that refusal is a request too. */
  googleTokenExpired?: boolean;
  /** The group's id must be found first (a first sync): one contactGroups.list page. */
  googleGroupLookup?: boolean;
  /** Creates Google refused because the account is full (no contact written). */
  googleRefused?: number;
  /** Members of the CRM static group. */
  crmMembers: number;
  /** The members' contact data is read in full (first sync, 24-hour full read). */
  crmFullRead: boolean;
  /**
   * Contacts whose detail rows (ContactCommunication, ContactAddress) must be read: every member a
   * first read knows nothing of, the contacts changed since the watermark, and on a 24-hour full read
   * those holding rows whose deletion leaves no trace in ModifiedOn (a second email, any address).
   */
  crmRowsRead?: number;
  /** Contacts changed in the CRM since the watermark (an incremental read). */
  crmChanged?: number;
  /** Emails looked up in the CRM to pair Google newcomers. */
  crmLookups: number;
}

const pages = (n: number, size: number) => Math.ceil(n / size);

// ---- Google (People API) ----
/** connections.list pageSize ≤ 1,000 (reference §2). */
const GOOGLE_PAGE = 1000;
/** batchCreateContacts / batchUpdateContacts ≤ 200 contacts a call (reference §2). */
const GOOGLE_WRITE = 200;
/** contactGroups.members.modify ≤ 1,000 names a call (reference §2). */
const GOOGLE_MEMBERSHIP = 1000;

export function minimumGoogle(w: Work): number {
  // A read: every page of a full listing, or the changes since the token (one page at least: the
  // API tells "nothing changed" only by being asked). An expired token is learnt by its refusal.
  const reads =
    w.googleListed > 0
      ? pages(w.googleListed, GOOGLE_PAGE) + (w.googleTokenExpired ? 1 : 0)
      : Math.max(1, pages(w.googleChanged ?? 0, GOOGLE_PAGE));
  // Whether a full account has room again is learnt only by trying: one create call per run.
  const refused = (w.googleRefused ?? 0) > 0 ? 1 : 0;
  return (
    reads +
    (w.googleGroupLookup ? 1 : 0) +
    pages(w.createGoogle, GOOGLE_WRITE) +
    pages(w.updateGoogle, GOOGLE_WRITE) +
    pages(w.groupGoogle, GOOGLE_MEMBERSHIP) +
    refused
  );
}

// ---- Creatio (OData 4; every plain request and every $batch sub-request is one billed call) ----
/** A reply holds at most 20,000 records (reference §3). */
const CRM_PAGE = 20_000;
/**
 * Emails per lookup query: a filter names each one (`Email eq '…' or …`; `in` is not documented),
 * and a URL carries about 100 of them within the query-string limits of Creatio's web servers.
 * A $batch does not help: each sub-request is billed.
 */
const CRM_FILTER = 100;
/**
 * A new contact: one POST of the Contact with its flat columns (Email, Phone, MobilePhone, HomePhone,
 * the address columns, BirthDate), which Creatio mirrors into ContactCommunication, ContactAddress and
 * ContactAnniversary rows unbilled (reference §6.1), then one ContactInFolder insert. The benchmark's
 * contacts carry one email and one phone, both flat.
 */
const CRM_CALLS_PER_NEW_CONTACT = 2;
/**
 * A contact's rows beside those its flat columns mirror (a second email, a fax, a second address)
 * show nowhere on the Contact, and no filter reaches the rows of a folder's contacts: whether
 * `$expand` works on the collection navigations is unknown (reference §3), whose advice is to query
 * each detail set by ContactId. So: one ContactCommunication and one ContactAddress query per 100
 * contacts, each named in the filter as the emails are.
 */
const CRM_ROW_SETS = 2;

export function minimumCrm(w: Work): number {
  // The member list: ContactInFolder filtered by the folder, 20,000 rows a page (the only way to see a
  // member leave: Creatio keeps no tombstones). The listing ends at a page shorter than asked: Creatio
  // gives no @odata.nextLink (§3), and stopping at a `$count` taken on the first page would miss a
  // member behind a concurrent insert or delete, and a member missed reads as one who left. So
  // ⌊members ÷ 20,000⌋ + 1 pages: 100,000 members take a sixth, empty one. The pages take each
  // member's Contact along ($expand of the ContactInFolder.Contact lookup): its columns on a full
  // read, its ModifiedOn otherwise, which a communication row's save stamps too (§6.2).
  const members = Math.floor(w.crmMembers / CRM_PAGE) + 1;
  // Otherwise what the contacts' ModifiedOn does not show: address rows changed since the
  // watermark (an address save is not known to stamp its contact), one query, paged.
  const changes = w.crmFullRead ? 0 : Math.max(1, pages(w.crmChanged ?? 0, CRM_PAGE));
  const rows = CRM_ROW_SETS * pages(w.crmRowsRead ?? 0, CRM_FILTER);
  return (
    members +
    changes +
    rows +
    pages(w.crmLookups, CRM_FILTER) +
    w.createCrm * CRM_CALLS_PER_NEW_CONTACT +
    // One PATCH of the flat columns per changed contact.
    w.updateCrm +
    // One ContactInFolder insert or delete per membership.
    w.groupCrm
  );
}
