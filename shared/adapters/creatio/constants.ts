// Fixed Creatio GUIDs and names (reference §6.2, §6.4) and the mapping of canonical types onto them.
import type { AddressType, PhoneType } from '../../sync/index.js';

export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
/**
 * How Creatio shows, and takes, an empty date column (.NET's DateTime.MinValue): Creatio Academy's
 * OData 4 example answers a contact created with a name only with `"BirthDate": "0001-01-01T00:00:00Z"`.
 */
export const EMPTY_DATE = '0001-01-01T00:00:00Z';

export const COMMUNICATION_TYPE = {
  Email: 'ee1c85c3-cfcb-df11-9b2a-001d60e938c6',
  WorkPhone: '3dddb3cc-53ee-49c4-a71f-e9e257f59e49',
  MobilePhone: 'd4a2dc80-30ca-df11-9b2a-001d60e938c6',
  HomePhone: '0da6a26b-d7bc-df11-b00f-001d60e938c6',
  OtherPhone: '21c0d693-9a52-43fa-b7f1-c6d8b53975d4',
  MainPhone: '6a3fb10c-67cc-df11-9b2a-001d60e938c6',
  AdditionalPhone: '2b387201-67cc-df11-9b2a-001d60e938c6',
  Extension: 'e9d91e45-8d92-4e38-95a0-ef8aa28c9e7a',
  Fax: '9a7ab41b-67cc-df11-9b2a-001d60e938c6',
} as const;

export const PHONE_TYPE_ID: Readonly<Record<PhoneType, string>> = {
  mobile: COMMUNICATION_TYPE.MobilePhone,
  work: COMMUNICATION_TYPE.WorkPhone,
  home: COMMUNICATION_TYPE.HomePhone,
  main: COMMUNICATION_TYPE.MainPhone,
  fax: COMMUNICATION_TYPE.Fax,
  other: COMMUNICATION_TYPE.OtherPhone,
};

/** Phone rows we read; "Additional phone" and "Extension" have no canonical type of their own. */
export const PHONE_TYPE_BY_ID: ReadonlyMap<string, PhoneType> = new Map<string, PhoneType>([
  ...Object.entries(PHONE_TYPE_ID).map(([t, id]) => [id, t as PhoneType] as [string, PhoneType]),
  [COMMUNICATION_TYPE.AdditionalPhone, 'other'],
  [COMMUNICATION_TYPE.Extension, 'other'],
]);

export const FOLDER_TYPE = {
  Static: '9dc5f6e6-2a61-4de8-a059-de30f4e74f24',
  Dynamic: '65ca0946-0084-4874-b117-c13199af3b95',
} as const;

/**
 * AddressType rows are matched by Name because their GUIDs are not documented (reference §6.3).
 * "Shipping" and unknown types read as 'other'.
 */
export const ADDRESS_TYPE_NAME: Readonly<Record<AddressType, string>> = {
  work: 'Business',
  home: 'Home',
  other: 'Other',
};

/** A birthday without a year is stored in this leap year, so that 29 February survives. */
export const NO_YEAR = '1604';
