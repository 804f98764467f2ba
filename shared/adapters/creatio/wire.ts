// Zod schemas for what Creatio answers: every reply is parsed here, at the edge, and the rest of the
// adapter works with typed rows only. Unknown properties are dropped; empty lookups become null.
import { z } from 'zod';
import { SyncError } from '../../errors.js';
import { EMPTY_DATE, EMPTY_GUID } from './constants.js';

/** Creatio's empty date, in the forms it may take (date-time at midnight UTC, or a bare date). */
export const isEmptyDate = (s: string): boolean => s.slice(0, 10) === EMPTY_DATE.slice(0, 10);

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const id = z
  .string()
  .regex(GUID)
  .transform((s) => s.toLowerCase());
/** A lookup column: the all-zero GUID (or null) means empty. */
const lookup = z
  .string()
  .regex(GUID)
  .nullable()
  .optional()
  .transform((s) => (s === null || s === undefined || s === EMPTY_GUID ? null : s.toLowerCase()));
/** A date column: Creatio's empty date (or null) means empty. */
const day = z
  .string()
  .nullable()
  .optional()
  .transform((s) => (s === null || s === undefined || isEmptyDate(s) ? null : s));
const text = z
  .string()
  .nullable()
  .optional()
  .transform((s) => s ?? '');
/** Edm.DateTimeOffset as Creatio writes it (`…Z` or with an offset). */
const instant = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)));
const flag = z
  .boolean()
  .nullable()
  .optional()
  .transform((b) => b === true);
const int = z
  .number()
  .int()
  .nullable()
  .optional()
  .transform((n) => n ?? 0);

export const CONTACT_COLUMNS = [
  'Id',
  'ModifiedOn',
  'GivenName',
  'MiddleName',
  'Surname',
  'Email',
  'AccountId',
  'DepartmentId',
  'JobTitle',
  'BirthDate',
  'Notes',
] as const;
export const contactRow = z.object({
  Id: id,
  ModifiedOn: instant,
  GivenName: text,
  MiddleName: text,
  Surname: text,
  Email: text,
  AccountId: lookup,
  DepartmentId: lookup,
  JobTitle: text,
  BirthDate: day,
  Notes: text,
});
export type ContactRow = z.infer<typeof contactRow>;

export const COMMUNICATION_COLUMNS = [
  'Id',
  'ContactId',
  'CommunicationTypeId',
  'Number',
  'ExternalCommunicationType',
  'Position',
  'CreatedOn',
  'ModifiedOn',
] as const;
export const communicationRow = z.object({
  Id: id,
  ContactId: lookup,
  CommunicationTypeId: lookup,
  Number: text,
  ExternalCommunicationType: text,
  Position: int,
  CreatedOn: instant,
  ModifiedOn: instant,
});
export type CommunicationRow = z.infer<typeof communicationRow>;

export const ADDRESS_COLUMNS = [
  'Id',
  'ContactId',
  'AddressTypeId',
  'Address',
  'Zip',
  'CityId',
  'RegionId',
  'CountryId',
  'Primary',
  'CreatedOn',
  'ModifiedOn',
] as const;
export const addressRow = z.object({
  Id: id,
  ContactId: lookup,
  AddressTypeId: lookup,
  Address: text,
  Zip: text,
  CityId: lookup,
  RegionId: lookup,
  CountryId: lookup,
  Primary: flag,
  CreatedOn: instant,
  ModifiedOn: instant,
});
export type AddressRow = z.infer<typeof addressRow>;

export const memberRow = z.object({ Id: id, ContactId: lookup });

/** A lookup's expanded entity (`$expand=Account($select=Name)`): null when the lookup is empty. */
const namedNav = z
  .object({ Name: text })
  .nullable()
  .optional()
  .transform((n) => n?.Name ?? '');

/** A membership row with its contact's ModifiedOn (`$expand=Contact($select=Id,ModifiedOn)`). */
export const memberVersionRow = z.object({
  Id: id,
  ContactId: lookup,
  Contact: z.object({ Id: id, ModifiedOn: instant }).nullable().optional(),
});
export type MemberVersionRow = z.infer<typeof memberVersionRow>;

/** A membership row with its contact's columns and the names of its Account and Department. */
export const memberContactRow = z.object({
  Id: id,
  ContactId: lookup,
  Contact: contactRow.extend({ Account: namedNav, Department: namedNav }).nullable().optional(),
});
export type MemberContactRow = z.infer<typeof memberContactRow>;
export type MemberRow = z.infer<typeof memberRow>;

export const changeRow = z.object({ Id: id, ModifiedOn: instant, ContactId: lookup });
export type ChangeRow = z.infer<typeof changeRow>;

export const namedRow = z.object({
  Id: id,
  Name: text,
  CreatedOn: instant.optional(),
  CountryId: lookup,
  RegionId: lookup,
});
export type NamedRow = z.infer<typeof namedRow>;

export const emailHitRow = z.object({ Id: id, ContactId: lookup, Number: text });

export const folderRow = z.object({ Id: id, FolderTypeId: lookup });

export const folderListRow = z.object({ Id: id, Name: text, FolderTypeId: lookup });

export const idRow = z.object({ Id: id, ModifiedOn: instant.optional() });

export const collection = <T extends z.ZodType>(row: T) =>
  z.object({ value: z.array(row), '@odata.count': z.number().int().nonnegative().optional() });

export const batchReply = z.object({
  responses: z.array(
    z.object({
      id: z.union([z.string(), z.number()]).transform(String),
      status: z.number().int(),
      headers: z.record(z.string(), z.unknown()).optional(),
      body: z.unknown().optional(),
    }),
  ),
});

export const loginReply = z.object({ Code: z.number() });

export const tokenReply = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer'),
});

/** The OData error envelope, read only to recognise the RAM-limit and key-violation answers. */
export const errorBody = z.object({
  error: z.object({
    message: z.string().optional(),
    innererror: z.object({ message: z.string().optional() }).optional(),
  }),
});

/** Parses `value` or throws 'bad-response' naming only what was expected (never echoing the data). */
export function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new SyncError('bad-response', `Creatio answered an unexpected shape for ${what}`, { side: 'crm' });
  return r.data;
}
