import { createHash } from 'node:crypto';
import type { ChildDetails } from '../events/event-schemas';

const normalise = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

/**
 * A stable, opaque id for a child within a council, from the strongest identifier the report carries
 * (NHS number, then UPN, then the local id, then name and date of birth). Hashed so that keys, queue
 * messages and logs can name the child without holding their details.
 */
export const childId = (councilId: string, child: ChildDetails): string => {
  const ids = child.identifiers;
  const basis = ids?.nhsNumber
    ? `nhs:${ids.nhsNumber}`
    : ids?.upn
      ? `upn:${ids.upn}`
      : ids?.localId
        ? `local:${ids.localId}`
        : `person:${normalise(child.familyName)}:${normalise(child.givenName)}:${child.dateOfBirth}`;
  return createHash('sha256').update(`${councilId}|${basis}`).digest('hex').slice(0, 32);
};
