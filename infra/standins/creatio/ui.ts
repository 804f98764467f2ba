// A human user working in the Creatio UI, for tests: edits go through the same entity service as
// the API (same ModifiedOn stamps, mirroring and cascades), as the named user, without counting
// as API calls. Values use the OData JSON form; rows come back as a GET would show them.
import type { AuthState } from './auth.js';
import type { Clock } from './clock.js';
import { COMMUNICATION_TYPE, FOLDER_TYPE } from './constants.js';
import type { EntityService, WriteCtx } from './entities.js';
import { badRequest } from './errors.js';
import { isGuid } from './guid.js';
import { parseQueryOptions, parseQueryString, runQuery } from './query.js';
import { isSetName, schemaOf, type Row, type SetName, type Value } from './schema.js';
import type { EntityStore } from './store.js';
import { fromJson, projectRow } from './values.js';

export type UiRow = Record<string, unknown>;

export interface UiCommunication {
  /** A CommunicationType name from COMMUNICATION_TYPE (e.g. 'Email', 'MobilePhone') or its GUID. */
  type: keyof typeof COMMUNICATION_TYPE | string;
  number: string;
  externalType?: string;
  primary?: boolean;
}

export interface UiDeps {
  svc: EntityService;
  store: EntityStore;
  clock: Clock;
  auth: AuthState;
}

export class CreatioUi {
  constructor(
    private readonly deps: UiDeps,
    readonly userName: string,
  ) {}

  /** The same UI, acting as another configured user (their time zone applies where Creatio uses it). */
  as(userName: string): CreatioUi {
    this.deps.auth.actorFor(userName);
    return new CreatioUi(this.deps, userName);
  }

  createContact(fields: Record<string, unknown> & { communications?: UiCommunication[] }): UiRow {
    const { communications, ...columns } = fields;
    const row = this.tx((ctx) => {
      const contact = this.deps.svc.insert('Contact', this.values('Contact', columns), ctx);
      for (const c of communications ?? [])
        this.deps.svc.insert('ContactCommunication', this.communication(contact.Id as string, c), ctx);
      return contact;
    });
    return this.show('Contact', row);
  }

  updateContact(id: string, fields: Record<string, unknown>): UiRow {
    return this.update('Contact', id, fields);
  }

  deleteContact(id: string): void {
    this.delete('Contact', id);
  }

  addCommunication(contactId: string, c: UiCommunication): UiRow {
    const row = this.tx((ctx) =>
      this.deps.svc.insert('ContactCommunication', this.communication(contactId, c), ctx),
    );
    return this.show('ContactCommunication', row);
  }

  updateCommunication(id: string, fields: Record<string, unknown>): UiRow {
    return this.update('ContactCommunication', id, fields);
  }

  deleteCommunication(id: string): void {
    this.delete('ContactCommunication', id);
  }

  createFolder(f: {
    name: string;
    dynamic?: boolean;
    parentId?: string;
    id?: string;
    description?: string;
  }): UiRow {
    const fields: Record<string, unknown> = {
      Name: f.name,
      FolderTypeId: f.dynamic ? FOLDER_TYPE.Dynamic : FOLDER_TYPE.Static,
    };
    if (f.parentId) fields.ParentId = f.parentId;
    if (f.id) fields.Id = f.id;
    if (f.description) fields.Description = f.description;
    return this.insert('ContactFolder', fields);
  }

  deleteFolder(id: string): void {
    this.delete('ContactFolder', id);
  }

  addToFolder(folderId: string, contactId: string): UiRow {
    return this.insert('ContactInFolder', { FolderId: folderId, ContactId: contactId });
  }

  /** Removes every membership row of the pair (duplicates can exist); returns how many went. */
  removeFromFolder(folderId: string, contactId: string): number {
    const ids = this.deps.svc
      .rowsBy('ContactInFolder', 'FolderId', folderId.toLowerCase())
      .filter((r) => r.ContactId === contactId.toLowerCase())
      .map((r) => r.Id as string);
    this.tx((ctx) => {
      for (const id of ids) this.deps.svc.delete('ContactInFolder', id, ctx);
    });
    return ids.length;
  }

  insert(set: SetName, fields: Record<string, unknown>): UiRow {
    return this.show(
      set,
      this.tx((ctx) => this.deps.svc.insert(set, this.values(set, fields), ctx)),
    );
  }

  update(set: SetName, id: string, fields: Record<string, unknown>): UiRow {
    return this.show(
      set,
      this.tx((ctx) => this.deps.svc.update(set, id.toLowerCase(), this.values(set, fields), ctx)),
    );
  }

  delete(set: SetName, id: string): void {
    this.tx((ctx) => this.deps.svc.delete(set, id.toLowerCase(), ctx));
  }

  get(set: SetName, id: string): UiRow | undefined {
    const row = this.deps.store.get(set, id.toLowerCase());
    return row ? projectRow(schemaOf(set), row, 'get') : undefined;
  }

  /** Rows of any set, optionally with OData query options (`$filter=…&$orderby=…`); no reply cap. */
  rows(set: SetName, query = ''): UiRow[] {
    if (!isSetName(set)) throw new Error(`unknown entity set ${String(set)}`);
    const def = schemaOf(set);
    const q = parseQueryOptions(
      parseQueryString(query.replace(/^\?/, '')),
      def,
      this.deps.store,
      'collection',
    );
    return runQuery(this.deps.store, def, q, { cap: Infinity, ramLimitMb: 0 }).rows.map((r) =>
      projectRow(def, r, 'get', q.select),
    );
  }

  count(set: SetName): number {
    return this.deps.store.size(set);
  }

  private communication(contactId: string, c: UiCommunication): Record<string, Value> {
    const typeId = isGuid(c.type)
      ? c.type.toLowerCase()
      : COMMUNICATION_TYPE[c.type as keyof typeof COMMUNICATION_TYPE];
    if (!typeId) throw badRequest(`Unknown communication type '${c.type}'.`);
    const v: Record<string, Value> = {
      ContactId: contactId.toLowerCase(),
      CommunicationTypeId: typeId,
      Number: c.number,
    };
    if (c.externalType !== undefined) v.ExternalCommunicationType = c.externalType;
    if (c.primary !== undefined) v.Primary = c.primary;
    return v;
  }

  private values(set: SetName, fields: Record<string, unknown>): Record<string, Value> {
    const def = schemaOf(set);
    const out: Record<string, Value> = {};
    for (const [k, v] of Object.entries(fields)) {
      const col = def.byName.get(k);
      if (!col) throw badRequest(`The property '${k}' does not exist on type '${set}'.`);
      out[k] = fromJson(col, v);
    }
    if (out.Id === null) delete out.Id;
    return out;
  }

  /** Runs one UI save atomically, as the acting user, at the clock's current time. */
  private tx<T>(f: (ctx: WriteCtx) => T): T {
    const { store, clock, auth } = this.deps;
    const ctx: WriteCtx = { actor: auth.actorFor(this.userName), now: clock.now() };
    return store.atomically(() => f(ctx));
  }

  /** The row as stored now (side effects after the save included), in GET form. */
  private show(set: SetName, row: Row): UiRow {
    return projectRow(schemaOf(set), this.deps.store.get(set, row.Id as string) ?? row, 'get');
  }
}
