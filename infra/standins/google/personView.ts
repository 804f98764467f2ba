// What a person sees of a contact in the Google Contacts UI, read from its Person JSON: for the local
// stack's demo walk and for tests that look at Google as its user would.
import type { PersonJson } from './user.js';

/** Its email addresses, lower-cased. */
export const emailsOf = (p: PersonJson): string[] =>
  ((p.emailAddresses as { value: string }[] | undefined) ?? []).map((e) => e.value.toLowerCase());

/** The resource names of the contact groups it belongs to. */
export const groupsOf = (p: PersonJson): string[] =>
  ((p.memberships as { contactGroupMembership?: { contactGroupResourceName: string } }[] | undefined) ?? [])
    .map((m) => m.contactGroupMembership?.contactGroupResourceName ?? '')
    .filter(Boolean);

/** The job title of its first organization, or ''. */
export const titleOf = (p: PersonJson): string =>
  ((p.organizations as { title?: string }[] | undefined) ?? [])[0]?.title ?? '';
