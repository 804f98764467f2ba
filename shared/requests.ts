// The shapes of what enters from outside (HTTP bodies, query strings, Pub/Sub messages), parsed once at
// the edge so the use cases see typed values only. Ids become Firestore document ids and URL parts,
// so one rule (isId) serves every way in (functions, messages, the tenant command): a narrow alphabet
// without `/`, at most 128 characters (Firestore allows 1,500 bytes), and none of the ids Firestore
// refuses: `.`, `..`, and any that starts and ends with `__` (reserved).
import { z } from 'zod';
import type { PreviewRequest, SyncRequest } from './ports.js';

export const ID_PATTERN = /^[A-Za-z0-9._@-]{1,128}$/;
const RESERVED = /^__.*__$/;

export const isId = (s: unknown): s is string =>
  typeof s === 'string' && ID_PATTERN.test(s) && s !== '.' && s !== '..' && !RESERVED.test(s);

export const id = z.string().refine(isId);

export const POLICIES = ['newest-wins', 'crm-wins', 'google-wins'] as const;

export const connectionKey = z.object({ tenantId: id, userId: id });

// Messages are ours: unknown fields are ignored, so a newer publisher does not stall an older consumer.
export const syncRequestSchema = z.object({
  tenantId: id,
  userId: id,
  trigger: z.enum(['schedule', 'manual', 'continuation']),
  runId: id,
  requestedAt: z.number().int().nonnegative(),
}) satisfies z.ZodType<SyncRequest>;

export const previewRequestSchema = z.object({
  kind: z.literal('preview'),
  tenantId: id,
  userId: id,
  previewId: id,
  requestedAt: z.number().int().nonnegative(),
}) satisfies z.ZodType<PreviewRequest>;

/** What the per-user topic carries: a sync request, or a preview job (told by its `kind`). */
export const userJobSchema = z.union([previewRequestSchema, syncRequestSchema]);

export const tickSchema = z.object({ tenantId: id });

export const syncNowSchema = z.strictObject({
  tenantId: id,
  userId: id,
  dryRun: z.boolean().optional(),
  confirmRemovals: z.boolean().optional(),
});

export const settingsSchema = z.strictObject({
  crmGroupId: id,
  intervalMinutes: z.number().int().min(5).max(1440),
  policy: z.enum(POLICIES),
  enabled: z.boolean(),
});

export const connectStartSchema = z.strictObject({ tenantId: id, userId: id, crmGroupId: id });

/** A sign-in link to the pages: for one user, or (admin: true) for the tenant's admin. */
export const signInLinkSchema = z.union([
  z.strictObject({ tenantId: id, userId: id }),
  z.strictObject({ tenantId: id, admin: z.literal(true) }),
]);

/** The settings form of the pages: strings, as a browser posts them. */
export const settingsFormSchema = z
  .object({
    crmGroupId: id,
    intervalMinutes: z.coerce.number().int().min(5).max(1440),
    policy: z.enum(POLICIES),
    enabled: z.literal('on').optional(),
  })
  .transform((f) => ({ ...f, enabled: f.enabled === 'on' }));

export const statusQuerySchema = z.strictObject({ tenantId: id, userId: id, runId: id.optional() });

/** The first failing field, for an error message that names it without echoing its value. */
export function firstIssue(error: z.ZodError, input: unknown): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  const where = issue.path.length > 0 ? issue.path.join('.') : 'the input';
  if (issue.code === 'unrecognized_keys') {
    const named = issue.keys.filter((k) => /^[A-Za-z0-9_]{1,40}$/.test(k));
    return named.length > 0 ? `unknown field ${named.join(', ')}` : 'unknown field';
  }
  let value: unknown = input;
  for (const key of issue.path)
    value =
      typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value === undefined ? `${where} is required` : `${where} is invalid`;
}
