// What the account holds, as far as a lookup by email needs to know: a 36-bit print of every email
// any of its contacts carried when the cursor's token was taken, and of every email seen or written
// since. Prints are never taken out (a changed or deleted contact's old emails are not told), so the
// set only answers "certainly not here": a lookup whose emails print nothing costs no request,
// where it would otherwise list the whole account. A full listing starts the set afresh.
import { emailKey } from '../../sync/index.js';
import { shortHash } from './cursor.js';
import type { Person } from './schemas.js';

/** 6 base64url characters: 36 bits, about one false "maybe" in 1.7 million lookups at 40,000 prints. */
const PRINT_CHARS = 6;
/**
 * Past this the set is dropped (and lookups list the account as before): it rides in the cursor, in
 * the connection's document, where 240 KB sits beside at most 200 KB of echoes under Firestore's 1 MiB.
 */
export const MAX_PRINTS = 40_000;

/** Of a key already normalised (emailKey). */
const printOf = (key: string): string => shortHash(key).slice(0, PRINT_CHARS);

export class AccountPrints {
  private readonly prints: Set<string>;

  constructor(prints: Iterable<string> = []) {
    this.prints = new Set(prints);
  }

  /** Null when the packed form is unreadable: no set, and lookups go by the account itself. */
  static unpack(packed: string): AccountPrints | null {
    if (packed.length % PRINT_CHARS !== 0 || !/^[A-Za-z0-9_-]*$/.test(packed)) return null;
    const out: string[] = [];
    for (let i = 0; i < packed.length; i += PRINT_CHARS) out.push(packed.slice(i, i + PRINT_CHARS));
    return new AccountPrints(out);
  }

  addEmails(emails: Iterable<string>): void {
    for (const e of emails) {
      const key = emailKey(e);
      if (key !== '') this.prints.add(printOf(key));
    }
  }

  addPerson(p: Person): void {
    this.addEmails((p.emailAddresses ?? []).map((e) => e.value ?? ''));
  }

  /** Whether a contact with this email may be in the account. */
  mayHold(email: string): boolean {
    return this.prints.has(printOf(emailKey(email)));
  }

  /** Null past MAX_PRINTS: too many to carry, so none are. */
  pack(): string | null {
    return this.prints.size > MAX_PRINTS ? null : [...this.prints].join('');
  }
}
