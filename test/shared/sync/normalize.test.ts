// Normalisation, comparison and the text a person reads, as tables of literal inputs and expected
// outputs (written out by hand, never computed by the code under test).
import assert from 'node:assert/strict';
import type { Address, Contact, Field } from '../../../shared/sync/index.js';
import {
  FIELDS,
  addressKey,
  briefOf,
  cleanText,
  contactsEqual,
  displayName,
  emailsOf,
  emptyContact,
  fieldEquals,
  fieldSignature,
  fieldText,
  isEmptyField,
  normalizeBirthday,
  normalizeContact,
  phoneKey,
} from '../../../shared/sync/index.js';

const contact = (patch: Partial<Contact>): Contact => ({ ...emptyContact(), ...patch });
const address = (patch: Partial<Address>): Address => ({
  type: 'work',
  street: '',
  city: '',
  region: '',
  postalCode: '',
  country: '',
  ...patch,
});

describe('normalisation (table)', () => {
  const texts: [string, string][] = [
    ['  Ada  ', 'Ada'],
    ['a \t\u00a0 b', 'a b'],
    ['line one  \r\n  line two\rthree', 'line one\nline two\nthree'],
    ['a\n\n b', 'a\n\nb'],
    ['\n x \n', 'x'],
    ['', ''],
  ];
  for (const [input, expected] of texts)
    it(`cleanText(${JSON.stringify(input)}) is ${JSON.stringify(expected)}`, () =>
      assert.equal(cleanText(input), expected));

  const phones: [string, string][] = [
    ['+49 (30) 1234-5678', '+493012345678'],
    ['0049 30 1234', '+49301234'],
    ['0030', '0030'],
    ['00301', '+301'],
    ['555 0100', '5550100'],
    [' +1 555', '+1555'],
    ['1+555', '1555'],
    ['', ''],
  ];
  for (const [input, expected] of phones)
    it(`phoneKey(${JSON.stringify(input)}) is ${JSON.stringify(expected)}`, () =>
      assert.equal(phoneKey(input), expected));

  const birthdays: [string, string][] = [
    ['1990-02-28', '1990-02-28'],
    [' 1990-02-29 ', '1990-02-29'],
    ['--12-31', '--12-31'],
    ['1990-02-30', ''],
    ['1990-04-31', ''],
    ['1990-04-30', '1990-04-30'],
    ['1990-01-31', '1990-01-31'],
    ['1990-01-01', '1990-01-01'],
    ['1990-01-00', ''],
    ['1990-13-01', ''],
    ['1990-00-10', ''],
    ['1990-1-10', ''],
    ['1990-01-1', ''],
    ['x1990-01-10', ''],
    ['1990-01-10x', ''],
    ['19900-01-10', ''],
    ['abcd-01-10', ''],
    ['---01-10', ''],
    ['', ''],
  ];
  for (const [input, expected] of birthdays)
    it(`normalizeBirthday(${JSON.stringify(input)}) is ${JSON.stringify(expected)}`, () =>
      assert.equal(normalizeBirthday(input), expected));

  it('addresses compare by their parts, case and spacing aside, in a fixed order', () => {
    assert.equal(
      addressKey(
        address({ street: ' Main  St ', city: 'Berlin', region: 'BE', postalCode: '10115', country: 'DE' }),
      ),
      'main st|berlin|be|10115|de',
    );
  });

  it('a contact is cleaned field by field, unknown types become other, duplicates and blanks go', () => {
    const got = normalizeContact(
      contact({
        givenName: ' Ada ',
        emails: [
          { address: ' Ada@Example.com ', type: 'work' },
          { address: 'ada@example.com', type: 'home' },
          { address: '  ', type: 'home' },
          { address: 'b@example.com', type: 'pager' as never },
        ],
        phones: [
          { number: ' +1 555  0100 ', type: 'mobile' },
          { number: '+1 (555) 0100', type: 'work' },
          { number: '555 0100', type: 'telex' as never },
        ],
        addresses: [
          address({ street: 'Main St', type: 'home' }),
          address({ street: ' main  st ', type: 'work' }),
          address({ city: 'Paris', type: 'castle' as never }),
        ],
        birthday: '1990-02-30',
        notes: ' a  b ',
      }),
    );
    assert.deepEqual(
      got,
      contact({
        givenName: 'Ada',
        emails: [
          { address: 'ada@example.com', type: 'work' },
          { address: 'b@example.com', type: 'other' },
        ],
        phones: [
          { number: '+1 555 0100', type: 'mobile' },
          { number: '555 0100', type: 'other' },
        ],
        addresses: [address({ street: 'Main St', type: 'home' }), address({ city: 'Paris', type: 'other' })],
        notes: 'a b',
      }),
    );
  });

  const ada = contact({
    givenName: 'Ada',
    emails: [{ address: 'ada@example.com', type: 'work' }],
    phones: [{ number: '+1 555 0100', type: 'mobile' }],
    addresses: [address({ street: 'Main St', city: 'Berlin' })],
  });
  const signatures: [Field, string][] = [
    ['givenName', 'Ada'],
    ['familyName', ''],
    ['emails', 'ada@example.com/work'],
    ['phones', '+15550100/mobile'],
    ['addresses', 'main st|berlin|||/work'],
  ];
  for (const [field, expected] of signatures)
    it(`the signature of ${field} is ${JSON.stringify(expected)}`, () =>
      assert.equal(fieldSignature(ada, field), expected));

  it('signatures of lists separate their items, so that two items never read as one', () => {
    const two = contact({
      emails: [
        { address: 'a@x.io', type: 'work' },
        { address: 'b@x.io', type: 'home' },
      ],
      phones: [
        { number: '1', type: 'work' },
        { number: '2', type: 'home' },
      ],
      addresses: [address({ city: 'A' }), address({ city: 'B', type: 'home' })],
    });
    assert.equal(fieldSignature(two, 'emails'), 'a@x.io/work,b@x.io/home');
    assert.equal(fieldSignature(two, 'phones'), '1/work,2/home');
    assert.equal(fieldSignature(two, 'addresses'), '|a|||/work,|b|||/home');
  });

  const equalities: { name: string; a: Contact; b: Contact; field: Field; equal: boolean }[] = [
    {
      name: 'phones formatted differently',
      a: ada,
      b: { ...ada, phones: [{ number: '+1 (555) 01-00', type: 'mobile' }] },
      field: 'phones',
      equal: true,
    },
    {
      name: 'phones of another type',
      a: ada,
      b: { ...ada, phones: [{ number: '+1 555 0100', type: 'work' }] },
      field: 'phones',
      equal: false,
    },
    {
      name: 'an email of another type',
      a: ada,
      b: { ...ada, emails: [{ address: 'ada@example.com', type: 'home' }] },
      field: 'emails',
      equal: false,
    },
    {
      name: 'an address of another type',
      a: ada,
      b: { ...ada, addresses: [address({ street: 'Main St', city: 'Berlin', type: 'home' })] },
      field: 'addresses',
      equal: false,
    },
    {
      name: 'a different given name',
      a: ada,
      b: { ...ada, givenName: 'Bea' },
      field: 'givenName',
      equal: false,
    },
  ];
  for (const row of equalities)
    it(`${row.name}: ${row.equal ? 'equal' : 'different'}`, () => {
      assert.equal(fieldEquals(row.a, row.b, row.field), row.equal);
      assert.equal(contactsEqual(row.a, row.b), row.equal);
    });

  it('every field takes part in the comparison of contacts', () => {
    const other: Contact = {
      givenName: 'g',
      familyName: 'f',
      middleName: 'm',
      emails: [{ address: 'e@x.io', type: 'work' }],
      phones: [{ number: '1', type: 'work' }],
      company: 'c',
      jobTitle: 'j',
      department: 'd',
      addresses: [address({ city: 'x' })],
      birthday: '2000-01-01',
      notes: 'n',
    };
    for (const f of FIELDS) {
      assert.equal(contactsEqual(emptyContact(), { ...emptyContact(), [f]: other[f] }), false, f);
      assert.equal(isEmptyField(emptyContact(), f), true, f);
      assert.equal(isEmptyField(other, f), false, f);
    }
    assert.equal(contactsEqual(other, structuredClone(other)), true);
  });

  it('emails as keys: cleaned and lower case', () =>
    assert.deepEqual(emailsOf(contact({ emails: [{ address: ' A@X.io ', type: 'work' }] })), ['a@x.io']));
});

