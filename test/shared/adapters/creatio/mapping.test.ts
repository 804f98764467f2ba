// Table tests of the pure Contact ↔ canonical mapping (docs/contact-model.md, "Creatio").
import assert from 'node:assert/strict';
import {
  addressOps,
  birthDateOf,
  birthdayOf,
  contactBody,
  decodeExtra,
  emailOps,
  emailTypeOf,
  encodeExtra,
  fullName,
  namePartsOf,
  phoneOps,
  toCanonical,
  type Bundle,
  type ExtraEmail,
  type ExtraPhone,
  type Names,
} from '../../../../shared/adapters/creatio/mapping.js';
import { COMMUNICATION_TYPE as CT } from '../../../../shared/adapters/creatio/constants.js';
import type { AddressType } from '../../../../shared/sync/index.js';
import { contact } from './helpers.js';

const C = 'c0000000-0000-4000-8000-000000000001';
const names: Names = {
  account: (id) => (id === 'a1' ? 'Acme' : ''),
  department: (id) => (id === 'd1' ? 'Sales' : ''),
  city: (id) => (id === 'city' ? 'Springfield' : ''),
  region: (id) => (id === 'reg' ? 'IL' : ''),
  country: (id) => (id === 'us' ? 'United States' : ''),
  addressType: (id): AddressType => (id === 'home' ? 'home' : id === 'biz' ? 'work' : 'other'),
};

