// The CRM record version: what a full read compares with the version a link holds.
import assert from 'node:assert/strict';
import {
  crmVersion,
  hasUntracedRows,
  namesDigest,
  parseVersion,
} from '../../../../shared/adapters/creatio/version.js';

describe('Creatio side: record versions', () => {
  it('round-trips ModifiedOn (any precision Creatio writes), the rows flag and the names digest', () => {
    const v = crmVersion('2024-05-23T09:00:00.1234567Z', true, 'Acme', 'Sales');
    assert.deepEqual(parseVersion(v), {
      at: Date.parse('2024-05-23T09:00:00.123Z'),
      rows: true,
      names: namesDigest('Acme', 'Sales'),
    });
    assert.equal(crmVersion(Date.parse('2024-05-23T09:00:00.123Z'), true, 'Acme', 'Sales'), v);
  });

  it('names compare as Creatio does: case and spacing aside; a rename changes the digest', () => {
    assert.equal(namesDigest(' ACME ', 'sales'), namesDigest('Acme', 'Sales'));
    assert.notEqual(namesDigest('Acme', ''), namesDigest('Acme Ltd', ''));
    assert.notEqual(namesDigest('Acme', ''), namesDigest('', 'Acme'));
  });

  it('an older plain ModifiedOn or anything else reads as unknown', () => {
    assert.equal(parseVersion('2024-05-23T09:00:00.000Z'), null);
    assert.equal(parseVersion(null), null);
    assert.equal(parseVersion('x|fAAAAAAAA'), null);
  });

  it('rows whose deletion leaves no trace: a second row of one type, or any address', () => {
    const row = (t: string) => ({ CommunicationTypeId: t });
    assert.equal(hasUntracedRows([row('email'), row('mobile')], 0), false);
    assert.equal(hasUntracedRows([row('email'), row('email')], 0), true);
    assert.equal(hasUntracedRows([], 1), true);
  });
});
