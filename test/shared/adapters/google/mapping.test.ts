// Person ↔ canonical contact, as tabled in docs/contact-model.md. Pure: no server involved.
import assert from 'node:assert/strict';
import { decodeExtra, encodeExtra, mergeExtra } from '../../../../shared/adapters/google/extras.js';
import {
  birthdayOf,
  contactToPerson,
  extraOf,
  GOOGLE_PHONE_TYPE,
  newPerson,
  personFieldsOf,
  personToContact,
  phoneTypeOf,
  type PersonBody,
} from '../../../../shared/adapters/google/mapping.js';
import { personSchema, type Person } from '../../../../shared/adapters/google/schemas.js';
import type { Contact, PhoneType } from '../../../../shared/sync/index.js';
import { emptyContact, normalizeContact } from '../../../../shared/sync/index.js';

const person = (fields: Record<string, unknown>): Person =>
  personSchema.parse({ resourceName: 'people/c1', etag: '%E1', ...fields });

const read = (fields: Record<string, unknown>) => personToContact(person(fields));

/** What Google gives back after a write: the body we sent, read through the same mapping. */
const roundTrip = (c: Contact, extra: ReturnType<typeof extraOf>) =>
  personToContact(
    person(
      contactToPerson(
        c,
        personFieldsOf(['givenName', 'emails', 'phones', 'company', 'addresses', 'birthday', 'notes']),
        extra,
      ) as Record<string, unknown>,
    ),
  );

