// How a record reads to the person asked to decide about it: a name, its emails, a field's value as
// text. Personal data: it goes to the owner's "what needs a person" list, never into a log line.
import type { Contact, Field } from './model.js';
import { displayName } from './model.js';
import type { Brief } from './types.js';

export const briefOf = (c: Contact): Brief => ({
  name: displayName(c),
  emails: c.emails.map((e) => e.address),
});

export function fieldText(c: Contact, f: Field): string {
  switch (f) {
    case 'emails':
      return c.emails.map((e) => e.address).join(', ');
    case 'phones':
      return c.phones.map((p) => p.number).join(', ');
    case 'addresses':
      return c.addresses
        .map((a) => [a.street, a.postalCode, a.city, a.region, a.country].filter((p) => p !== '').join(' '))
        .join('; ');
    default:
      return c[f];
  }
}
