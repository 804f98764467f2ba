// Entity sets the stand-in serves, with the columns of reference §6 (Creatio 8.1 CrtBase). Columns
// that other packages add, binary columns (ContactPhoto, folder SearchData) and most lookup targets
// outside these fourteen sets are not modelled.

export type ColumnType = 'Guid' | 'String' | 'DateTime' | 'Date' | 'Boolean' | 'Int';

/** The OData (EDM) type each column type is exposed as. */
export const EDM_TYPE: Readonly<Record<ColumnType, string>> = {
  Guid: 'Edm.Guid',
  String: 'Edm.String',
  DateTime: 'Edm.DateTimeOffset',
  // Creatio exposes its Date columns as date-times (midnight UTC).
  Date: 'Edm.DateTimeOffset',
  Boolean: 'Edm.Boolean',
  Int: 'Edm.Int32',
};
/** Internal values: Guid lowercase or null (empty lookup), DateTime epoch ms, Date `YYYY-MM-DD`; null = empty. */
export type Value = string | number | boolean | null;
export type Row = Readonly<Record<string, Value>>;

export const SET_NAMES = [
  'Contact',
  'ContactCommunication',
  'ContactFolder',
  'ContactInFolder',
  'ContactAddress',
  'ContactAnniversary',
  'Account',
  'AddressType',
  'Country',
  'Region',
  'City',
  'CommunicationType',
  'FolderType',
  'Department',
] as const;
export type SetName = (typeof SET_NAMES)[number];

export interface LookupDef {
  /** Referenced set when it is modelled: the reference must exist, deletes follow `onDelete`. */
  target?: SetName;
  /** cascade = Creatio `IsCascade`; restrict = a plain foreign key (delete fails while referenced). */
  onDelete?: 'cascade' | 'restrict';
}

export interface ColumnDef {
  name: string;
  type: ColumnType;
  lookup?: LookupDef;
  /** Equality index (hash); lookups with a modelled target are always indexed for cascades. */
  indexed?: boolean;
  /** Range index (sorted), for watermark filters such as `ModifiedOn ge …`. */
  ordered?: boolean;
  /** Set by the server; values sent by clients are ignored (assumption, see README). */
  system?: boolean;
  /** Longest text a String column stores, in UTF-16 code units (nvarchar); absent = unlimited. */
  maxLength?: number;
}

export interface EntitySetDef {
  name: SetName;
  columns: readonly ColumnDef[];
  byName: ReadonlyMap<string, ColumnDef>;
}

// Creatio's text data types (README "Column sizes"): most columns are MediumText; which type each
// column has is assumed where the reference is silent.
const SHORT_TEXT = 50;
const MEDIUM_TEXT = 250;
const LONG_TEXT = 500;
const str = (name: string, extra: Partial<ColumnDef> = {}): ColumnDef => ({
  name,
  type: 'String',
  maxLength: MEDIUM_TEXT,
  ...extra,
});
const short = (name: string): ColumnDef => str(name, { maxLength: SHORT_TEXT });
const long = (name: string): ColumnDef => str(name, { maxLength: LONG_TEXT });
/** MaxSizeText: no limit. */
const unlimited = (name: string): ColumnDef => ({ name, type: 'String' });
const bool = (name: string): ColumnDef => ({ name, type: 'Boolean' });
const int = (name: string): ColumnDef => ({ name, type: 'Int' });
const lookup = (name: string, target?: SetName, onDelete: LookupDef['onDelete'] = 'restrict'): ColumnDef => ({
  name,
  type: 'Guid',
  lookup: target ? { target, onDelete } : {},
  indexed: target !== undefined,
});

const base = (): ColumnDef[] => [
  { name: 'Id', type: 'Guid' },
  { name: 'CreatedOn', type: 'DateTime', ordered: true, system: true },
  { ...lookup('CreatedById', 'Contact'), system: true },
  { name: 'ModifiedOn', type: 'DateTime', ordered: true, system: true },
  { ...lookup('ModifiedById', 'Contact'), system: true },
  int('ProcessListeners'),
];

const simpleLookup = (): ColumnDef[] => [...base(), str('Name'), str('Description')];

