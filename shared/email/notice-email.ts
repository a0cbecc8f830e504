import type { CouncilConfig } from '../council/council-schema';
import type { DeadlineNotice } from '../deadlines/deadline-notices';
import type { EpisodeState } from '../episode/episode-state';
import type { Recipient } from '../routing/recipients';
import { formatLocal } from '../time/instant';
import { type RenderedEmail, renderEmail } from './email-document';
import {
  childSection,
  contactsSection,
  deadlineLabel,
  deadlineOf,
  emailFooter,
  emailSubject,
  riskSection,
  whenLocal,
} from './episode-sections';

/**
 * A deadline reminder (before due, to the responsible agency) or escalation (once overdue, to the
 * responsible agency and the council's escalation list), naming the deadline in the council's local time.
 */
export const noticeEmail = (input: {
  notice: DeadlineNotice;
  episode: EpisodeState;
  recipient: Recipient;
  council: CouncilConfig;
  now: string;
}): RenderedEmail => {
  const { notice, episode, recipient, council, now } = input;
  const policy = council.deadlines[notice.deadlineKind];
  const label = deadlineLabel[notice.deadlineKind];
  const dueLocal = formatLocal(notice.dueAt, council.timeZone);
  const overdue = notice.notice === 'escalation';
  const returnedAt = deadlineOf(episode, notice.deadlineKind)?.startsAt ?? episode.foundAt;
  const responsible = council.agencies[policy.responsible]?.name ?? policy.responsible;
  const isResponsible = recipient.ref === policy.responsible;
  const what = overdue ? `OVERDUE: ${label} was due ${dueLocal}` : `Reminder: ${label} due ${dueLocal}`;
  return renderEmail({
    subject: emailSubject(council, what, episode.episodeRef),
    headline: what,
    sections: [
      {
        title: 'What happened',
        lines: [
          `${returnedAt ? `The child returned on ${formatLocal(returnedAt, council.timeZone)}. ` : ''}The ${label} ${
            overdue ? 'was due' : 'is due'
          } by ${whenLocal(notice.dueAt, now, council)} and is not recorded as done.`,
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
      riskSection(episode),
      childSection(episode, recipient.childDetails, council),
      contactsSection(council),
    ],
    footer: emailFooter(council, recipient, episode.episodeRef),
  });
};
