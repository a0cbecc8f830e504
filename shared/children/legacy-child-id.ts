import { createHash } from 'node:crypto';
import type { ChildDetails } from '../events/event-schemas';

const normalise = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

/**
 * The child id episodes were stored under before the child registry: a plain SHA-256 of the council and the
 * strongest identifier the report carried (NHS number, then UPN, then the local id, then name and date of
 * birth). Kept, byte for byte, only so that a report the registry has never seen can find a child stored
 * that way and adopt their id (the registry is filled lazily; see the README's matching rules).
 */
export const legacyChildId = (councilId: string, child: ChildDetails): string => {
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
