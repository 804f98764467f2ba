// Strings a run holds by the ten thousand (ids, the extras each link keeps) are copied into one flat
// string when made. V8 keeps a string built from pieces (randomUUID() is 15, JSON.stringify a few) as a
// tree of nodes until something flattens it: a UUID takes about 490 bytes that way against 65 flat,
// and a first sync of 25,000 contacts a side holds some 100,000 of them.

/** The same text as one flat string; `s` must be well-formed UTF-16, as UUIDs and JSON.stringify's output are. */
export const flat = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');
