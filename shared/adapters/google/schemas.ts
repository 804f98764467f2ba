// The People API's JSON as it enters: every response is parsed here, so the rest of the adapter works
// with typed values. Field items stay loose objects because data we do not map must survive a
// round trip (see extras.ts); everything we read is typed.
import { z } from 'zod';

const optStr = z.string().optional();

const fieldMetadata = z.looseObject({ primary: z.boolean().optional() }).optional();

const item = <T extends z.ZodRawShape>(shape: T) => z.looseObject({ metadata: fieldMetadata, ...shape });

export const nameSchema = item({ givenName: optStr, familyName: optStr, middleName: optStr });
export const emailSchema = item({ value: optStr, type: optStr, displayName: optStr });
export const phoneSchema = item({ value: optStr, type: optStr });
export const organizationSchema = item({ name: optStr, title: optStr, department: optStr });
export const addressSchema = item({
  type: optStr,
  streetAddress: optStr,
  city: optStr,
  region: optStr,
  postalCode: optStr,
  country: optStr,
  formattedValue: optStr,
});
const dateSchema = z.object({
  year: z.number().int().optional(),
  month: z.number().int().optional(),
  day: z.number().int().optional(),
});
export const birthdaySchema = item({ date: dateSchema.optional(), text: optStr });
export const biographySchema = item({ value: optStr, contentType: optStr });

const sourceSchema = z.looseObject({ type: optStr, etag: optStr, updateTime: optStr });

export const personSchema = z.object({
  resourceName: z.string().min(1),
  etag: z.string().min(1),
  metadata: z
    .looseObject({ deleted: z.boolean().optional(), sources: z.array(sourceSchema).optional() })
    .optional(),
  names: z.array(nameSchema).optional(),
  emailAddresses: z.array(emailSchema).optional(),
  phoneNumbers: z.array(phoneSchema).optional(),
  organizations: z.array(organizationSchema).optional(),
  addresses: z.array(addressSchema).optional(),
  birthdays: z.array(birthdaySchema).optional(),
  biographies: z.array(biographySchema).optional(),
  clientData: z.array(z.looseObject({ key: optStr, value: optStr })).optional(),
  memberships: z
    .array(
      z.looseObject({
        contactGroupMembership: z
          .looseObject({ contactGroupResourceName: optStr, contactGroupId: optStr })
          .optional(),
      }),
    )
    .optional(),
});
export type Person = z.infer<typeof personSchema>;

/** A deletion in sync results: it carries no names or any other data, only its identity. */
export const tombstoneSchema = z.object({
  resourceName: z.string().min(1),
  metadata: z.looseObject({ deleted: z.literal(true) }),
});

const isDeletedShape = z.object({ metadata: z.object({ deleted: z.literal(true) }) });
export const isTombstone = (raw: unknown): boolean => isDeletedShape.safeParse(raw).success;

export const listConnectionsSchema = z.object({
  connections: z.array(z.unknown()).optional(),
  nextPageToken: optStr,
  nextSyncToken: optStr,
  totalItems: z.number().int().optional(),
  totalPeople: z.number().int().optional(),
});

const rpcStatus = z.looseObject({ code: z.number().int().optional(), message: optStr }).optional();

const personResponse = z.object({
  person: z.unknown().optional(),
  requestedResourceName: optStr,
  httpStatusCode: z.number().int().optional(),
  status: rpcStatus,
});
export type PersonResponse = z.infer<typeof personResponse>;

export const batchGetSchema = z.object({ responses: z.array(personResponse).optional() });
export const batchCreateSchema = z.object({ createdPeople: z.array(personResponse).optional() });
export const batchUpdateSchema = z.object({ updateResult: z.record(z.string(), personResponse).optional() });
export const searchSchema = z.object({
  results: z.array(z.object({ person: z.unknown() })).optional(),
});

/** What a write returns with readMask=metadata: identity and the new etag. */
export const writtenPersonSchema = z.object({
  resourceName: z.string().min(1),
  etag: z.string().min(1),
  metadata: z.looseObject({ sources: z.array(sourceSchema).optional() }).optional(),
});

export const groupSchema = z.object({
  resourceName: z.string().min(1),
  name: optStr,
  groupType: optStr,
  /** proto3 JSON drops a zero: an empty group has no memberCount at all. */
  memberCount: z.number().int().nonnegative().optional(),
});
export const listGroupsSchema = z.object({
  contactGroups: z.array(groupSchema).optional(),
  nextPageToken: optStr,
});

export const modifyMembersSchema = z.object({
  notFoundResourceNames: z.array(z.string()).optional(),
  canNotRemoveLastContactGroupResourceNames: z.array(z.string()).optional(),
});

/** google.rpc.Status envelope of every People API error. */
export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.number().int().optional(),
    message: optStr,
    status: optStr,
    details: z.array(z.looseObject({ '@type': optStr, reason: optStr })).optional(),
  }),
});

/** The flat RFC 6749 error of the OAuth token endpoint. */
export const oauthErrorSchema = z.object({ error: z.string(), error_description: optStr });

export const anything = z.unknown();
