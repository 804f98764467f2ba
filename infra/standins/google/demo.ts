// A small, obviously fictional address book for manual runs (`--seed-demo`).
import { DEMO_ACCOUNT } from './options.js';
import type { UserApi } from './user.js';

export function seedDemo(user: UserApi, email = DEMO_ACCOUNT): { contacts: number; groups: number } {
  const group = user.createGroup(email, 'Prospects');
  const people = [
    {
      given: 'Ada',
      family: 'Example',
      email: 'ada@example.com',
      phone: '+1 202 555 0101',
      org: 'Example Corp',
    },
    { given: 'Bo', family: 'Sample', email: 'bo@example.org', phone: '(202) 555-0102', org: 'Sample Ltd' },
    {
      given: 'Cy',
      family: 'Placeholder',
      email: 'cy@example.net',
      phone: '+44 20 7946 0000',
      org: 'Placeholder plc',
    },
    {
      given: 'Di',
      family: 'Fictional',
      email: 'di@example.com',
      phone: '202-555-0104',
      org: 'Fictional GmbH',
    },
  ];
  const created = people.map((p) =>
    user.createContact(email, {
      names: [{ givenName: p.given, familyName: p.family }],
      emailAddresses: [{ value: p.email, type: 'work' }],
      phoneNumbers: [{ value: p.phone, type: 'mobile' }],
      organizations: [{ name: p.org, title: 'Buyer' }],
    }),
  );
  user.addToGroup(
    email,
    String(group.resourceName),
    created.slice(0, 2).map((c) => String(c.resourceName)),
  );
  return { contacts: created.length, groups: 1 };
}
