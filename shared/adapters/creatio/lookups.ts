// Lookup values a contact points at (Account, Department, City, Region, Country, AddressType): names
// by id for reading, ids by name for writing, found or created, cached for the run. Names compare
// case-insensitively, as Creatio's SQL Server collation does.
import { newId as makeId } from '../../ids.js';
import type { AddressType } from '../../sync/index.js';
import { cleanText } from '../../sync/index.js';
import { ADDRESS_TYPE_NAME } from './constants.js';
import { isDuplicateKey } from './errors.js';
import type { CreatioHttp, SubRequest } from './http.js';
import { anyOf, chunkForFilter, guid, str } from './query.js';
import { scanAll, type ScanLimits, type ScanSpec } from './scan.js';
import { namedRow, type NamedRow } from './wire.js';

export type LookupSet = 'Account' | 'Department' | 'Country' | 'Region' | 'City';
const SETS: readonly LookupSet[] = ['Account', 'Department', 'Country', 'Region', 'City'];
const COLUMNS: Record<LookupSet, string[]> = {
  Account: ['Id', 'Name', 'CreatedOn'],
  Department: ['Id', 'Name', 'CreatedOn'],
  Country: ['Id', 'Name', 'CreatedOn'],
  Region: ['Id', 'Name', 'CreatedOn', 'CountryId'],
  City: ['Id', 'Name', 'CreatedOn', 'CountryId', 'RegionId'],
};

/** A place as an address names it; each part may be empty. */
export interface Place {
  city: string;
  region: string;
  country: string;
}

export interface ResolvedPlace {
  cityId: string | null;
  regionId: string | null;
  countryId: string | null;
}

const key = (name: string) => cleanText(name).toLowerCase();

export class Lookups {
  private readonly byId = new Map<LookupSet, Map<string, NamedRow>>(SETS.map((s) => [s, new Map()]));
  private readonly byName = new Map<LookupSet, Map<string, NamedRow[]>>(SETS.map((s) => [s, new Map()]));
  /** Names looked for and not found (so they are not searched twice in a run). */
  private readonly absent = new Map<LookupSet, Set<string>>(SETS.map((s) => [s, new Set()]));
  private addressTypes: NamedRow[] | null = null;

  constructor(
    private readonly http: CreatioHttp,
    private readonly budget: number,
    private readonly limits: ScanLimits,
    private readonly newId: () => string = makeId,
  ) {}

  private remember(set: LookupSet, rows: NamedRow[]): void {
    for (const r of rows) {
      if (this.byId.get(set)!.has(r.Id)) continue;
      this.byId.get(set)!.set(r.Id, r);
      const k = key(r.Name);
      const list = this.byName.get(set)!.get(k) ?? [];
      list.push(r);
      this.byName.get(set)!.set(k, list);
    }
  }

  /**
   * Names seen in an expansion, for reading only: finding a row by name for a write keeps its own
   * rules (oldest first), so these stay out of `byName`.
   */
  private readonly learnt = new Map<LookupSet, Map<string, string>>(SETS.map((s) => [s, new Map()]));

  learn(set: LookupSet, id: string | null, name: string): void {
    if (id !== null && !this.byId.get(set)!.has(id)) this.learnt.get(set)!.set(id, name);
  }

  name(set: LookupSet, id: string | null): string {
    return id === null ? '' : (this.byId.get(set)!.get(id)?.Name ?? this.learnt.get(set)!.get(id) ?? '');
  }

  addressType(id: string | null): AddressType {
    const name = this.addressTypes?.find((r) => r.Id === id)?.Name.toLowerCase();
    const hit = (Object.entries(ADDRESS_TYPE_NAME) as [AddressType, string][]).find(
      ([, n]) => n.toLowerCase() === name,
    );
    return hit ? hit[0] : 'other';
  }

  addressTypeId(t: AddressType): string | null {
    const want = ADDRESS_TYPE_NAME[t].toLowerCase();
    return this.addressTypes?.find((r) => r.Name.toLowerCase() === want)?.Id ?? null;
  }

  /** Reads the names of the given ids (and the address types) that the cache lacks, in one round. */
  async loadNames(
    needs: Partial<Record<LookupSet, Iterable<string | null>>>,
    addressTypes: boolean,
  ): Promise<void> {
    const specs: ScanSpec<typeof namedRow>[] = [];
    for (const set of SETS) {
      const ids = [...new Set(needs[set] ?? [])].filter(
        (id): id is string => id !== null && !this.byId.get(set)!.has(id) && !this.learnt.get(set)!.has(id),
      );
      for (const part of chunkForFilter(ids, (id) => `Id eq ${guid(id)}`, this.budget))
        specs.push(this.spec(set, anyOf('Id', part.map(guid))));
    }
    await this.run(specs, addressTypes);
  }

  private spec(set: LookupSet, filter: string): ScanSpec<typeof namedRow> {
    return { set, filter, select: COLUMNS[set], orderby: 'Id', row: namedRow, what: `${set} names` };
  }

  private async run(specs: ScanSpec<typeof namedRow>[], addressTypes: boolean): Promise<void> {
    const all = [...specs];
    if (addressTypes && this.addressTypes === null)
      all.push({
        set: 'AddressType',
        select: ['Id', 'Name'],
        orderby: 'Id',
        row: namedRow,
        what: 'address types',
      });
    if (all.length === 0) return;
    const results = await scanAll(this.http, all, this.limits);
    all.forEach((spec, i) => {
      if (spec.set === 'AddressType') this.addressTypes = results[i]!;
      else this.remember(spec.set as LookupSet, results[i]!);
    });
  }

