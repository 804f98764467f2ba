// The canonical contact: the one shape both sides are mapped into, so the engine compares like with like.
// Empty means '' or []: no field is ever undefined, which keeps comparisons and merges total.
// Mapping rules per side are written down in docs/contact-model.md.

export type Side = 'crm' | 'google';
export const SIDES: readonly Side[] = ['crm', 'google'];
export const otherSide = (side: Side): Side => (side === 'crm' ? 'google' : 'crm');

export const EMAIL_TYPES = ['work', 'home', 'other'] as const;
export const PHONE_TYPES = ['mobile', 'work', 'home', 'main', 'fax', 'other'] as const;
export const ADDRESS_TYPES = ['work', 'home', 'other'] as const;

export type EmailType = (typeof EMAIL_TYPES)[number];
export type PhoneType = (typeof PHONE_TYPES)[number];
export type AddressType = (typeof ADDRESS_TYPES)[number];

export interface Email {
  address: string;
  type: EmailType;
}

export interface Phone {
  number: string;
  type: PhoneType;
}

export interface Address {
  type: AddressType;
  street: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

export interface Contact {
  givenName: string;
  familyName: string;
  middleName: string;
  /** The first email is the primary one. */
  emails: Email[];
  /** The first phone is the primary one. */
  phones: Phone[];
  company: string;
  jobTitle: string;
  department: string;
  addresses: Address[];
  /** `YYYY-MM-DD`, or `--MM-DD` when the year is unknown, or ''. */
  birthday: string;
  notes: string;
}

/** The fields the engine merges one by one; display name is derived, never merged. */
export const FIELDS = [
  'givenName',
  'familyName',
  'middleName',
  'emails',
  'phones',
  'company',
  'jobTitle',
  'department',
  'addresses',
  'birthday',
  'notes',
] as const satisfies readonly (keyof Contact)[];

export type Field = (typeof FIELDS)[number];
export type ListField = 'emails' | 'phones' | 'addresses';
export type TextField = Exclude<Field, ListField>;
export const LIST_FIELDS: readonly ListField[] = ['emails', 'phones', 'addresses'];
export const isListField = (f: Field): f is ListField => (LIST_FIELDS as readonly string[]).includes(f);

export const emptyContact = (): Contact => ({
  givenName: '',
  familyName: '',
  middleName: '',
  emails: [],
  phones: [],
  company: '',
  jobTitle: '',
  department: '',
  addresses: [],
  birthday: '',
  notes: '',
});

/** Display name as both sides show it: the name parts, else company, else the primary email. */
export function displayName(c: Contact): string {
  const parts = [c.givenName, c.middleName, c.familyName].filter((p) => p !== '');
  if (parts.length > 0) return parts.join(' ');
  return c.company || c.emails[0]?.address || c.phones[0]?.number || '';
}
