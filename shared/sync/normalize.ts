// Normalisation makes equal data compare equal, so that formatting noise from either API is never
// mistaken for an edit (a phantom change burns quota and can overwrite a real edit).
import type { Address, Contact, Email, Field, Phone } from './model.js';
import { ADDRESS_TYPES, EMAIL_TYPES, FIELDS, PHONE_TYPES } from './model.js';
import { capLists, fitContact } from './fit.js';

/** Trim and collapse inner runs of spaces and tabs; keep line breaks in notes and streets. */
export function cleanText(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .trim();
}

export const emailKey = (address: string): string => cleanText(address).toLowerCase();

/**
 * E.164-ish comparison key: digits only, keeping a leading '+'; an international '00' prefix is read
 * as '+'. Without a known country we cannot add one, so "+1 555" and "555" stay different.
 */
export function phoneKey(number: string): string {
  const trimmed = cleanText(number);
  const digits = trimmed.replace(/\D/g, '');
  if (trimmed.startsWith('+')) return `+${digits}`;
  if (digits.startsWith('00') && digits.length > 4) return `+${digits.slice(2)}`;
  return digits;
}

export const addressKey = (a: Address): string =>
  [a.street, a.city, a.region, a.postalCode, a.country].map((p) => cleanText(p).toLowerCase()).join('|');

const oneOf = <T extends string>(allowed: readonly T[], value: string, fallback: T): T =>
  (allowed as readonly string[]).includes(value) ? (value as T) : fallback;

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (k === '' || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const normalizeEmail = (e: Email): Email => ({
  address: emailKey(e.address),
  type: oneOf(EMAIL_TYPES, e.type, 'other'),
});

const normalizePhone = (p: Phone): Phone => ({
  number: cleanText(p.number),
  type: oneOf(PHONE_TYPES, p.type, 'other'),
});

const normalizeAddress = (a: Address): Address => ({
  type: oneOf(ADDRESS_TYPES, a.type, 'other'),
  street: cleanText(a.street),
  city: cleanText(a.city),
  region: cleanText(a.region),
  postalCode: cleanText(a.postalCode),
  country: cleanText(a.country),
});

/** Accepts YYYY-MM-DD or --MM-DD with a real month and day; anything else is treated as absent. */
export function normalizeBirthday(s: string): string {
  const m = /^(\d{4}|-)-(\d{2})-(\d{2})$/.exec(cleanText(s));
  if (!m) return '';
  const [, year, month, day] = m as unknown as [string, string, string, string];
  const mm = Number(month);
  const dd = Number(day);
  const maxDay = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mm - 1];
  if (maxDay === undefined || dd < 1 || dd > maxDay) return '';
  return year === '-' ? `--${month}-${day}` : `${year}-${month}-${day}`;
}

export function normalizeContact(c: Contact): Contact {
  // Cleaned, fitted to both sides' limits (fit.ts), then de-duplicated: cut values can collide.
  const fitted = fitContact({
    givenName: cleanText(c.givenName),
    familyName: cleanText(c.familyName),
    middleName: cleanText(c.middleName),
    emails: c.emails.map(normalizeEmail),
    phones: c.phones.map(normalizePhone),
    company: cleanText(c.company),
    jobTitle: cleanText(c.jobTitle),
    department: cleanText(c.department),
    addresses: c.addresses.map(normalizeAddress),
    birthday: normalizeBirthday(c.birthday),
    notes: cleanText(c.notes),
  });
  return capLists({
    ...fitted,
    emails: uniqueBy(fitted.emails, (e) => e.address),
    phones: uniqueBy(fitted.phones, (p) => phoneKey(p.number)),
    addresses: uniqueBy(fitted.addresses, addressKey),
  });
}

/** Comparison form of one field of a normalised contact; equal strings mean equal data. */
export function fieldSignature(c: Contact, f: Field): string {
  switch (f) {
    case 'emails':
      return c.emails.map((e) => `${e.address}/${e.type}`).join(',');
    case 'phones':
      return c.phones.map((p) => `${phoneKey(p.number)}/${p.type}`).join(',');
    case 'addresses':
      return c.addresses.map((a) => `${addressKey(a)}/${a.type}`).join(',');
    default:
      return c[f];
  }
}

export const fieldEquals = (a: Contact, b: Contact, f: Field): boolean =>
  fieldSignature(a, f) === fieldSignature(b, f);

export const contactsEqual = (a: Contact, b: Contact): boolean => FIELDS.every((f) => fieldEquals(a, b, f));

export const isEmptyField = (c: Contact, f: Field): boolean => fieldSignature(c, f) === '';

export const emailsOf = (c: Contact): string[] => c.emails.map((e) => emailKey(e.address));