  /**
   * Makes sure every named value has a row: finds them by name in one round, then creates the
   * missing ones (countries before the regions and cities that point at them) in one batch.
   */
  async ensure(
    wants: { Account?: string[]; Department?: string[]; places?: Place[] },
    addressTypes: boolean,
  ): Promise<void> {
    const names: Record<LookupSet, Set<string>> = {
      Account: new Set(wants.Account?.map(cleanText).filter(Boolean)),
      Department: new Set(wants.Department?.map(cleanText).filter(Boolean)),
      Country: new Set(wants.places?.map((p) => cleanText(p.country)).filter(Boolean)),
      Region: new Set(wants.places?.map((p) => cleanText(p.region)).filter(Boolean)),
      City: new Set(wants.places?.map((p) => cleanText(p.city)).filter(Boolean)),
    };
    const specs: ScanSpec<typeof namedRow>[] = [];
    for (const set of SETS) {
      const unknown = [...names[set]].filter(
        (n) => !this.byName.get(set)!.has(key(n)) && !this.absent.get(set)!.has(key(n)),
      );
      for (const part of chunkForFilter(unknown, (n) => `Name eq ${str(n)}`, this.budget)) {
        specs.push({ ...this.spec(set, anyOf('Name', part.map(str))), orderby: 'CreatedOn,Id' });
        part.forEach((n) => this.absent.get(set)!.add(key(n)));
      }
    }
    await this.run(specs, addressTypes);
    for (const set of SETS) for (const n of this.byName.get(set)!.keys()) this.absent.get(set)!.delete(n);

    const creates: { set: LookupSet; row: NamedRow; body: Record<string, unknown> }[] = [];
    const plan = (
      set: LookupSet,
      name: string,
      parents: { CountryId?: string | null; RegionId?: string | null },
    ) => {
      const row: NamedRow = {
        Id: this.newId(),
        Name: name,
        CountryId: parents.CountryId ?? null,
        RegionId: parents.RegionId ?? null,
      };
      const body: Record<string, unknown> = { Id: row.Id, Name: name };
      if (set === 'Region' || set === 'City') body.CountryId = row.CountryId;
      if (set === 'City') body.RegionId = row.RegionId;
      creates.push({ set, row, body });
      this.remember(set, [row]);
      return row.Id;
    };
    for (const set of ['Account', 'Department', 'Country'] as const)
      for (const n of names[set]) if (!this.pick(set, n)) plan(set, n, {});
    for (const p of wants.places ?? []) {
      const countryId = this.idOf('Country', p.country);
      if (cleanText(p.region) !== '' && !this.pick('Region', p.region, { CountryId: countryId }, true))
        plan('Region', cleanText(p.region), { CountryId: countryId });
      const regionId = this.pick('Region', p.region, { CountryId: countryId })?.Id ?? null;
      if (
        cleanText(p.city) !== '' &&
        !this.pick('City', p.city, { CountryId: countryId, RegionId: regionId }, true)
      )
        plan('City', cleanText(p.city), { CountryId: countryId, RegionId: regionId });
    }
    if (creates.length === 0) return;
    const subs: SubRequest[] = creates.map((c) => ({ method: 'POST', url: c.set, body: c.body }));
    const replies = await this.http.batch(subs, 'new lookup values');
    creates.forEach((c, i) => {
      const r = replies[i]!;
      // A repeated batch meets its own earlier insert: the row is there.
      if (r.status === 201 || r.status === 200 || isDuplicateKey(r.status, r.body)) return;
      // Forgotten, so the writes that need it fail instead of pointing at a row that is not there.
      this.forget(c.set, c.row);
    });
  }

  private forget(set: LookupSet, row: NamedRow): void {
    this.byId.get(set)!.delete(row.Id);
    const list =
      this.byName
        .get(set)!
        .get(key(row.Name))
        ?.filter((r) => r.Id !== row.Id) ?? [];
    if (list.length > 0) this.byName.get(set)!.set(key(row.Name), list);
    else this.byName.get(set)!.delete(key(row.Name));
  }

  /**
   * The row for a name, preferring one under the same parents. `exact` asks for a row whose parents
   * match (a "Springfield" in another region is not ours); otherwise the oldest with the name wins.
   */
  private pick(
    set: LookupSet,
    name: string,
    parents: { CountryId?: string | null; RegionId?: string | null } = {},
    exact = false,
  ): NamedRow | undefined {
    const rows = this.byName.get(set)!.get(key(name)) ?? [];
    const fits = (r: NamedRow) =>
      (parents.CountryId === undefined || parents.CountryId === null || r.CountryId === parents.CountryId) &&
      (parents.RegionId === undefined || parents.RegionId === null || r.RegionId === parents.RegionId);
    const best = rows.find(fits);
    return exact ? best : (best ?? rows[0]);
  }

  /** The id for a name after `ensure`; null for an empty name; undefined when it could not be had. */
  idOf(set: LookupSet, name: string): string | null {
    if (cleanText(name) === '') return null;
    return this.pick(set, name)?.Id ?? null;
  }

  /** Whether `ensure` failed to create a value this name needs. */
  unavailable(set: LookupSet, name: string): boolean {
    return cleanText(name) !== '' && this.idOf(set, name) === null;
  }

  place(p: Place): ResolvedPlace {
    const countryId = this.idOf('Country', p.country);
    const region =
      cleanText(p.region) === '' ? undefined : this.pick('Region', p.region, { CountryId: countryId });
    const regionId = region?.Id ?? null;
    const city =
      cleanText(p.city) === ''
        ? undefined
        : this.pick('City', p.city, { CountryId: countryId, RegionId: regionId });
    return { cityId: city?.Id ?? null, regionId, countryId };
  }
}