describe('Google mapping: Person → canonical contact', () => {
  it('names: given, family and middle; honorifics and phonetics kept aside', () => {
    const m = read({
      names: [
        {
          givenName: ' Ada ',
          familyName: 'Lovelace',
          middleName: 'King',
          honorificPrefix: 'Dr.',
          phoneticGivenName: 'A-da',
          displayName: 'Dr. Ada King Lovelace',
        },
      ],
    });
    assert.deepEqual(
      [m.contact.givenName, m.contact.familyName, m.contact.middleName],
      ['Ada', 'Lovelace', 'King'],
    );
    assert.deepEqual(m.extra.n, { honorificPrefix: 'Dr.', phoneticGivenName: 'A-da' });
  });

  it('emails: Google primary first, work/home/other kept, anything else is other with its label kept', () => {
    const m = read({
      emailAddresses: [
        { value: 'b@example.com', type: 'home' },
        { value: 'A@Example.com', type: 'work', displayName: 'Ada at work', metadata: { primary: true } },
        { value: 'c@example.com', type: 'Conference' },
        { value: 'd@example.com' },
        { value: 'e@example.com', type: 'other' },
        { value: '  ' },
      ],
    });
    assert.deepEqual(m.contact.emails, [
      { address: 'a@example.com', type: 'work' },
      { address: 'b@example.com', type: 'home' },
      { address: 'c@example.com', type: 'other' },
      { address: 'd@example.com', type: 'other' },
      { address: 'e@example.com', type: 'other' },
    ]);
    assert.deepEqual(m.extra.e, {
      'a@example.com': { v: 'A@Example.com', d: 'Ada at work' },
      'b@example.com': {},
      'c@example.com': { t: 'Conference' },
      'd@example.com': { t: '' },
      'e@example.com': {},
    });
  });

  const phoneTable: [string, PhoneType][] = [
    ['mobile', 'mobile'],
    ['work', 'work'],
    ['workMobile', 'work'],
    ['pager', 'work'],
    ['workPager', 'work'],
    ['home', 'home'],
    ['main', 'main'],
    ['googleVoice', 'main'],
    ['homeFax', 'fax'],
    ['workFax', 'fax'],
    ['otherFax', 'fax'],
    ['other', 'other'],
    ['Assistant line', 'other'],
    ['', 'other'],
  ];
  for (const [google, canonical] of phoneTable) {
    it(`phones: Google type '${google}' → ${canonical}`, () => {
      assert.equal(phoneTypeOf(google), canonical);
      const m = read({ phoneNumbers: [{ value: '+1 555 0100', ...(google ? { type: google } : {}) }] });
      assert.deepEqual(m.contact.phones, [{ number: '+1 555 0100', type: canonical }]);
      const keptExact = google !== GOOGLE_PHONE_TYPE[canonical];
      assert.deepEqual(m.extra.p, keptExact ? { '+15550100': google } : {});
    });
  }

  it('organization: the first one is company, job title and department; the rest is kept aside', () => {
    const m = read({
      organizations: [
        {
          name: 'Analytical Engines',
          title: 'Programmer',
          department: 'R&D',
          location: 'London',
          type: 'work',
        },
        { name: 'Royal Society', title: 'Fellow' },
      ],
    });
    assert.deepEqual(
      [m.contact.company, m.contact.jobTitle, m.contact.department],
      ['Analytical Engines', 'Programmer', 'R&D'],
    );
    assert.deepEqual(m.extra.o, {
      f: { location: 'London', type: 'work' },
      r: [{ name: 'Royal Society', title: 'Fellow' }],
    });
  });

  it('addresses: home/work/other and the five structured parts; a free-text address becomes the street', () => {
    const m = read({
      addresses: [
        {
          type: 'home',
          streetAddress: '1 Main St',
          city: 'Springfield',
          region: 'IL',
          postalCode: '62701',
          country: 'USA',
          extendedAddress: 'Apt 2',
          formattedValue: 'x',
        },
        { type: 'vacation', city: 'Nice', country: 'France' },
        { formattedValue: '5 Long Road\nSmallville' },
        { type: 'work' },
      ],
    });
    assert.deepEqual(m.contact.addresses, [
      {
        type: 'home',
        street: '1 Main St',
        city: 'Springfield',
        region: 'IL',
        postalCode: '62701',
        country: 'USA',
      },
      { type: 'other', street: '', city: 'Nice', region: '', postalCode: '', country: 'France' },
      { type: 'other', street: '5 Long Road\nSmallville', city: '', region: '', postalCode: '', country: '' },
    ]);
    assert.deepEqual(m.extra.a?.['1 main st|springfield|il|62701|usa'], { x: { extendedAddress: 'Apt 2' } });
    assert.deepEqual(m.extra.a?.['|nice|||france'], { t: 'vacation', x: {} });
  });

  const birthdays: [Record<string, unknown>, string][] = [
    [{ date: { year: 1815, month: 12, day: 10 } }, '1815-12-10'],
    [{ date: { year: 0, month: 12, day: 10 } }, '--12-10'],
    [{ date: { month: 2, day: 29 } }, '--02-29'],
    [{ date: { year: 1990, month: 2, day: 30 } }, ''],
    [{ text: 'some day in May' }, ''],
  ];
  for (const [b, expected] of birthdays) {
    it(`birthday ${JSON.stringify(b)} → '${expected}'`, () => {
      assert.equal(read({ birthdays: [b] }).contact.birthday, expected);
    });
  }

  it('biography → notes; clientData marker; CONTACT source updateTime → modifiedAt', () => {
    const m = read({
      biographies: [{ value: '<b>Met at the fair</b>', contentType: 'TEXT_HTML' }],
      clientData: [
        { key: 'other.app', value: 'x' },
        { key: 'contactSync.crmId', value: 'crm-42' },
      ],
      metadata: {
        sources: [
          { type: 'PROFILE', updateTime: '2020-01-01T00:00:00Z' },
          { type: 'CONTACT', updateTime: '2026-03-04T05:06:07.008Z', etag: '#s' },
        ],
      },
    });
    assert.equal(m.contact.notes, '<b>Met at the fair</b>');
    assert.equal(m.extra.c, 'TEXT_HTML');
    assert.equal(m.marker, 'crm-42');
    assert.equal(m.modifiedAt, Date.UTC(2026, 2, 4, 5, 6, 7, 8));
  });

  it('an empty person is the empty contact, normalised', () => {
    const m = read({});
    assert.deepEqual(m.contact, normalizeContact(emptyContact()));
    assert.equal(m.marker, undefined);
    assert.equal(m.modifiedAt, 0);
    assert.equal(encodeExtra(m.extra), null);
  });
});

