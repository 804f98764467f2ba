// Values are fitted to the tighter of the two sides' limits before anything compares or writes them,
// so an oversized value never fails a write (and with it a batch), and both sides and the link hold
// the same fitted form: reading the long original again gives the fitted value, which is no edit.
// Lengths count UTF-16 code units (what SQL Server's nvarchar and JavaScript count); cuts fall on a
// grapheme boundary, so no surrogate pair or combining sequence is split. The figures and where they
// come from are listed in docs/contact-model.md ("Field lengths").
import type { Address, Contact } from './model.js';

/** Longest text per canonical field. */
export const TEXT_LIMITS = {
  /** Creatio `GivenName`, `Surname`, `MiddleName` (50 each keeps `Name`, their join, within 250). */
  name: 50,
  /** Creatio `JobTitle`, `Account.Name`, `Department.Name`. */
  text: 250,
  /** Creatio `Email` and `ContactCommunication.Number`; RFC 5321 allows 254. */
  email: 250,
  /** Creatio flat `Phone`, `MobilePhone`, `HomePhone`. */
  phone: 50,
  /** Creatio `ContactAddress.Address`. */
  street: 500,
  /** Creatio `City`, `Region`, `Country` names. */
  place: 250,
  /** Creatio `Zip`. */
  postalCode: 50,
  /** Google, reported per field (Creatio `Notes` is unlimited). */
  notes: 1024,
} as const;

/** Most items per list (Google reports 500 fields per contact; the split is ours). */
export const LIST_LIMITS = { emails: 20, phones: 20, addresses: 10 } as const;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest prefix of `s` within `max` UTF-16 units that ends on a grapheme boundary, trimmed. */
export function fitText(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = 0;
  for (const { segment } of segmenter.segment(s.slice(0, max + 1))) {
    if (end + segment.length > max) break;
    end += segment.length;
  }
  return s.slice(0, end).trimEnd();
}

const fitAddress = (a: Address): Address => ({
  type: a.type,
  street: fitText(a.street, TEXT_LIMITS.street),
  city: fitText(a.city, TEXT_LIMITS.place),
  region: fitText(a.region, TEXT_LIMITS.place),
  postalCode: fitText(a.postalCode, TEXT_LIMITS.postalCode),
  country: fitText(a.country, TEXT_LIMITS.place),
});

/**
 * Every text of the contact within both sides' limits. A too-long email is dropped rather than cut (a
 * cut address reaches someone else); every other text is cut. Lists are capped by `capLists` after
 * de-duplication (cut values can collide), so `normalizeContact` stays idempotent.
 */
export function fitContact(c: Contact): Contact {
  return {
    givenName: fitText(c.givenName, TEXT_LIMITS.name),
    familyName: fitText(c.familyName, TEXT_LIMITS.name),
    middleName: fitText(c.middleName, TEXT_LIMITS.name),
    emails: c.emails.filter((e) => e.address.length <= TEXT_LIMITS.email),
    phones: c.phones.map((p) => ({ ...p, number: fitText(p.number, TEXT_LIMITS.phone) })),
    company: fitText(c.company, TEXT_LIMITS.text),
    jobTitle: fitText(c.jobTitle, TEXT_LIMITS.text),
    department: fitText(c.department, TEXT_LIMITS.text),
    addresses: c.addresses.map(fitAddress),
    birthday: c.birthday,
    notes: fitText(c.notes, TEXT_LIMITS.notes),
  };
}

/** The first items of each list, up to its limit. */
export const capLists = (c: Contact): Contact => ({
  ...c,
  emails: c.emails.slice(0, LIST_LIMITS.emails),
  phones: c.phones.slice(0, LIST_LIMITS.phones),
  addresses: c.addresses.slice(0, LIST_LIMITS.addresses),
});
