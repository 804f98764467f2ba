// Writing: batch creates, batch updates and group membership, one call at a time. Google rejects a
// batch as a whole for one bad item (nothing is written then), so a rejected batch is narrowed down
// to its culprits and the rest sent again, within fixed bounds.
import { SyncError } from '../../errors.js';
import type { CreateItem, ItemErrorKind, ItemResult, ItemResults, UpdateItem, Written } from '../../ports.js';
import { failureOf, type PeopleClient } from './client.js';
import { decodeExtra, encodeExtra, mergeExtra, type Extra } from './extras.js';
import { emailsOf, fieldEquals } from '../../sync/index.js';
import {
  contactToPerson,
  extraOf,
  newPerson,
  personFieldsOf,
  personToContact,
  type WritableField,
} from './mapping.js';
import { batchGet, countContacts } from './read.js';
import {
  batchCreateSchema,
  batchUpdateSchema,
  modifyMembersSchema,
  writtenPersonSchema,
  type PersonResponse,
} from './schemas.js';

export const BATCH_WRITE = 200;
export const MEMBERSHIP_BATCH = 1000;
const MY_CONTACTS = 'contactGroups/myContacts';
/** Halvings of a rejected batch: 200 → 1 takes 8. */
const MAX_SPLIT_DEPTH = 8;
/** Rounds of "drop the stale or vanished items, send the rest" per batch. */
const MAX_ROUNDS = 3;

export interface WriteContext {
  client: PeopleClient;
  group: string;
  /**
   * Called with every (resourceName, etag) our writes produced, for echo suppression, and the emails
   * the contact now carries, for the account's prints.
   */
  wrote: (id: string, etag: string, emails: string[]) => void;
  /**
   * `limit`: contacts one account holds. `full`: this run found the account full, so further creates
   * are refused without asking Google.
   */
  account: { limit: number; full: boolean };
}

/**
 * Contacts one Google account holds (reported, not documented: reference §5). The error Google
 * answers past it is not public either, so a refused create is judged by the account's count, and a
 * lone contact refused for a failed precondition tells a full account whose limit is lower.
 */
export const MAX_CONTACTS = 25_000;

const fail = (kind: ItemErrorKind, message: string): ItemResult<never> => ({
  ok: false,
  error: { kind, message },
});

/** A batch refused before anything was written: a 4xx other than auth, permission and quota. */
const isRejection = (e: unknown): boolean => {
  const f = failureOf(e);
  return (
    f !== null &&
    f.status !== null &&
    f.status >= 400 &&
    f.status < 500 &&
    ![401, 403, 429].includes(f.status)
  );
};

const itemOk = (r: PersonResponse | undefined): boolean => r !== undefined && (r.status?.code ?? 0) === 0;

// ---- create ----

interface CreateWork {
  key: string;
  body: Record<string, unknown>;
  extra: string | null;
  emails: string[];
}

export async function createContacts(ctx: WriteContext, items: CreateItem[]): Promise<ItemResults<Written>> {
  const out: ItemResults<Written> = new Map();
  // Also in My Contacts: a contact whose only group is ours could never leave it (Google refuses to
  // remove a contact's last group), and My Contacts is where the user expects to find it.
  const groups = [ctx.group, MY_CONTACTS];
  const work = items.map((i): CreateWork => {
    const body = newPerson(i.contact, groups, i.marker);
    return { key: i.key, body, extra: encodeExtra(extraOf(body)), emails: emailsOf(i.contact) };
  });
  for (let i = 0; i < work.length; i += BATCH_WRITE)
    await createBatch(ctx, work.slice(i, i + BATCH_WRITE), out, 0);
  return out;
}

