import type { ChildDetails } from '../events/event-schemas';

/**
 * The kinds of identifier a report can find its child by, strongest first: the NHS number, the Unique Pupil
 * Number, the council's local id, then the child's name with their date of birth ("person").
 */
export const identifierKinds = ['nhs', 'upn', 'local', 'person'] as const;
export type IdentifierKind = (typeof identifierKinds)[number];

/** Lower is stronger. */
export const strength = (kind: IdentifierKind): number => identifierKinds.indexOf(kind);

/** A child has one NHS number and one UPN: a report naming another one is a different child, or a mistake. */
export const isSingular = (kind: IdentifierKind): boolean => kind === 'nhs' || kind === 'upn';

/** One identifier a report carries, normalised: `basis` is what its pseudonym is computed from (never stored). */
export interface ReportIdentifier {
  kind: IdentifierKind;
  basis: string;
}

/** A name folded for matching: case, accents, spaces, hyphens and apostrophes (and any other punctuation) gone. */
export const foldName = (name: string): string =>
  name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');

export const nhsDigits = (nhsNumber: string): string => nhsNumber.replace(/\D/g, '');

/**
 * Every identifier the report carries, strongest first, each normalised so that the same child matches
 * exactly: NHS number digits only, UPN upper-case, local id as sent (trimmed), names folded.
 */
export const reportIdentifiers = (child: ChildDetails): ReportIdentifier[] => {
  const ids = child.identifiers;
  return [
    ...(ids?.nhsNumber ? [{ kind: 'nhs' as const, basis: `nhs:${nhsDigits(ids.nhsNumber)}` }] : []),
    ...(ids?.upn ? [{ kind: 'upn' as const, basis: `upn:${ids.upn.toUpperCase()}` }] : []),
    ...(ids?.localId ? [{ kind: 'local' as const, basis: `local:${ids.localId.trim()}` }] : []),
    {
      kind: 'person' as const,
      basis: `person:${foldName(child.familyName)}:${foldName(child.givenName)}:${child.dateOfBirth}`,
    },
  ];
};

/** What a date of birth's pseudonym is computed from, to compare it without storing it beside the identifiers. */
export const birthBasis = (child: ChildDetails): string => `born:${child.dateOfBirth}`;

/**
 * The NHS number's check digit (Modulus 11): the first nine digits weighted 10 down to 2, the sum's remainder
 * by 11 taken from 11 (11 reads as 0; 10 makes the number invalid) must be the tenth digit.
 */
export const isValidNhsNumber = (digits: string): boolean => {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
  const check = (11 - (sum % 11)) % 11;
  return check !== 10 && check === Number(digits[9]);
};

/** The letters of a UPN's check letter and of a temporary UPN's last character, by value: no I, O or S. */
const UPN_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/**
 * The Unique Pupil Number's check letter (DfE): characters 2 to 13 weighted by their position (a temporary
 * UPN's last letter counts as its value in the same alphabet), the sum's remainder by 23 as a letter.
 */
export const upnCheckLetter = (upn: string): string | undefined => {
  const body = upn.toUpperCase().slice(1);
  if (!/^\d{11}[0-9A-HJ-NP-RT-Z]$/.test(body)) return undefined;
  let sum = 0;
  for (const [i, char] of [...body].entries()) {
    const value = /\d/.test(char) ? Number(char) : UPN_LETTERS.indexOf(char);
    sum += value * (i + 2);
  }
  return UPN_LETTERS[sum % 23];
};

export const isValidUpn = (upn: string): boolean =>
  upn.length === 13 && upnCheckLetter(upn) === upn.charAt(0).toUpperCase();
