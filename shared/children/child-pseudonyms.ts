import { createHmac } from 'node:crypto';
import type { ChildDetails } from '../events/event-schemas';
import { birthBasis, type IdentifierKind, reportIdentifiers } from './child-identifiers';

/** One identifier of a report as the registry knows it: its kind, and the pseudonym its entry is keyed by. */
export interface IdentifierKey {
  kind: IdentifierKind;
  key: string;
}

/** A report's child as the registry sees them: pseudonyms only, never a name, number or date. */
export interface ChildPseudonyms {
  /** Each identifier the report carries, strongest first. */
  identifiers: IdentifierKey[];
  /** The date of birth's pseudonym, kept with the child to tell a report that gives another. */
  born: string;
  /** The id the child gets when this report is the first to name them: from its strongest identifier. */
  newChildId: string;
}

/**
 * HMAC-SHA-256 under the deployment's secret key, as 32 hex characters (128 bits): unlike a plain hash,
 * nobody without the key can recompute a child's keys from their name and birthday.
 */
const pseudonym = (key: string, basis: string): string =>
  createHmac('sha256', key).update(basis).digest('hex').slice(0, 32);

/** A key shorter than this is not a deployment's generated one: refuse it rather than pseudonymise weakly. */
const MIN_KEY_LENGTH = 32;

/** The secret's value as the registry's key, once it is seen to be long enough to be the generated one. */
export const checkedPseudonymKey = (secret: string | undefined): string => {
  if (!secret || secret.length < MIN_KEY_LENGTH) {
    throw new Error(`the pseudonym key secret holds fewer than ${MIN_KEY_LENGTH} characters`);
  }
  return secret;
};

export const childPseudonyms = (key: string, child: ChildDetails): ChildPseudonyms => {
  const identifiers = reportIdentifiers(child);
  // A report always carries a name and date of birth, so there is always a strongest identifier.
  const strongest = identifiers[0]?.basis as string;
  return {
    identifiers: identifiers.map(({ kind, basis }) => ({ kind, key: pseudonym(key, basis) })),
    born: pseudonym(key, birthBasis(child)),
    newChildId: pseudonym(key, `child:${strongest}`),
  };
};