async function createBatch(
  ctx: WriteContext,
  work: CreateWork[],
  out: ItemResults<Written>,
  depth: number,
): Promise<void> {
  if (work.length === 0) return;
  // Found full by an earlier batch of the run (or the last run, when this one rests): not asked again.
  if (ctx.account.full) {
    work.forEach((w) => out.set(w.key, fail('full', 'the google account is full')));
    return;
  }
  let res;
  try {
    // Never repeated on an unknown outcome (the client's 'create' kind): the pending link and the
    // marker settle it in the next run, where a blind retry could make a duplicate.
    res = await ctx.client.call('people.batchCreateContacts', 'create', batchCreateSchema, (o) =>
      ctx.client.api.people.batchCreateContacts(
        { requestBody: { contacts: work.map((w) => ({ contactPerson: w.body })), readMask: 'metadata' } },
        o,
      ),
    );
  } catch (e) {
    if (!isRejection(e)) throw e;
    // A full account refuses every batch: splitting would spend two requests per contact to learn
    // that. One count tells; what fits is sent, the rest refused without further requests.
    if (depth === 0) {
      const room = Math.max(0, ctx.account.limit - (await countContacts(ctx.client)));
      if (room < work.length) {
        for (const w of work.slice(room)) out.set(w.key, fail('full', 'the google account is full'));
        await createBatch(ctx, work.slice(0, room), out, depth + 1);
        ctx.account.full = true;
        return;
      }
    }
    // A lone contact refused for a failed precondition, not as invalid, is the account being full
    // whatever its count said (the limit is reported, not documented, and may be lower for this
    // account): the rest of the run's creates are refused without asking, as above.
    if (work.length === 1 && failureOf(e)?.grpcStatus === 'FAILED_PRECONDITION') {
      ctx.account.full = true;
      out.set(work[0]!.key, fail('full', 'the google account is full'));
      return;
    }
    if (work.length === 1 || depth >= MAX_SPLIT_DEPTH) {
      for (const w of work) out.set(w.key, fail('validation', 'google refused the contact'));
      return;
    }
    const half = Math.ceil(work.length / 2);
    await createBatch(ctx, work.slice(0, half), out, depth + 1);
    await createBatch(ctx, work.slice(half), out, depth + 1);
    return;
  }
  const created = res.createdPeople ?? [];
  if (created.length !== work.length)
    throw new SyncError('bad-response', 'google people.batchCreateContacts: answer count differs', {
      side: 'google',
    });
  work.forEach((w, i) => {
    const r = created[i];
    const person = writtenPersonSchema.safeParse(r?.person);
    if (!itemOk(r) || !person.success) {
      out.set(w.key, fail('failed', `google create item status ${r?.status?.code ?? '?'}`));
      return;
    }
    ctx.wrote(person.data.resourceName, person.data.etag, w.emails);
    out.set(w.key, {
      ok: true,
      value: { id: person.data.resourceName, version: person.data.etag, extra: w.extra },
    });
  });
}

// ---- update ----

interface UpdateWork {
  id: string;
  etag: string;
  fields: WritableField[];
  body: Record<string, unknown>;
  extra: string | null;
  emails: string[];
}

export async function updateContacts(ctx: WriteContext, items: UpdateItem[]): Promise<ItemResults<Written>> {
  const out: ItemResults<Written> = new Map();
  const fieldsOf = new Map(items.map((i) => [i.id, personFieldsOf(i.fields)]));
  // A membership change rotated the etag without telling us the new one: read it, and with it the
  // unmapped data of the fields we are about to replace, which is then the freshest there is. Those
  // fields holding other than what the plan saw were edited since: the etag read now would let the
  // write overwrite that edit, so the pair is handed back to be merged again, as for a stale etag.
  const unknown = items.filter((i) => i.version === null);
  const current = new Map<string, { etag: string; extra: Extra }>();
  if (unknown.length > 0) {
    const masks = new Set(unknown.flatMap((i) => fieldsOf.get(i.id)!));
    const got = await batchGet(
      ctx.client,
      unknown.map((i) => i.id),
      ['metadata', ...masks].join(','),
    );
    const byId = new Map(unknown.map((i) => [i.id, i]));
    for (const p of got.people) {
      const item = byId.get(p.resourceName);
      const now = personToContact(p).contact;
      if (item && item.fields.some((f) => !fieldEquals(now, item.held, f)))
        out.set(p.resourceName, fail('stale', 'the contact was edited since it was read'));
      else current.set(p.resourceName, { etag: p.etag, extra: extraOf(p) });
    }
    for (const id of got.missing) out.set(id, fail('not-found', 'google contact no longer exists'));
  }
  const work: UpdateWork[] = [];
  for (const i of items) {
    if (out.has(i.id)) continue;
    const fields = fieldsOf.get(i.id)!;
    const known = current.get(i.id);
    const etag = i.version ?? known?.etag;
    if (etag === undefined) {
      out.set(i.id, fail('not-found', 'google contact no longer exists'));
      continue;
    }
    const kept = decodeExtra(i.extra);
    const base = known ? mergeExtra(kept, known.extra, fields) : kept;
    if (fields.length === 0) {
      // Nothing of ours changed: nothing to write, the record stands as it is.
      out.set(i.id, { ok: true, value: { id: i.id, version: etag, extra: encodeExtra(base) } });
      continue;
    }
    const body = contactToPerson(i.contact, fields, base);
    const extra = encodeExtra(mergeExtra(base, extraOf(body), fields));
    work.push({ id: i.id, etag, fields, body: { etag, ...body }, extra, emails: emailsOf(i.contact) });
  }
  // One mask per call: a mask names fields replaced wholesale, so items may share a call only when
  // they change the same Person fields.
  const byMask = new Map<string, UpdateWork[]>();
  for (const w of work) byMask.set(w.fields.join(','), [...(byMask.get(w.fields.join(',')) ?? []), w]);
  for (const [mask, list] of byMask)
    for (let i = 0; i < list.length; i += BATCH_WRITE)
      await updateBatch(ctx, mask, list.slice(i, i + BATCH_WRITE), out, 0);
  return out;
}

