// Contact Name <-> GivenName/MiddleName/Surname (reference §6.1; SRC Contact.CrtBase.cs,
// ContactGmsFieldConverter). The order is Creatio's `ContactFieldConverter` system setting.

/**
 * `GivenName MiddleName Surname`: Creatio's ContactGmsFieldConverter (observed in code).
 * `Surname GivenName MiddleName`: the Sgm order; its split rule is our assumption.
 * `none`: the setting is empty, and Creatio derives nothing.
 */
export type NameOrder = 'GivenName MiddleName Surname' | 'Surname GivenName MiddleName' | 'none';

export interface NameParts {
  GivenName: string;
  MiddleName: string;
  Surname: string;
}

export function splitName(name: string, order: NameOrder): NameParts {
  const words = name.split(' ').filter((w) => w !== '');
  const parts: NameParts = { GivenName: '', MiddleName: '', Surname: '' };
  if (words.length === 0) return parts;
  if (order === 'Surname GivenName MiddleName') {
    parts.Surname = words[0]!;
    parts.GivenName = words[1] ?? '';
    parts.MiddleName = words.slice(2).join(' ');
    return parts;
  }
  parts.GivenName = words[0]!;
  if (words.length >= 2) parts.Surname = words[words.length - 1]!;
  parts.MiddleName = words.slice(1, -1).join(' ');
  return parts;
}

export function joinName(p: NameParts, order: NameOrder): string {
  const seq =
    order === 'Surname GivenName MiddleName'
      ? [p.Surname, p.GivenName, p.MiddleName]
      : [p.GivenName, p.MiddleName, p.Surname];
  return seq.filter((s) => s !== '').join(' ');
}
