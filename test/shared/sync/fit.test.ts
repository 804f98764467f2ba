import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LIST_LIMITS, TEXT_LIMITS, fitText, normalizeContact } from '../../../shared/sync/index.js';
import type { Contact } from '../../../shared/sync/index.js';

const empty: Contact = {
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
};

describe('fitting values to both sides’ limits', () => {
  it('cuts a long text to the limit and leaves a short one alone', () => {
    assert.equal(fitText('abc', 3), 'abc');
    assert.equal(fitText('abcdef', 3), 'abc');
    assert.equal(fitText('ab  cdef', 3), 'ab');
  });

  it('a text exactly at the limit is left as it is, trailing space and all', () => {
    assert.equal(fitText('ab ', 3), 'ab ');
  });

  it('an email exactly at the limit is kept; one unit longer is dropped', () => {
    const at = `${'a'.repeat(TEXT_LIMITS.email - 6)}@x.com`;
    const over = `b${at}`;
    const c = normalizeContact({
      ...empty,
      emails: [
        { address: at, type: 'work' },
        { address: over, type: 'home' },
      ],
    });
    assert.deepEqual(
      c.emails.map((e) => e.address.length),
      [250],
    );
  });

  it('lists are capped: 20 phones, 10 addresses, the first ones kept', () => {
    const c = normalizeContact({
      ...empty,
      phones: Array.from({ length: 25 }, (_, i) => ({ number: `+1 555 ${1000 + i}`, type: 'work' as const })),
      addresses: Array.from({ length: 12 }, (_, i) => ({
        type: 'home' as const,
        street: `${i} Main St`,
        city: '',
        region: '',
        postalCode: '',
        country: '',
      })),
    });
    assert.equal(c.phones.length, 20);
    assert.equal(c.phones[19]!.number, '+1 555 1019');
    assert.equal(c.addresses.length, 10);
    assert.equal(c.addresses[9]!.street, '9 Main St');
  });

  it('never splits a surrogate pair or a grapheme (flag, combining accent, family emoji)', () => {
    assert.equal(fitText('ab😀', 3), 'ab');
    assert.equal(fitText('a🇩🇪', 4), 'a');
    assert.equal(fitText('e\u0301e\u0301', 3), 'e\u0301');
    assert.equal(fitText('👨‍👩‍👧x', 5), '');
  });

  it('a 200,000-character given name becomes 50 units; notes 1,024; a part of an address its column', () => {
    const c = normalizeContact({
      ...empty,
      givenName: 'G'.repeat(200_000),
      notes: 'n'.repeat(5000),
      addresses: [
        {
          type: 'work',
          street: 's'.repeat(600),
          city: 'c',
          region: '',
          postalCode: '9'.repeat(60),
          country: '',
        },
      ],
    });
    assert.equal(c.givenName.length, TEXT_LIMITS.name);
    assert.equal(c.notes.length, TEXT_LIMITS.notes);
    assert.equal(c.addresses[0]!.street.length, TEXT_LIMITS.street);
    assert.equal(c.addresses[0]!.postalCode.length, TEXT_LIMITS.postalCode);
  });

  it('drops a too-long email instead of cutting it, cuts a long phone, caps the lists', () => {
    const long = `${'a'.repeat(TEXT_LIMITS.email)}@example.com`;
    const c = normalizeContact({
      ...empty,
      emails: [
        { address: long, type: 'work' },
        ...Array.from({ length: 30 }, (_, i) => ({ address: `a${i}@x.io`, type: 'work' as const })),
      ],
      phones: [{ number: `+1 ${'5'.repeat(80)}`, type: 'mobile' }],
    });
    assert.equal(c.emails.length, LIST_LIMITS.emails);
    assert.equal(c.emails[0]!.address, 'a0@x.io');
    assert.equal(c.phones[0]!.number.length, TEXT_LIMITS.phone);
  });

  it('normalising is idempotent, so a fitted value read back is no edit (property)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 400 });
    const contact = fc.record({
      givenName: text,
      familyName: text,
      middleName: text,
      emails: fc.array(
        fc.record({ address: text, type: fc.constantFrom('work' as const, 'home' as const) }),
        { maxLength: 30 },
      ),
      phones: fc.array(fc.record({ number: text, type: fc.constant('mobile' as const) }), { maxLength: 30 }),
      company: text,
      jobTitle: text,
      department: text,
      addresses: fc.array(
        fc.record({
          type: fc.constant('home' as const),
          street: text,
          city: text,
          region: text,
          postalCode: text,
          country: text,
        }),
        { maxLength: 15 },
      ),
      birthday: fc.constant(''),
      notes: fc.string({ unit: 'grapheme', maxLength: 3000 }),
    });
    fc.assert(
      fc.property(contact, (c) => {
        const once = normalizeContact(c);
        assert.deepEqual(normalizeContact(once), once);
        for (const s of [once.givenName, once.notes, ...once.addresses.map((a) => a.street)])
          assert.ok(!/[\uD800-\uDBFF]$/.test(s), 'no lone high surrogate at the end');
      }),
      { numRuns: 200 },
    );
  });
});
