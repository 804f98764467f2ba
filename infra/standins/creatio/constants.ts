// Fixed GUIDs. CommunicationType and FolderType values are Creatio's (reference §6.2, §6.4).
// AddressType, Country and the user contacts other than Supervisor are unknown in the reference:
// the stand-in derives fixed GUIDs from their names (see README).
import { nameGuid } from './guid.js';

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
  Web: '6a8ba927-67cc-df11-9b2a-001d60e938c6',
  Skype: '09e4bda6-cfcb-df11-9b2a-001d60e938c6',
  Facebook: '2795dd03-bacf-e011-92c3-00155d04c01d',
  LinkedIn: 'ea0f3b0a-bacf-e011-92c3-00155d04c01d',
  Twitter: 'e7139487-bad3-e011-92c3-00155d04c01d',
  Google: 'efe5d7a2-5f38-e111-851e-00155d04c01d',
} as const;

export const COMMUNICATION_TYPE_NAMES: Record<keyof typeof COMMUNICATION_TYPE, string> = {
  Email: 'Email',
  WorkPhone: 'Business phone',
  MobilePhone: 'Mobile phone',
  HomePhone: 'Home phone',
  OtherPhone: 'Other phone',
  MainPhone: 'Main phone',
  AdditionalPhone: 'Additional phone',
  Extension: 'Extension',
  Fax: 'Fax',
  Web: 'Web',
  Skype: 'Skype',
  Facebook: 'Facebook',
  LinkedIn: 'LinkedIn',
  Twitter: 'Twitter',
  Google: 'Google',
};

export const FOLDER_TYPE = {
  Static: '9dc5f6e6-2a61-4de8-a059-de30f4e74f24',
  Dynamic: '65ca0946-0084-4874-b117-c13199af3b95',
  Favorite: '80c0c97d-51a7-4e32-a89e-d5f827705be4',
} as const;

export const ADDRESS_TYPE = {
  Home: nameGuid('AddressType', 'Home'),
  Business: nameGuid('AddressType', 'Business'),
  Shipping: nameGuid('AddressType', 'Shipping'),
  Other: nameGuid('AddressType', 'Other'),
} as const;

export const COUNTRIES = [
  'United States',
  'United Kingdom',
  'Germany',
  'France',
  'Ukraine',
  'Canada',
] as const;
export const countryId = (name: string): string => nameGuid('Country', name);

/** Supervisor's contact Id on a fresh Creatio (well known from demo databases; not in the reference). */
export const SUPERVISOR_CONTACT_ID = '410006e1-ca4e-4502-a9ec-e54d922d2c00';
export const userContactId = (userName: string): string =>
  userName === 'Supervisor' ? SUPERVISOR_CONTACT_ID : nameGuid('UserContact', userName);

/**
 * Contact columns mirrored into ContactCommunication (SRC Contact.CrtBase.cs, ContactCommunication.CrtBase.cs).
 * `toCommunication` is the Contact → detail direction; LinkedIn flows only detail → Contact there.
 */
/** AnniversaryType "Birthday", the type of the row Creatio mirrors `Contact.BirthDate` into (§6.1). */
export const BIRTHDAY_ANNIVERSARY_TYPE = '173d56d2-fdca-df11-9b2a-001d60e938c6';

export const MIRRORED_COLUMNS: readonly {
  column: string;
  typeId: string;
  social?: string;
  toCommunication: boolean;
}[] = [
  { column: 'Email', typeId: COMMUNICATION_TYPE.Email, toCommunication: true },
  { column: 'Phone', typeId: COMMUNICATION_TYPE.WorkPhone, toCommunication: true },
  { column: 'MobilePhone', typeId: COMMUNICATION_TYPE.MobilePhone, toCommunication: true },
  { column: 'HomePhone', typeId: COMMUNICATION_TYPE.HomePhone, toCommunication: true },
  { column: 'Skype', typeId: COMMUNICATION_TYPE.Skype, toCommunication: true },
  { column: 'Facebook', typeId: COMMUNICATION_TYPE.Facebook, social: 'FacebookId', toCommunication: true },
  { column: 'LinkedIn', typeId: COMMUNICATION_TYPE.LinkedIn, social: 'LinkedInId', toCommunication: false },
  { column: 'Twitter', typeId: COMMUNICATION_TYPE.Twitter, social: 'TwitterId', toCommunication: true },
];

export const mirrorByType = (typeId: string | null): (typeof MIRRORED_COLUMNS)[number] | undefined =>
  typeId === null ? undefined : MIRRORED_COLUMNS.find((m) => m.typeId === typeId);
