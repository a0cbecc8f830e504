import type { CouncilConfig } from '../council/council-schema';
import type { DeadlineNotice } from '../deadlines/deadline-notices';
import type { EpisodeState } from '../episode/episode-state';
import type { EpisodeProvenance } from '../routing/provenance';
import type { Recipient } from '../routing/recipients';
import { formatLocal } from '../time/instant';
import { type RenderedEmail, renderEmail } from './email-document';
import {
  careSection,
  childSection,
  contactsSection,
  deadlineLabel,
  deadlineOf,
  dueHeadline,
  emailFooter,
  emailSubject,
  provenanceLines,
  riskSection,
  whenLocal,
} from './episode-sections';

/**
 * A deadline reminder (before due, to the responsible agency) or escalation (once overdue, to the
 * responsible agency and the council's escalation list), naming the deadline in the council's local time;
 * an escalation names who is responsible and everyone it goes to.
 */
export const noticeEmail = (input: {
  notice: DeadlineNotice;
  episode: EpisodeState;
  provenance: EpisodeProvenance;
  recipient: Recipient;
  /** Everyone this notice goes to, the recipient included. */
  told: readonly Recipient[];
  council: CouncilConfig;
  now: string;
}): RenderedEmail => {
  const { notice, episode, recipient, council, now } = input;
  const policy = council.deadlines[notice.deadlineKind];
  const label = deadlineLabel[notice.deadlineKind];
  const dueLocal = formatLocal(notice.dueAt, council.timeZone);
  const overdue = notice.notice === 'escalation';
  const startedAt = deadlineOf(episode, notice.deadlineKind)?.startsAt ?? episode.foundAt;
  const started = startedAt === episode.returnedHomeAt ? 'got home' : 'returned';
  const responsible = council.agencies[policy.responsible]?.name ?? policy.responsible;
  const isResponsible = recipient.ref === policy.responsible;
  const what = overdue
    ? `OVERDUE: ${label} was due ${dueLocal}`
    : `Reminder: ${dueHeadline(notice.deadlineKind, notice.dueAt, council)}`;
  const asked = policy.asSoonAsPossible ? ' was asked for as soon as possible and' : '';
  return renderEmail({
    subject: emailSubject(council, what, episode.episodeRef),
    headline: what,
    sections: [
      {
        title: 'What happened',
        lines: [
          `${startedAt ? `The child ${started} on ${formatLocal(startedAt, council.timeZone)}. ` : ''}The ${label}${asked} ${
            overdue ? 'was due' : 'is due'
          } by ${whenLocal(notice.dueAt, now, council)}${policy.asSoonAsPossible ? ' at the latest' : ''}, and is not recorded as done.`,
          ...(overdue
            ? [
                `Responsible: ${responsible}. This escalation goes to ${input.told.map((r) => r.name).join(', ')}.`,
              ]
            : []),
          ...provenanceLines(input.provenance, council),
        ],
      },
      {
        title: `What ${recipient.name} must do`,
        bulleted: true,
        lines: [
          isResponsible
            ? `${policy.action}${overdue ? ' Now: it is overdue.' : ''} Then record it, so the reminders stop.`
            : `Make sure ${responsible} does this now: ${policy.action}`,
        ],
      },
      riskSection(episode, recipient.details, council),
      childSection(episode, recipient.details, council),
      careSection(episode, recipient.details, council),
      contactsSection(council),
    ],
    footer: emailFooter(council, recipient, episode.episodeRef),
  });
};
