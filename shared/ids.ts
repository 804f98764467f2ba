// Ids we make: records we create, links, pending creates.
import { randomUUID } from 'node:crypto';
import { flat } from './flat.js';

/** A random UUID, held as one flat string (see flat.ts). */
export const newId = (): string => flat(randomUUID());
