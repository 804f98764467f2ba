// Demo and bulk data for local runs and benchmarks, entered as a UI user would (side effects apply).
import type { UiRow } from './ui.js';
import type { CreatioUi } from './ui.js';

export interface DemoData {
  staticFolderId: string;
  dynamicFolderId: string;
  contactIds: string[];
}

export function seedDemo(ui: CreatioUi): DemoData {
  const staticFolder = ui.createFolder({
    name: "bpm'online",
    description: 'Contacts synchronised with Google',
  });
  const dynamicFolder = ui.createFolder({ name: 'Active customers', dynamic: true });
  const account = ui.insert('Account', {
    Name: 'Acme Ltd',
    Phone: '+1 555 0100',
    Web: 'https://acme.example',
  });
  const people: Record<string, unknown>[] = [
    { Name: 'Ada Lovelace', Email: 'ada@example.com', MobilePhone: '+44 20 7946 0001', JobTitle: 'Analyst' },
    { GivenName: 'Alan', Surname: 'Turing', Email: 'alan@example.com', Phone: '+44 20 7946 0002' },
    { Name: "Miles O'Brien", Email: 'miles@example.com', AccountId: account.Id, BirthDate: '1970-09-01' },
    { Name: 'Grace Brewster Hopper', Email: 'grace@example.com', HomePhone: '+1 555 0102' },
    { Name: 'Linus Torvalds', Skype: 'linus.t' },
  ];
  const contactIds = people.map((p) => ui.createContact(p).Id as string);
  for (const id of contactIds.slice(0, 3)) ui.addToFolder(staticFolder.Id as string, id);
  return {
    staticFolderId: staticFolder.Id as string,
    dynamicFolderId: dynamicFolder.Id as string,
    contactIds,
  };
}

export interface BulkOptions {
  count: number;
  /** Static folder every contact joins. */
  folderId?: string;
  /** Give each contact an email and a mobile phone (mirrored into ContactCommunication). */
  communications?: boolean;
  prefix?: string;
}

/** Creates `count` contacts (bounded by the caller's count), for load tests. Returns their Ids. */
export function seedContacts(ui: CreatioUi, o: BulkOptions): string[] {
  const ids: string[] = [];
  const prefix = o.prefix ?? 'Bulk';
  for (let i = 0; i < o.count; i++) {
    const fields: Record<string, unknown> = {
      GivenName: `${prefix}${i}`,
      Surname: 'Contact',
      JobTitle: 'Tester',
    };
    if (o.communications) {
      fields.Email = `${prefix.toLowerCase()}${i}@example.com`;
      fields.MobilePhone = `+1 555 ${String(i).padStart(7, '0')}`;
    }
    const row: UiRow = ui.createContact(fields);
    ids.push(row.Id as string);
    if (o.folderId) ui.addToFolder(o.folderId, row.Id as string);
  }
  return ids;
}
