import type { IdentifierKind } from '../children/child-identifiers';
import type { CouncilConfig } from '../council/council-schema';
import type { EpisodeRecord, RecordReview, StoredEvent } from '../ports';
import type { Recipient } from '../routing/recipients';
import { formatLocal } from '../time/instant';
import { type RenderedEmail, renderEmail } from './email-document';
import { contactsSection } from './episode-sections';

const kindWords: Record<IdentifierKind | 'episodeRef', string> = {
  nhs: 'NHS number',
  upn: 'Unique Pupil Number',
  local: 'local id',
  person: 'name and date of birth',
  episodeRef: 'episode reference',
};

/** "NHS number", "UPN and local id": the kinds only, never a value. */
const words = (kinds: readonly (IdentifierKind | 'episodeRef')[]): string => {
  const all = kinds.map((kind) => kindWords[kind]);
  return all.length > 1 ? `${all.slice(0, -1).join(', ')} and ${all.at(-1)}` : (all[0] ?? 'identifier');
};

/** What the registry found, in a sentence or two naming the two records by reference. */
const finding = (review: RecordReview, here: string, there: string): string => {
  const by = words([review.decidedBy]);
  const other = words(review.conflicting);
  switch (review.reason) {
    case 'two-children':
      return review.decidedBy === 'episodeRef'
        ? `It was sent under a reference of episode ${here}, but by its ${other} it is the child of episode ${there}, a different child in this pipeline. It was added to episode ${here}: nothing was merged.`
        : `By its ${by} it is the child of episode ${here}; by its ${other}, the child of episode ${there}, a different child in this pipeline. It was added to episode ${here}, as the ${by} is the stronger identifier: nothing was merged.`;
    case 'kept-apart':
      return `By its ${other} it matches the child of episode ${there}, but that child is recorded with another ${by}. It was recorded as a different child, in episode ${here}: nothing was merged.`;
    case 'identifier-differs':
      return `By its ${by} it is the child of episode ${there}, but that child is recorded with another ${other}. It was added to that child's episode ${here}; its ${other} was not recorded for them.`;
    case 'born-differs':
      return `By its ${by} it is the child of episode ${there}, but that child is recorded with another date of birth. It was added to that child's episode ${here}; its name and date of birth were not recorded for them.`;
  }
};

/**
 * The email that asks the council's managers to decide whether two records are one child: the registry
 * found a report's identifiers pointing at two children, or at a child recorded with another NHS number, UPN
 * or date of birth, and merged nothing. It names both episode references and the kinds of identifier
 * involved, never a name, number or date (the managers hold none of the child's identity), and says what
 * to do either way.
 */
export const reviewEmail = (input: {
  review: RecordReview;
  /** The report that raised it, and the episode it is in now. */
  report: StoredEvent;
  episode: EpisodeRecord;
  council: CouncilConfig;
  recipient: Recipient;
}): RenderedEmail => {
  const { review, report, episode, council, recipient } = input;
  const reportRef = report.event.data.episodeRef;
  const here = episode.state.episodeRef;
  const there = review.other.episodeRef;
  const source = council.sources[report.sourceId]?.name ?? report.sourceId;
  return renderEmail({
    subject: `[${council.shortName}] Possible duplicate or conflicting record: refs ${reportRef} and ${there}`,
    headline: `${council.shortName}: possible duplicate or conflicting record, for a person to decide`,
    sections: [
      {
        title: 'What the pipeline found',
        lines: [
          `A report from ${source} under reference ${reportRef}, received ${formatLocal(report.receivedAt, council.timeZone)}.`,
          finding(review, here, there),
        ],
      },
      {
        title: `What ${recipient.name} must do`,
        bulleted: true,
        lines: [
          'Compare the two records in the agencies’ own systems (this email holds none of the child’s details) and decide whether they are one child.',
          'One child: have the system that sent the wrong identifier or date of birth correct it; if two episodes are open for one absence, withdraw the duplicate (episode.withdrawn) so reminders and the reports count the child once.',
          'Two children: make sure each child is reported under an episode reference of their own and that the police know each is missing, and have the identifier that matched corrected where it was recorded.',
          'Until then both records carry on as they are: every deadline and reminder stands.',
        ],
      },
      {
        title: 'The two records',
        lines: [
          `This report: reference ${reportRef}, in episode ${here}${episode.episodeRefs.length > 1 ? ` (references ${episode.episodeRefs.join(', ')})` : ''}, now ${episode.state.status}.`,
          `The other record: episode ${there}.`,
        ],
      },
      contactsSection(council),
    ],
    footer: `Sent by the ${council.name} missing children pipeline to ${recipient.name} about episodes ${here} and ${there}. It names no child: do not forward it outside your agency.`,
  });
};
