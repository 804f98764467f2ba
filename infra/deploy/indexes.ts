// infra/firestore.indexes.json (Firebase's format) is the single description of the indexes and the
// TTL policy; provisioning turns it into gcloud commands, so the file and the cloud cannot disagree.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const field = z.object({
  fieldPath: z.string().min(1),
  order: z.enum(['ASCENDING', 'DESCENDING']).optional(),
  arrayConfig: z.literal('CONTAINS').optional(),
});

const schema = z.object({
  indexes: z.array(
    z.object({
      collectionGroup: z.string().min(1),
      queryScope: z.enum(['COLLECTION', 'COLLECTION_GROUP']),
      fields: z.array(field).min(2),
    }),
  ),
  fieldOverrides: z.array(
    z.object({
      collectionGroup: z.string().min(1),
      fieldPath: z.string().min(1),
      ttl: z.boolean().optional(),
      // Only exemptions are supported: an empty list turns the field's automatic indexes off.
      indexes: z.array(z.never()).optional(),
    }),
  ),
});

export type IndexConfig = z.infer<typeof schema>;

export const INDEX_FILE = fileURLToPath(new URL('../firestore.indexes.json', import.meta.url));

export function parseIndexConfig(data: unknown): IndexConfig {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`firestore.indexes.json: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

export function loadIndexConfig(file = INDEX_FILE): IndexConfig {
  return parseIndexConfig(JSON.parse(readFileSync(file, 'utf8')));
}

export interface IndexCommand {
  title: string;
  args: string[];
}

export function indexCommands(config: IndexConfig, project: string): IndexCommand[] {
  const common = [`--project=${project}`, '--database=(default)'];
  const out: IndexCommand[] = [];
  for (const index of config.indexes) {
    const fields = index.fields.map((f) =>
      f.arrayConfig
        ? `--field-config=field-path=${f.fieldPath},array-config=contains`
        : `--field-config=field-path=${f.fieldPath},order=${(f.order ?? 'ASCENDING').toLowerCase()}`,
    );
    out.push({
      title: `Composite index on ${index.collectionGroup} (${index.fields.map((f) => f.fieldPath).join(', ')})`,
      args: [
        'firestore',
        'indexes',
        'composite',
        'create',
        `--collection-group=${index.collectionGroup}`,
        `--query-scope=${index.queryScope === 'COLLECTION' ? 'collection' : 'collection-group'}`,
        ...fields,
        ...common,
      ],
    });
  }
  for (const o of config.fieldOverrides) {
    const where = [o.fieldPath, `--collection-group=${o.collectionGroup}`];
    if (o.indexes && o.indexes.length === 0)
      out.push({
        title: `No automatic indexes on ${o.collectionGroup}.${o.fieldPath}`,
        args: ['firestore', 'indexes', 'fields', 'update', ...where, '--disable-indexes', ...common],
      });
    if (o.ttl)
      out.push({
        title: `TTL policy on ${o.collectionGroup}.${o.fieldPath}`,
        args: ['firestore', 'fields', 'ttls', 'update', ...where, '--enable-ttl', ...common],
      });
  }
  return out;
}