const defs: Record<SetName, ColumnDef[]> = {
  Contact: [
    ...base(),
    str('Name', { indexed: true }),
    lookup('OwnerId', 'Contact'),
    short('Dear'),
    lookup('SalutationTypeId'),
    lookup('GenderId'),
    lookup('AccountId', 'Account'),
    lookup('DecisionRoleId'),
    lookup('TypeId'),
    lookup('JobId'),
    str('JobTitle'),
    lookup('DepartmentId', 'Department'),
    { name: 'BirthDate', type: 'Date' },
    short('Phone'),
    short('MobilePhone'),
    short('HomePhone'),
    str('Skype'),
    str('Email', { indexed: true }),
    lookup('AddressTypeId', 'AddressType'),
    long('Address'),
    lookup('CityId', 'City'),
    lookup('RegionId', 'Region'),
    short('Zip'),
    lookup('CountryId', 'Country'),
    bool('DoNotUseEmail'),
    bool('DoNotUseCall'),
    bool('DoNotUseFax'),
    bool('DoNotUseSms'),
    bool('DoNotUseMail'),
    unlimited('Notes'),
    str('Facebook'),
    str('LinkedIn'),
    str('Twitter'),
    str('FacebookId'),
    str('LinkedInId'),
    str('TwitterId'),
    short('GPSN'),
    short('GPSE'),
    short('Surname'),
    short('GivenName'),
    short('MiddleName'),
    bool('Confirmed'),
    bool('IsEmailConfirmed'),
    int('Age'),
    lookup('LanguageId'),
    lookup('PhotoId'),
  ],
  ContactCommunication: [
    ...base(),
    lookup('ContactId', 'Contact', 'cascade'),
    lookup('CommunicationTypeId', 'CommunicationType'),
    str('Number', { indexed: true }),
    int('Position'),
    str('SocialMediaId'),
    bool('Primary'),
    bool('NonActual'),
    lookup('NonActualReasonId'),
    { name: 'DateSetNonActual', type: 'DateTime' },
    bool('IsCreatedBySynchronization'),
    str('ExternalCommunicationType'),
  ],
  ContactFolder: [
    ...simpleLookup(),
    lookup('ParentId', 'ContactFolder', 'cascade'),
    lookup('FolderTypeId', 'FolderType'),
    int('OptimizationType'),
  ],
  ContactInFolder: [
    ...base(),
    lookup('FolderId', 'ContactFolder', 'cascade'),
    lookup('ContactId', 'Contact', 'cascade'),
  ],
  ContactAddress: [
    ...base(),
    lookup('AddressTypeId', 'AddressType'),
    lookup('CountryId', 'Country'),
    lookup('RegionId', 'Region'),
    lookup('CityId', 'City'),
    long('Address'),
    short('Zip'),
    bool('Primary'),
    lookup('ContactId', 'Contact', 'cascade'),
  ],
  // BaseAnniversary (SRC ContactAnniversary.Base.cs); AnniversaryType is not a modelled set.
  ContactAnniversary: [
    ...base(),
    lookup('ContactId', 'Contact', 'cascade'),
    lookup('AnniversaryTypeId'),
    { name: 'Date', type: 'Date' },
  ],
  Account: [
    ...base(),
    str('Name', { indexed: true }),
    lookup('OwnerId', 'Contact'),
    lookup('PrimaryContactId', 'Contact'),
    short('Phone'),
    str('Web'),
    lookup('AddressTypeId', 'AddressType'),
    long('Address'),
    lookup('CityId', 'City'),
    lookup('RegionId', 'Region'),
    lookup('CountryId', 'Country'),
    short('Zip'),
    unlimited('Notes'),
  ],
  AddressType: simpleLookup(),
  Country: [...simpleLookup(), short('Code')],
  Region: [...simpleLookup(), lookup('CountryId', 'Country')],
  City: [...simpleLookup(), lookup('CountryId', 'Country'), lookup('RegionId', 'Region')],
  CommunicationType: simpleLookup(),
  FolderType: simpleLookup(),
  // The Department lookup of Contact.DepartmentId (SRC ContactSchema.CrtBase.cs); no seed rows.
  Department: simpleLookup(),
};

export const SCHEMAS: ReadonlyMap<SetName, EntitySetDef> = new Map(
  SET_NAMES.map((name) => {
    const columns = defs[name];
    return [name, { name, columns, byName: new Map(columns.map((c) => [c.name, c])) }];
  }),
);

export function schemaOf(name: SetName): EntitySetDef {
  const def = SCHEMAS.get(name);
  if (!def) throw new Error(`no schema for ${name}`);
  return def;
}

export const isSetName = (s: string): s is SetName => (SET_NAMES as readonly string[]).includes(s);

export function defaultValue(col: ColumnDef): Value {
  switch (col.type) {
    case 'String':
      return '';
    case 'Boolean':
      return false;
    case 'Int':
      return 0;
    default:
      return null;
  }
}

const referenceCache = new Map<SetName, { set: SetName; column: ColumnDef }[]>();

/** Columns of any set that point at `target` through a modelled lookup. */
export function referencesTo(target: SetName): readonly { set: SetName; column: ColumnDef }[] {
  let out = referenceCache.get(target);
  if (!out) {
    out = [];
    for (const def of SCHEMAS.values()) {
      for (const column of def.columns)
        if (column.lookup?.target === target) out.push({ set: def.name, column });
    }
    referenceCache.set(target, out);
  }
  return out;
}
