import { isValidNhsNumber, upnCheckLetter } from '../../shared/children/child-identifiers';

/** A valid NHS number for each n, all different: the nine digits from n, and their Modulus 11 check digit. */
export const nhsNumberFor = (n: number): string => {
  // Of two prefixes one apart (weight 2 on the last digit), at most one has no check digit.
  for (let m = 2 * n; ; m++) {
    const prefix = String(400_000_000 + m);
    for (let digit = 0; digit <= 9; digit++) {
      if (isValidNhsNumber(`${prefix}${digit}`)) return `${prefix}${digit}`;
    }
  }
};

/** A valid permanent UPN for each n below 100,000, all different. */
export const upnFor = (n: number): string => {
  const body = `8012000${String(n).padStart(5, '0')}`;
  return `${upnCheckLetter(`A${body}`)}${body}`;
};