const at = (n: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString();
const comm = (id: string, type: string, number: string, position = 0, ext = '', created = 0) => ({
  Id: id,
  ContactId: C,
  CommunicationTypeId: type,
  Number: number,
  ExternalCommunicationType: ext,
  Position: position,
  CreatedOn: at(created),
  ModifiedOn: at(created),
});
const bundle = (
  patch: Partial<Bundle['contact']>,
  communications: Bundle['communications'] = [],
  addresses: Bundle['addresses'] = [],
): Bundle => ({
  contact: {
    Id: C,
    ModifiedOn: at(9),
    GivenName: '',
    MiddleName: '',
    Surname: '',
    Email: '',
    AccountId: null,
    DepartmentId: null,
    JobTitle: '',
    BirthDate: null,
    Notes: '',
    ...patch,
  },
  communications,
  addresses,
});
let n = 0;
const newId = () => `new-${++n}`;

describe('Creatio mapping: reading a Contact', () => {
  it('maps the scalar columns and resolves lookups through names', () => {
    const { contact: c } = toCanonical(
      bundle({
        GivenName: ' Ann ',
        MiddleName: 'B.',
        Surname: 'Able',
        JobTitle: 'CTO',
        Notes: 'line 1\r\nline 2',
        AccountId: 'a1',
        DepartmentId: 'd1',
        BirthDate: '1980-02-03',
      }),
      names,
    );
    assert.deepEqual(
      [c.givenName, c.middleName, c.familyName, c.jobTitle, c.notes, c.company, c.department, c.birthday],
      ['Ann', 'B.', 'Able', 'CTO', 'line 1\nline 2', 'Acme', 'Sales', '1980-02-03'],
    );
  });

  const birthdays: [string | null, string][] = [
    ['1980-02-03', '1980-02-03'],
    ['1604-02-29', '--02-29'],
    ['1604-12-31', '--12-31'],
    ['1980-02-03T00:00:00Z', '1980-02-03'],
    // Creatio's empty date.
    ['0001-01-01T00:00:00Z', ''],
    ['0001-01-01', ''],
    [null, ''],
    ['', ''],
  ];
  for (const [stored, canonical] of birthdays)
    it(`BirthDate ${JSON.stringify(stored)} reads as ${JSON.stringify(canonical)}`, () =>
      assert.equal(birthdayOf(stored), canonical));

  const writes: [string, string][] = [
    ['1980-02-03', '1980-02-03T00:00:00Z'],
    ['--02-29', '1604-02-29T00:00:00Z'],
    ['', '0001-01-01T00:00:00Z'],
  ];
  for (const [canonical, stored] of writes)
    it(`birthday ${JSON.stringify(canonical)} is stored as ${JSON.stringify(stored)}`, () =>
      assert.equal(birthDateOf(canonical), stored));

  const emailTypes: [string, string][] = [
    ['work', 'work'],
    ['Home', 'home'],
    [' other ', 'other'],
    ['', 'work'],
    ['Custom label', 'other'],
  ];
  for (const [ext, type] of emailTypes)
    it(`ExternalCommunicationType ${JSON.stringify(ext)} is email type ${type}`, () =>
      assert.equal(emailTypeOf(ext), type));

  it('lists the email that equals the flat Email column first, then by Position', () => {
    const { contact: c, extra } = toCanonical(
      bundle({ Email: 'B@example.com' }, [
        comm('e1', CT.Email, 'a@example.com', 0, 'work'),
        comm('e2', CT.Email, 'b@example.com', 1, 'home'),
        comm('e3', CT.Email, 'c@example.com', 2, 'other'),
        comm('s1', '09e4bda6-cfcb-df11-9b2a-001d60e938c6', 'skype.name'),
      ]),
      names,
    );
    assert.deepEqual(c.emails, [
      { address: 'b@example.com', type: 'home' },
      { address: 'a@example.com', type: 'work' },
      { address: 'c@example.com', type: 'other' },
    ]);
    assert.deepEqual(
      extra.e.map((r) => [r[0], r[3]]),
      [
        ['e2', 1],
        ['e1', 0],
        ['e3', 0],
      ],
    );
  });

  const phoneTypes: [string, string][] = [
    [CT.MobilePhone, 'mobile'],
    [CT.WorkPhone, 'work'],
    [CT.HomePhone, 'home'],
    [CT.MainPhone, 'main'],
    [CT.Fax, 'fax'],
    [CT.OtherPhone, 'other'],
    [CT.AdditionalPhone, 'other'],
    [CT.Extension, 'other'],
  ];
  for (const [typeId, type] of phoneTypes)
    it(`a ContactCommunication of type ${typeId} is a ${type} phone`, () => {
      const { contact: c } = toCanonical(bundle({}, [comm('p', typeId, '+1 555 0100')]), names);
      assert.deepEqual(c.phones, [{ number: '+1 555 0100', type }]);
    });

  it('orders phones by Position, then work, mobile, home (the flat columns), then by age; skips empty numbers and non-phone types', () => {
    const { contact: c } = toCanonical(
      bundle({}, [
        comm('p1', CT.HomePhone, '3', 2),
        comm('p2', CT.MobilePhone, '1', 0, '', 5),
        comm('p3', CT.WorkPhone, '2', 0, '', 9),
        comm('p4', CT.Fax, '   ', 1),
        comm('w', '6a8ba927-67cc-df11-9b2a-001d60e938c6', 'https://example.com'),
      ]),
      names,
    );
    assert.deepEqual(
      c.phones.map((p) => p.number),
      ['2', '1', '3'],
    );
  });

  it('maps addresses with their lookups, the primary one first', () => {
    const addr = (id: string, primary: boolean, created: number, type: string, street: string) => ({
      Id: id,
      ContactId: C,
      AddressTypeId: type,
      Address: street,
      Zip: '62701',
      CityId: 'city',
      RegionId: 'reg',
      CountryId: 'us',
      Primary: primary,
      CreatedOn: at(created),
      ModifiedOn: at(created),
    });
    const { contact: c, extra } = toCanonical(
      bundle({}, [], [addr('x', false, 1, 'home', '2 Elm St'), addr('y', true, 2, 'biz', '1 Main St')]),
      names,
    );
    assert.deepEqual(c.addresses, [
      {
        type: 'work',
        street: '1 Main St',
        city: 'Springfield',
        region: 'IL',
        postalCode: '62701',
        country: 'United States',
      },
      {
        type: 'home',
        street: '2 Elm St',
        city: 'Springfield',
        region: 'IL',
        postalCode: '62701',
        country: 'United States',
      },
    ]);
    assert.deepEqual(extra.a[0], ['y', 'biz', '1 Main St', '62701', 'city', 'reg', 'us', 1]);
  });

  it('extra survives encoding; anything unreadable (or a row id that is not a GUID) decodes as unknown', () => {
    const row = 'd1e2f3a4-0000-4000-8000-000000000001';
    const x = toCanonical(bundle({}, [comm(row, CT.Fax, '1')]), names).extra;
    assert.deepEqual(decodeExtra(encodeExtra(x)), x);
    const tampered = encodeExtra(x).replace(row, `${row}) or (Id ne null`);
    for (const bad of [null, '', 'not json', '{"e":1}', '[]', tampered]) assert.equal(decodeExtra(bad), null);
  });
});

describe('Creatio mapping: writing a Contact', () => {
  const ids = { accountId: 'acc', departmentId: null };
  it('a create writes every column, Name in "GivenName MiddleName Surname" order, never flat Email/Phone', () => {
    const body = contactBody(
      contact({
        givenName: 'Ann',
        middleName: 'B.',
        familyName: 'Able',
        jobTitle: 'CTO',
        notes: 'n',
        birthday: '--02-29',
        emails: [{ address: 'a@example.com', type: 'work' }],
        phones: [{ number: '1', type: 'mobile' }],
      }),
      null,
      ids,
    );
    assert.deepEqual(body, {
      GivenName: 'Ann',
      MiddleName: 'B.',
      Surname: 'Able',
      Name: 'Ann B. Able',
      AccountId: 'acc',
      DepartmentId: null,
      JobTitle: 'CTO',
      BirthDate: '1604-02-29T00:00:00Z',
      Notes: 'n',
    });
  });

  const partial: [string[], string[]][] = [
    [['givenName'], ['GivenName', 'MiddleName', 'Surname', 'Name']],
    [['jobTitle'], ['JobTitle']],
    [['company'], ['AccountId']],
    [['department'], ['DepartmentId']],
    [['birthday'], ['BirthDate']],
    [['notes'], ['Notes']],
    [['emails', 'phones', 'addresses'], []],
  ];
  for (const [fields, columns] of partial)
    it(`an update of ${fields.join(', ')} writes only ${columns.join(', ') || 'no Contact column'}`, () =>
      assert.deepEqual(Object.keys(contactBody(contact({ givenName: 'A' }), fields as never, ids)), columns));

  it('a contact without name parts gets a Name from its company or email', () => {
    assert.equal(fullName(contact({ company: 'Acme' })), 'Acme');
    assert.equal(
      fullName(contact({ emails: [{ address: 'a@example.com', type: 'work' }] })),
      'a@example.com',
    );
    const both = contact({ company: 'Acme', emails: [{ address: 'a@example.com', type: 'work' }] });
    assert.equal(fullName(both), 'a@example.com', 'an email is no name, a company may be one');
  });

  it("the parts Creatio splits from a nameless contact's Name are no name; real names stay", () => {
    const email = [{ address: 'a.b@example.com', type: 'work' as const }];
    const unnamed = contact({ emails: email, company: 'Nameless Co' });
    assert.deepEqual(namePartsOf({ ...unnamed, givenName: 'a.b@example.com' }), unnamed);
    const byPhone = contact({ phones: [{ number: '+1 555 010 4000', type: 'mobile' }] });
    const split = { ...byPhone, givenName: '+1', middleName: '555 010', familyName: '4000' };
    assert.deepEqual(namePartsOf(split), byPhone, 'split in GivenName MiddleName Surname order');
    const byCompany = contact({ company: 'Nameless Co' });
    assert.deepEqual(namePartsOf({ ...byCompany, givenName: 'Co', familyName: 'Nameless' }), byCompany);
    for (const named of [
      contact({ givenName: 'Ada', familyName: 'Lovelace', emails: email, company: 'Ada Lovelace' }),
      contact({ givenName: 'Ada' }),
      contact({ givenName: 'a.b@example.com', familyName: 'Smith', emails: email }),
    ])
      assert.deepEqual(namePartsOf(named), named);
  });
});

describe('Creatio mapping: row diffs', () => {
  const e = (id: string, address: string, type: string, primary: 0 | 1, pos: number): ExtraEmail => [
    id,
    address,
    type,
    primary,
    pos,
  ];
  const p = (id: string, number: string, typeId: string, pos: number): ExtraPhone => [
    id,
    number,
    typeId,
    pos,
  ];

  it('unchanged emails and phones need no writes', () => {
    const rows = [e('e1', 'a@x.com', 'work', 1, 0), e('e2', 'b@x.com', 'home', 0, 1)];
    assert.deepEqual(
      emailOps(
        rows,
        [
          { address: 'a@x.com', type: 'work' },
          { address: 'b@x.com', type: 'home' },
        ],
        C,
        newId,
      ),
      [],
    );
    const phones = [p('p1', '+1 555 0100', CT.MobilePhone, 0)];
    assert.deepEqual(phoneOps(phones, [{ number: '+1 (555) 0100', type: 'mobile' }], C, newId), []);
  });

  it('a changed phone number patches that row only', () => {
    const rows = [
      p('p1', '1', CT.MobilePhone, 0),
      p('p2', '2', CT.WorkPhone, 1),
      p('p3', '3', CT.HomePhone, 2),
    ];
    assert.deepEqual(
      phoneOps(
        rows,
        [
          { number: '1', type: 'mobile' },
          { number: '22', type: 'work' },
          { number: '3', type: 'home' },
        ],
        C,
        newId,
      ),
      [{ op: 'patch', set: 'ContactCommunication', id: 'p2', body: { Number: '22' } }],
    );
  });

  it('a changed phone type patches CommunicationTypeId; a removed phone is deleted; a new one inserted', () => {
    const rows = [p('p1', '1', CT.MobilePhone, 0), p('p2', '2', CT.WorkPhone, 1)];
    const got = phoneOps(
      rows,
      [
        { number: '1', type: 'home' },
        { number: '9', type: 'fax' },
      ],
      C,
      () => 'n1',
    );
    assert.deepEqual(got, [
      { op: 'delete', set: 'ContactCommunication', id: 'p2' },
      { op: 'patch', set: 'ContactCommunication', id: 'p1', body: { CommunicationTypeId: CT.HomePhone } },
      {
        op: 'post',
        set: 'ContactCommunication',
        id: 'n1',
        body: { ContactId: C, CommunicationTypeId: CT.Fax, Number: '9', Position: 1 },
      },
    ]);
  });

  it('new emails are inserted last-first so the first one ends up primary', () => {
    let k = 0;
    const got = emailOps(
      [],
      [
        { address: 'a@x.com', type: 'work' },
        { address: 'b@x.com', type: 'home' },
      ],
      C,
      () => `n${++k}`,
    );
    assert.deepEqual(
      got.map((o) => (o.op === 'post' ? o.body.Number : o.op)),
      ['b@x.com', 'a@x.com'],
    );
  });

  it('a first email that is not primary is re-inserted so that it becomes primary', () => {
    const rows = [e('e1', 'a@x.com', 'work', 0, 0), e('e2', 'b@x.com', 'work', 1, 1)];
    const got = emailOps(
      rows,
      [
        { address: 'a@x.com', type: 'work' },
        { address: 'b@x.com', type: 'work' },
      ],
      C,
      () => 'n1',
    );
    assert.deepEqual(got, [
      { op: 'delete', set: 'ContactCommunication', id: 'e1' },
      {
        op: 'post',
        set: 'ContactCommunication',
        id: 'n1',
        body: {
          ContactId: C,
          CommunicationTypeId: CT.Email,
          Number: 'a@x.com',
          ExternalCommunicationType: 'work',
          Position: 0,
        },
      },
    ]);
  });

  it('a replaced email patches the row it replaces; the type lives in ExternalCommunicationType', () => {
    const rows = [e('e1', 'a@x.com', 'work', 1, 0), e('e2', 'b@x.com', '', 0, 1)];
    const got = emailOps(
      rows,
      [
        { address: 'a@x.com', type: 'work' },
        { address: 'c@x.com', type: 'home' },
      ],
      C,
      newId,
    );
    assert.deepEqual(got, [
      {
        op: 'patch',
        set: 'ContactCommunication',
        id: 'e2',
        body: { Number: 'c@x.com', ExternalCommunicationType: 'home' },
      },
    ]);
  });

  it('addresses: same content keeps the row, an edit patches the changed columns, primary follows the order', () => {
    const typeOf = (id: string | null): AddressType => (id === 'H' ? 'home' : id === 'B' ? 'work' : 'other');
    const rows: [
      string,
      string | null,
      string,
      string,
      string | null,
      string | null,
      string | null,
      number,
    ][] = [
      ['a1', 'H', '2 Elm St', '1', 'c1', null, null, 1],
      ['a2', 'B', '1 Main St', '2', 'c1', null, null, 0],
    ];
    const want = (type: AddressType, street: string, zip: string, typeId: string) => ({
      address: { type, street, city: 'x', region: '', postalCode: zip, country: '' },
      typeId,
      cityId: 'c1',
      regionId: null,
      countryId: null,
    });
    assert.deepEqual(
      addressOps(
        rows,
        [want('work', '1 main st', '2', 'B'), want('home', '2 Elm St', '1', 'H')],
        C,
        newId,
        typeOf,
      ),
      [
        { op: 'patch', set: 'ContactAddress', id: 'a2', body: { Primary: true } },
        { op: 'patch', set: 'ContactAddress', id: 'a1', body: { Primary: false } },
      ],
    );
    assert.deepEqual(addressOps(rows, [want('home', '3 Oak St', '1', 'H')], C, newId, typeOf), [
      { op: 'delete', set: 'ContactAddress', id: 'a2' },
      { op: 'patch', set: 'ContactAddress', id: 'a1', body: { Address: '3 Oak St' } },
    ]);
  });
});