async function updateBatch(
  ctx: WriteContext,
  mask: string,
  work: UpdateWork[],
  out: ItemResults<Written>,
  depth: number,
): Promise<void> {
  let pending = work;
  for (let round = 0; round < MAX_ROUNDS && pending.length > 0; round++) {
    let res;
    try {
      // Repeating an update is harmless: the etag makes a second application fail as stale.
      res = await ctx.client.call('people.batchUpdateContacts', 'idempotent', batchUpdateSchema, (o) =>
        ctx.client.api.people.batchUpdateContacts(
          {
            requestBody: {
              contacts: Object.fromEntries(pending.map((w) => [w.id, w.body])),
              updateMask: mask,
              readMask: 'metadata',
            },
          },
          o,
        ),
      );
    } catch (e) {
      if (!isRejection(e)) throw e;
      const culprits = await findCulprits(ctx, pending, out);
      if (culprits > 0) {
        pending = pending.filter((w) => !out.has(w.id));
        continue;
      }
      if (pending.length === 1 || depth >= MAX_SPLIT_DEPTH) {
        for (const w of pending) out.set(w.id, fail('validation', 'google refused the update'));
        return;
      }
      const half = Math.ceil(pending.length / 2);
      await updateBatch(ctx, mask, pending.slice(0, half), out, depth + 1);
      await updateBatch(ctx, mask, pending.slice(half), out, depth + 1);
      return;
    }
    const results = res.updateResult ?? {};
    for (const w of pending) {
      const r = results[w.id];
      const person = writtenPersonSchema.safeParse(r?.person);
      if (!itemOk(r) || !person.success) {
        out.set(w.id, fail('failed', `google update item status ${r?.status?.code ?? '?'}`));
        continue;
      }
      ctx.wrote(w.id, person.data.etag, w.emails);
      out.set(w.id, { ok: true, value: { id: w.id, version: person.data.etag, extra: w.extra } });
    }
    return;
  }
  for (const w of pending) if (!out.has(w.id)) out.set(w.id, fail('failed', 'google update did not settle'));
}

/**
 * Which items sank the batch: those edited since we read them (stale etag) or deleted. Google's
 * batch error does not name them, so their current etags are read and compared.
 */
async function findCulprits(
  ctx: WriteContext,
  work: UpdateWork[],
  out: ItemResults<Written>,
): Promise<number> {
  const got = await batchGet(
    ctx.client,
    work.map((w) => w.id),
    'metadata',
  );
  const etags = new Map(got.people.map((p) => [p.resourceName, p.etag]));
  let found = 0;
  for (const w of work) {
    const now = etags.get(w.id);
    if (now === undefined) out.set(w.id, fail('not-found', 'google contact no longer exists'));
    else if (now !== w.etag) out.set(w.id, fail('stale', 'google contact changed since it was read'));
    else continue;
    found += 1;
  }
  return found;
}

// ---- membership ----

export async function modifyMembers(
  ctx: WriteContext,
  ids: string[],
  add: boolean,
): Promise<ItemResults<null>> {
  const out: ItemResults<null> = new Map();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += MEMBERSHIP_BATCH) {
    const names = unique.slice(i, i + MEMBERSHIP_BATCH);
    const res = await modify(ctx, ctx.group, names, add);
    const notFound = new Set(res.notFoundResourceNames ?? []);
    let lastGroup = new Set(res.canNotRemoveLastContactGroupResourceNames ?? []);
    if (!add && lastGroup.size > 0) {
      // Google keeps every contact in at least one group: give these My Contacts, then leave ours.
      await modify(ctx, MY_CONTACTS, [...lastGroup], true);
      const again = await modify(ctx, ctx.group, [...lastGroup], false);
      for (const id of again.notFoundResourceNames ?? []) notFound.add(id);
      lastGroup = new Set(again.canNotRemoveLastContactGroupResourceNames ?? []);
    }
    for (const id of names) {
      if (notFound.has(id)) out.set(id, fail('not-found', 'google contact no longer exists'));
      else if (lastGroup.has(id)) out.set(id, fail('failed', 'google contact cannot leave its last group'));
      else out.set(id, { ok: true, value: null });
    }
  }
  return out;
}

function modify(ctx: WriteContext, group: string, names: string[], add: boolean) {
  return ctx.client.call('contactGroups.members.modify', 'idempotent', modifyMembersSchema, (o) =>
    ctx.client.api.contactGroups.members.modify(
      {
        resourceName: group,
        requestBody: add ? { resourceNamesToAdd: names } : { resourceNamesToRemove: names },
      },
      o,
    ),
  );
}
