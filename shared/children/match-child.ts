import type { ChildIdentity, RecordReview, RegistryEntry, RegistryWrite } from '../ports';
import { type IdentifierKind, isSingular, strength } from './child-identifiers';
import type { ChildPseudonyms, IdentifierKey } from './child-pseudonyms';

export interface MatchInput {
  report: ChildPseudonyms;
  /** The registry entries of the report's identifiers that exist, by pseudonym. */
  entries: Readonly<Record<string, RegistryEntry>>;
  /** What the registry holds of the child the report's strongest known identifier names, when it was read. */
  identity?: ChildIdentity;
  /** A report sent under an episodeRef already known is about that episode's child, whatever it names. */
  episodeChild?: string;
  /** A child stored before the registry, to adopt when none of the report's identifiers is known. */
  adopt?: string;
}

export interface ChildMatch {
  childId: string;
  /** The report's identifiers to record (or re-stamp) as naming the child, and its date of birth. */
  record: RegistryWrite;
  review?: RecordReview;
}

const reviewOf = (
  reason: RecordReview['reason'],
  decidedBy: RecordReview['decidedBy'],
  conflicting: IdentifierKey[],
  other: RegistryEntry,
  children: [string, string],
): RecordReview => {
  const [a, b] = children;
  return {
    reason,
    decidedBy,
    conflicting: [...new Set<IdentifierKind>(conflicting.map((i) => i.kind))],
    other: { episodeId: other.episodeId, episodeRef: other.episodeRef },
    // Two children: the pair, in either order; one child's own record: the child and what is wrong with it.
    key: a === b ? `${a}:${reason}` : [a, b].sort().join(':'),
  };
};

/**
 * The registry's matching rules (the README states them). Identifiers match exactly (the pseudonyms are of
 * normalised values); nothing fuzzy is ever applied, and two children are never merged:
 * - no identifier known: a new child (or one stored before the registry, adopted);
 * - the strongest known identifier names the child, and the report adds its other identifiers to them,
 *   except any that already name another child or contradict this one;
 * - identifiers naming two children: the report joins the one the strongest names, and a person is asked;
 * - an NHS number or UPN other than the child's: stronger than what found the child, it is another child;
 *   weaker, the report joins the child; either way a person is asked, and the differing one is not added;
 * - a date of birth other than the child's, with a strong identifier: it joins the child, a person is asked,
 *   and its name and date of birth are not added.
 */
export const matchChild = (input: MatchInput): ChildMatch => {
  const { report, entries, identity, episodeChild } = input;
  const entryOf = (i: IdentifierKey) => entries[i.key];
  const first = report.identifiers.find((i) => entryOf(i) !== undefined);
  const found = first && (entryOf(first) as RegistryEntry);
  if (!episodeChild && !found) {
    return {
      childId: input.adopt ?? report.newChildId,
      record: { identifiers: report.identifiers, born: report.born },
    };
  }
  const childId = episodeChild ?? (found as RegistryEntry).childId;
  const decidedBy = episodeChild ? 'episodeRef' : (first as IdentifierKey).kind;

  const known = (kind: IdentifierKind | 'born') => identity?.[kind] ?? [];
  const differing = report.identifiers.filter(
    (i) => isSingular(i.kind) && !entryOf(i) && known(i.kind).length > 0 && !known(i.kind).includes(i.key),
  );
  const [strongestDiffering] = differing;
  if (first && found && strongestDiffering && strength(strongestDiffering.kind) < strength(first.kind)) {
    return {
      childId: report.newChildId,
      record: { identifiers: report.identifiers.filter((i) => !entryOf(i)), born: report.born },
      review: reviewOf('kept-apart', strongestDiffering.kind, [first], found, [report.newChildId, childId]),
    };
  }

  const elsewhere = report.identifiers.filter((i) => {
    const entry = entryOf(i);
    return entry !== undefined && entry.childId !== childId;
  });
  const bornDiffers = known('born').length > 0 && !known('born').includes(report.born);
  const recorded = report.identifiers.filter((i) => {
    const entry = entryOf(i);
    if (entry) return entry.childId === childId;
    return !differing.includes(i) && !(i.kind === 'person' && bornDiffers);
  });
  const [otherChild] = elsewhere;
  const review = otherChild
    ? reviewOf('two-children', decidedBy, elsewhere, entryOf(otherChild) as RegistryEntry, [
        childId,
        (entryOf(otherChild) as RegistryEntry).childId,
      ])
    : found && strongestDiffering
      ? reviewOf('identifier-differs', decidedBy, differing, found, [childId, childId])
      : found && bornDiffers
        ? reviewOf('born-differs', decidedBy, [], found, [childId, childId])
        : undefined;
  return {
    childId,
    record: { identifiers: recorded, ...(bornDiffers ? {} : { born: report.born }) },
    ...(review ? { review } : {}),
  };
};
