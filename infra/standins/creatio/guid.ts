import { createHash, randomUUID } from 'node:crypto';

export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
export const GUID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const GUID_RE = new RegExp(`^${GUID_PATTERN}$`);

export const isGuid = (s: string): boolean => GUID_RE.test(s);
export const newGuid = (): string => randomUUID();

/** A stable GUID derived from a name, for seed rows whose real GUIDs are unknown. */
export function nameGuid(namespace: string, name: string): string {
  const h = createHash('sha1').update(`${namespace}:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
