// Documents in and out of Firestore. What comes back is parsed, not trusted: a corrupted or
// hand-edited document fails loudly here instead of steering a sync.
import { z } from 'zod';
import type { Checkpoint, Connection, LinkHead, RunSummary, Tenant } from '../../ports.js';
import type { Link } from '../../sync/index.js';
import { ADDRESS_TYPES, EMAIL_TYPES, PHONE_TYPES } from '../../sync/index.js';
import { SyncError } from '../../errors.js';

const contact = z.object({
  givenName: z.string(),
  familyName: z.string(),
  middleName: z.string(),
  emails: z.array(z.object({ address: z.string(), type: z.enum(EMAIL_TYPES) })),
  phones: z.array(z.object({ number: z.string(), type: z.enum(PHONE_TYPES) })),
  company: z.string(),
  jobTitle: z.string(),
  department: z.string(),
  addresses: z.array(
    z.object({
      type: z.enum(ADDRESS_TYPES),
      street: z.string(),
      city: z.string(),
      region: z.string(),
      postalCode: z.string(),
      country: z.string(),
    }),
  ),
  birthday: z.string(),
  notes: z.string(),
});

const perSide = <T extends z.ZodType>(t: T) => z.object({ crm: t, google: t });

const link = z.object({
  id: z.string(),
  crmId: z.string().nullable(),
  googleId: z.string().nullable(),
  status: z.enum(['active', 'pending', 'dormant']),
  pending: z
    .object({ side: z.enum(['crm', 'google']), since: z.number(), refused: z.number().optional() })
    .nullable(),
  inGroup: perSide(z.boolean()),
  versions: perSide(z.string().nullable()),
  extras: perSide(z.string().nullable()),
  base: contact.nullable(),
  syncedAt: z.number(),
  attention: z.boolean(),
  // Absent from links saved before it existed.
  leaving: z.array(z.enum(['crm', 'google'])).default([]),
});

export const checkpointSchema = z.object({
  cursors: perSide(z.string().nullable()),
  membersHash: perSide(z.string().nullable()),
  activeLinks: z.number(),
  dirty: z.boolean(),
  continuing: z.array(z.enum(['crm', 'google'])).optional(),
});

export const emptyCheckpoint = (): Checkpoint => ({
  cursors: { crm: null, google: null },
  membersHash: { crm: null, google: null },
  activeLinks: 0,
  dirty: false,
});

const runSummary = z.object({
  runId: z.string(),
  trigger: z.enum(['schedule', 'manual', 'continuation']),
  startedAt: z.number(),
  endedAt: z.number(),
  outcome: z.enum(['ok', 'partial', 'refused', 'failed', 'dry-run']),
  counts: z.record(z.string(), z.number()),
  error: z.string().nullable(),
  reason: z.string().nullable(),
});

const connection = z.object({
  tenantId: z.string(),
  userId: z.string(),
  crmGroupId: z.string(),
  intervalMinutes: z.number(),
  policy: z.enum(['newest-wins', 'crm-wins', 'google-wins']),
  enabled: z.boolean(),
  status: z.enum(['new', 'ok', 'partial', 'paused', 'needs-reconnect', 'error']),
  statusReason: z.string().nullable(),
  google: z.object({ sub: z.string(), email: z.string() }).nullable(),
  refreshTokenSealed: z.string().nullable(),
  lease: z
    .object({
      runId: z.string(),
      attempt: z.string(),
      trigger: z.enum(['schedule', 'manual', 'continuation']),
      until: z.number(),
      slot: z.number().int().nonnegative().optional(),
    })
    .nullable(),
  queuedRun: z.object({ runId: z.string(), at: z.number() }).nullable(),
  checkpoint: checkpointSchema,
  nextDueAt: z.number(),
  recentRuns: z.array(runSummary),
  allowLargeRemoval: z.boolean(),
  restoreDepartures: z.boolean().optional(),
  matchChoices: z
    .array(
      z.object({
        key: z.string(),
        pair: z.object({ crmId: z.string(), googleId: z.string() }).nullable(),
        at: z.number(),
        applied: z.boolean(),
      }),
    )
    .optional(),
  progress: z
    .object({
      runId: z.string(),
      phase: z.enum(['reading', 'planning', 'writing', 'finishing']),
      counts: z.record(z.string(), z.number()),
      at: z.number(),
    })
    .nullable()
    .optional(),
});

const tenant = z.object({
  tenantId: z.string(),
  apiKeyHash: z.string(),
  creatio: z.object({
    baseUrl: z.string(),
    auth: z.discriminatedUnion('mode', [
      z.object({ mode: z.literal('cookie'), userName: z.string(), passwordSealed: z.string() }),
      z.object({
        mode: z.literal('oauth'),
        clientId: z.string(),
        clientSecretSealed: z.string(),
        tokenUrl: z.string(),
      }),
    ]),
  }),
  defaults: z.object({
    intervalMinutes: z.number(),
    googleGroupName: z.string(),
    policy: z.enum(['newest-wins', 'crm-wins', 'google-wins']),
  }),
  maxConcurrentRuns: z.number().int().positive().optional(),
  creatioDailyBudget: z.number().int().positive().optional(),
  createdAt: z.number(),
});

function parse<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const r = schema.safeParse(data);
  if (!r.success)
    throw new SyncError('internal', `stored ${what} is malformed: ${r.error.issues[0]?.path.join('.')}`);
  return r.data;
}

/**
 * `watch` lets one query find every link that needs the next run's attention (`true`), and after
 * them a bounded number of the creates a full side refused (`'retry'`).
 */
export const linkToDoc = (l: Link): Record<string, unknown> => {
  const attention = l.attention || l.status === 'pending';
  const refused = !l.attention && l.status === 'pending' && l.pending?.refused !== undefined;
  return { ...l, watch: refused ? 'retry' : attention };
};
export const linkFromDoc = (d: unknown): Link => parse(link, d, 'link');
const head = link.pick({
  id: true,
  crmId: true,
  googleId: true,
  status: true,
  pending: true,
  inGroup: true,
  versions: true,
});
export const headFromDoc = (d: unknown): LinkHead => parse(head, d, 'link');
export const connectionFromDoc = (d: unknown): Connection => parse(connection, d, 'connection');
export const tenantFromDoc = (d: unknown): Tenant => parse(tenant, d, 'tenant');
export const summaryFromDoc = (d: unknown): RunSummary => parse(runSummary, d, 'run');

/** Scheduling needs one equality filter plus the due time: keep the eligibility in one field. */
export const schedulable = (c: Pick<Connection, 'enabled' | 'status' | 'google'>): boolean =>
  c.enabled && c.google !== null && c.status !== 'needs-reconnect' && c.status !== 'paused';