describe('Google mapping: canonical contact → Person', () => {
  it('field → update mask: only the Person fields holding the changed canonical fields', () => {
    assert.deepEqual(personFieldsOf(['jobTitle', 'givenName', 'familyName']), ['names', 'organizations']);
    assert.deepEqual(personFieldsOf(['notes', 'birthday', 'addresses', 'phones', 'emails']), [
      'emailAddresses',
      'phoneNumbers',
      'addresses',
      'birthdays',
      'biographies',
    ]);
  });

  const defaults: [PhoneType, string][] = [
    ['mobile', 'mobile'],
    ['work', 'work'],
    ['home', 'home'],
    ['main', 'main'],
    ['fax', 'otherFax'],
    ['other', 'other'],
  ];
  for (const [canonical, google] of defaults) {
    it(`phones: canonical ${canonical} → Google '${google}' when no exact type is kept`, () => {
      const body = contactToPerson(
        { ...emptyContact(), phones: [{ number: '555 0100', type: canonical }] },
        ['phoneNumbers'],
        {},
      );
      assert.deepEqual(body.phoneNumbers, [{ value: '555 0100', type: google }]);
    });
  }

  it('phones: the exact type comes back for an unchanged number of the same canonical type only', () => {
    const extra = extraOf({
      phoneNumbers: [
        { value: '+1 555 0100', type: 'workMobile' },
        { value: '+1 555 0101', type: 'Assistant line' },
        { value: '+1 555 0102', type: 'homeFax' },
      ],
    });
    const body = contactToPerson(
      {
        ...emptyContact(),
        phones: [
          { number: '+1 (555) 0100', type: 'work' },
          { number: '+1 555 0101', type: 'other' },
          { number: '+1 555 0102', type: 'home' },
          { number: '+1 555 0199', type: 'fax' },
        ],
      },
      ['phoneNumbers'],
      extra,
    );
    assert.deepEqual(body.phoneNumbers, [
      { value: '+1 (555) 0100', type: 'workMobile' },
      { value: '+1 555 0101', type: 'Assistant line' },
      { value: '+1 555 0102', type: 'home' },
      { value: '+1 555 0199', type: 'otherFax' },
    ]);
  });

  it('names keep honorifics; emails keep their exact spelling, label and display name', () => {
    const extra = extraOf({
      names: [{ givenName: 'Ada', honorificPrefix: 'Dr.', honorificSuffix: 'FRS' }],
      emailAddresses: [{ value: 'Ada@Example.com', type: 'Conference', displayName: 'Ada' }],
    });
    const c: Contact = {
      ...emptyContact(),
      givenName: 'Augusta',
      familyName: 'King',
      emails: [
        { address: 'ada@example.com', type: 'other' },
        { address: 'new@example.com', type: 'home' },
      ],
    };
    const body = contactToPerson(c, ['names', 'emailAddresses'], extra);
    assert.deepEqual(body.names, [
      { givenName: 'Augusta', familyName: 'King', honorificPrefix: 'Dr.', honorificSuffix: 'FRS' },
    ]);
    assert.deepEqual(body.emailAddresses, [
      { value: 'Ada@Example.com', type: 'Conference', displayName: 'Ada' },
      { value: 'new@example.com', type: 'home' },
    ]);
  });

  it('organizations: the second one survives; clearing the first leaves a placeholder, not a promotion', () => {
    const extra = extraOf({
      organizations: [
        { name: 'Engines', title: 'Programmer', location: 'London' },
        { name: 'Royal Society' },
      ],
    });
    const changed = contactToPerson(
      { ...emptyContact(), company: 'Engines', jobTitle: 'Lead' },
      ['organizations'],
      extra,
    );
    assert.deepEqual(changed.organizations, [
      { location: 'London', name: 'Engines', title: 'Lead' },
      { name: 'Royal Society' },
    ]);
    const bare = extraOf({ organizations: [{ name: 'Engines' }, { name: 'Royal Society' }] });
    const cleared = contactToPerson(emptyContact(), ['organizations'], bare);
    assert.deepEqual(cleared.organizations, [{ type: 'work' }, { name: 'Royal Society' }]);
    assert.equal(personToContact(person(cleared as Record<string, unknown>)).contact.company, '');
  });

  it('birthday: always a date (no year for --MM-DD); the free text only beside its own date', () => {
    const extra = extraOf({ birthdays: [{ date: { month: 5, day: 6 }, text: 'Cinco' }] });
    const same = contactToPerson({ ...emptyContact(), birthday: '--05-06' }, ['birthdays'], extra);
    assert.deepEqual(same.birthdays, [{ date: { month: 5, day: 6 }, text: 'Cinco' }]);
    const moved = contactToPerson({ ...emptyContact(), birthday: '1990-05-07' }, ['birthdays'], extra);
    assert.deepEqual(moved.birthdays, [{ date: { year: 1990, month: 5, day: 7 } }]);
    assert.deepEqual(contactToPerson(emptyContact(), ['birthdays'], extra).birthdays, []);
    assert.equal(birthdayOf({ year: 1990, month: 5, day: 7 }), '1990-05-07');
  });

  it('notes keep an HTML content type; an emptied field is written as an empty list (cleared)', () => {
    const body = contactToPerson(
      { ...emptyContact(), notes: 'hello' },
      ['biographies', 'addresses', 'names'],
      { c: 'TEXT_HTML' },
    );
    assert.deepEqual(body, {
      biographies: [{ value: 'hello', contentType: 'TEXT_HTML' }],
      addresses: [],
      names: [],
    });
  });

  it('a round trip through Google keeps the contact and the extra', () => {
    const p: PersonBody = {
      names: [{ givenName: 'Ada', familyName: 'Lovelace', honorificPrefix: 'Dr.' }],
      emailAddresses: [{ value: 'Ada@Example.com', type: 'custom', displayName: 'A' }],
      phoneNumbers: [
        { value: '+44 20 7946 0000', type: 'workMobile' },
        { value: '555', type: 'Lab' },
      ],
      organizations: [{ name: 'Engines', title: 'Programmer', type: 'work' }, { name: 'Royal Society' }],
      addresses: [
        { type: 'home', streetAddress: '12 St James Sq', city: 'London', country: 'UK', poBox: '7' },
      ],
      birthdays: [{ date: { year: 1815, month: 12, day: 10 }, text: 'Winter' }],
      biographies: [{ value: 'Poetical science', contentType: 'TEXT_HTML' }],
    };
    const first = personToContact(person(p as Record<string, unknown>));
    const again = roundTrip(first.contact, first.extra);
    assert.deepEqual(again.contact, first.contact);
    assert.equal(
      encodeExtra(
        extraOf(
          contactToPerson(
            first.contact,
            personFieldsOf(['givenName', 'emails', 'phones', 'company', 'addresses', 'birthday', 'notes']),
            first.extra,
          ),
        ),
      ),
      encodeExtra(first.extra),
    );
  });

  it('a new person carries every non-empty field, its groups and the marker', () => {
    const body = newPerson(
      { ...emptyContact(), givenName: 'Ada', phones: [{ number: '555', type: 'fax' }] },
      ['contactGroups/abc', 'contactGroups/myContacts'],
      'crm-1',
    );
    assert.deepEqual(body, {
      names: [{ givenName: 'Ada' }],
      phoneNumbers: [{ value: '555', type: 'otherFax' }],
      memberships: [
        { contactGroupMembership: { contactGroupResourceName: 'contactGroups/abc' } },
        { contactGroupMembership: { contactGroupResourceName: 'contactGroups/myContacts' } },
      ],
      clientData: [{ key: 'contactSync.crmId', value: 'crm-1' }],
    });
  });
});

describe('Google extras', () => {
  it('encode is stable (sorted keys, empties dropped) and decode tolerates garbage', () => {
    assert.equal(encodeExtra({ p: { b: 'x', a: 'y' }, e: {}, n: {} }), '{"p":{"a":"y","b":"x"}}');
    assert.equal(encodeExtra({}), null);
    assert.deepEqual(decodeExtra('not json'), {});
    assert.deepEqual(decodeExtra('{"p":5}'), {});
    assert.deepEqual(decodeExtra(null), {});
  });

  it('merge replaces only the parts of the written Person fields', () => {
    const base = { n: { honorificPrefix: 'Dr.' }, p: { '1': 'Lab' } };
    assert.deepEqual(mergeExtra(base, { p: { '2': 'workMobile' } }, ['phoneNumbers']), {
      n: { honorificPrefix: 'Dr.' },
      p: { '2': 'workMobile' },
    });
    assert.deepEqual(mergeExtra(base, {}, ['phoneNumbers']), { n: { honorificPrefix: 'Dr.' } });
  });
});
