// Service document and a CSDL $metadata document generated from the schemas (reference §1).
import { SCHEMAS } from './schema.js';
import { edmType } from './values.js';

const NS = 'Terrasoft.Configuration.OData';
let cached: string | undefined;

export function serviceDocument(root: string): unknown {
  return {
    '@odata.context': `${root}/$metadata`,
    value: [...SCHEMAS.keys()].map((name) => ({ name, kind: 'EntitySet', url: name })),
  };
}

export function metadataXml(): string {
  if (cached) return cached;
  const types: string[] = [];
  const sets: string[] = [];
  for (const def of SCHEMAS.values()) {
    const props = def.columns.map((c) => {
      const nullable =
        c.name === 'Id' || c.type === 'String' || c.type === 'Boolean' || c.type === 'Int' ? 'false' : 'true';
      const size = c.maxLength === undefined ? '' : ` MaxLength="${c.maxLength}"`;
      return `<Property Name="${c.name}" Type="${edmType(c)}" Nullable="${nullable}"${size}/>`;
    });
    const navs = def.columns
      .filter((c) => c.lookup?.target)
      .map(
        (c) => `<NavigationProperty Name="${c.name.replace(/Id$/, '')}" Type="${NS}.${c.lookup!.target}"/>`,
      );
    types.push(
      `<EntityType Name="${def.name}"><Key><PropertyRef Name="Id"/></Key>${props.join('')}${navs.join('')}</EntityType>`,
    );
    sets.push(`<EntitySet Name="${def.name}" EntityType="${NS}.${def.name}"/>`);
  }
  cached =
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>' +
    `<Schema Namespace="${NS}" xmlns="http://docs.oasis-open.org/odata/ns/edm">${types.join('')}` +
    `<EntityContainer Name="Container">${sets.join('')}</EntityContainer></Schema>` +
    '</edmx:DataServices></edmx:Edmx>';
  return cached;
}