describe('how a record reads to a person (table)', () => {
  const names: [Partial<Contact>, string][] = [
    [{ givenName: 'Ada', middleName: 'K', familyName: 'Lovelace', company: 'Acme' }, 'Ada K Lovelace'],
    [{ givenName: 'Ada', familyName: 'Lovelace' }, 'Ada Lovelace'],
    [{ familyName: 'Lovelace' }, 'Lovelace'],
    [{ company: 'Acme', emails: [{ address: 'a@x.io', type: 'work' }] }, 'Acme'],
    [{ emails: [{ address: 'a@x.io', type: 'work' }], phones: [{ number: '1', type: 'work' }] }, 'a@x.io'],
    [{ phones: [{ number: '+1 555', type: 'work' }] }, '+1 555'],
    [{}, ''],
  ];
  for (const [patch, expected] of names)
    it(`display name ${JSON.stringify(expected)}`, () => assert.equal(displayName(contact(patch)), expected));

  it('a brief is the display name and the email addresses', () =>
    assert.deepEqual(
      briefOf(
        contact({
          givenName: 'Ada',
          emails: [
            { address: 'a@x.io', type: 'work' },
            { address: 'b@x.io', type: 'home' },
          ],
        }),
      ),
      { name: 'Ada', emails: ['a@x.io', 'b@x.io'] },
    ));

  const texts: [Field, Partial<Contact>, string][] = [
    ['jobTitle', { jobTitle: 'Lead' }, 'Lead'],
    [
      'emails',
      {
        emails: [
          { address: 'a@x.io', type: 'work' },
          { address: 'b@x.io', type: 'home' },
        ],
      },
      'a@x.io, b@x.io',
    ],
    [
      'phones',
      {
        phones: [
          { number: '1', type: 'work' },
          { number: '2', type: 'home' },
        ],
      },
      '1, 2',
    ],
    [
      'addresses',
      {
        addresses: [
          address({ street: 'Main St', postalCode: '10115', city: 'Berlin', region: 'BE', country: 'DE' }),
          address({ city: 'Paris' }),
        ],
      },
      'Main St 10115 Berlin BE DE; Paris',
    ],
  ];
  for (const [field, patch, expected] of texts)
    it(`the text of ${field} is ${JSON.stringify(expected)}`, () =>
      assert.equal(fieldText(contact(patch), field), expected));
});
