import { type StepLink, stepButtons } from '../actions/action-links';
import { type CouncilConfig, deadlinePolicy } from '../council/council-schema';
import { deadlineInSentence, deadlineLabel } from '../deadlines/deadline-kinds';
import { type DeadlineNotice, deadlineFor } from '../deadlines/deadline-notices';
import type { Deadline, EpisodeState } from '../episode/episode-state';
import type { DetailSet } from '../events/detail-categories';
import type { StoredEvent } from '../ports';
import type { EpisodeProvenance } from '../routing/provenance';
import { type Recipient, resolveRecipient } from '../routing/recipients';
import { formatLocal } from '../time/instant';
import { type RenderedEmail, renderEmail } from './email-document';
import {
  careSection,
  childSection,
  contactsSection,
  deadlineBanner,
  dueHeadline,
  emailFooter,
  emailSubject,
  openDeadlinesSection,
  provenanceLines,
  recordedByLine,
  riskGradeLabel,
  riskSection,
  whenLocal,
} from './episode-sections';
import { episodeTimeline } from './episode-timeline';

/** What started the deadline's clock, in a sentence, as far as the recipient may know it. */
const startSentence = (
  deadline: Deadline | undefined,
  episode: EpisodeState,
  held: DetailSet,
  council: CouncilConfig,
  openedBy: StoredEvent | undefined,
): string => {
  const local = (instant: string) => formatLocal(instant, council.timeZone);
  const stillMissing = `The child was last seen on ${local(episode.lastSeenAt)} and is still missing.`;
  if (!deadline) return '';
  switch (deadline.kind) {
    case 'prevention_interview':
    case 'return_home_interview':
      return `The child ${deadline.startsAt === episode.returnedHomeAt ? 'got home' : 'returned'} on ${local(deadline.startsAt)}.`;
    case 'manager_review':
    case 'head_of_service_review':
      return stillMissing;
    case 'strategy_discussion': {
      const grade = episode.riskHistory.find((a) => a.at === deadline.startsAt)?.grade;
      return grade && held.has('risk') && deadline.startsAt !== episode.lastSeenAt
        ? `The police graded the child ${riskGradeLabel[grade]} risk on ${local(deadline.startsAt)}, while missing. ${stillMissing}`
        : stillMissing;
    }
    case 'safety_check':
      return `The child has been away from where they should be since ${local(episode.lastSeenAt)}; their whereabouts are known.`;
    case 'referral_acknowledgement': {
      const by = openedBy ? (council.sources[openedBy.sourceId]?.name ?? openedBy.sourceId) : 'An agency';
      return held.has('concerns')
        ? `${by} recorded an immediate risk of significant harm to the child on ${local(deadline.startsAt)}, and referred it to the Duty and Assessment Team.`
        : `${by} made a referral to the Duty and Assessment Team on ${local(deadline.startsAt)}.`;
    }
  }
};

/**
 * A deadline reminder (before due, to the responsible agency) or escalation (once overdue, to the
 * responsible agency and the policy's escalation list), naming the deadline in the council's local time;
 * an escalation names who is responsible and everyone it goes to. Every notice lists all the episode still
 * owes, so the recipient sees everything due on the child.
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
  /** What the council file asks this recipient on escalation; else to make sure the responsible agency acts. */
  action?: string;
  /** The event that opened the deadline, where one did: the referrer's record of immediate harm. */
  openedBy?: StoredEvent;
  /** Signs the link that records the step, for the agency responsible; none, and the email has no button. */
  link?: StepLink;
}): RenderedEmail => {
  const { notice, episode, recipient, council, now } = input;
  const held = recipient.details;
  const policy = deadlinePolicy(council, notice.deadlineKind);
  const label = deadlineLabel(notice.deadlineKind);
  const dueLocal = formatLocal(notice.dueAt, council.timeZone);
  const overdue = notice.notice === 'escalation';
  const deadline = deadlineFor(notice, episode);
  const responsible = resolveRecipient(policy.responsible, episode, council).name;
  const isResponsible = recipient.ref === policy.responsible;
  const what = overdue
    ? `OVERDUE: ${label} was due ${dueLocal}`
    : `Reminder: ${dueHeadline(notice.deadlineKind, notice.dueAt, council)}`;
  const asked = policy.asSoonAsPossible ? ' was asked for as soon as possible and' : '';
  const started = startSentence(deadline, episode, held, council, input.openedBy);
  return renderEmail({
    subject: emailSubject(council, what, episode.episodeRef),
    banner: deadlineBanner(notice.deadlineKind, notice.dueAt, now, council),
    headline: what,
    buttons: stepButtons(isResponsible ? [notice.deadlineKind] : [], recipient, episode, council, input.link),
    timeline: episodeTimeline(episode, held, council),
    sections: [
      {
        title: 'What happened',
        lines: [
          `${started ? `${started} ` : ''}The ${deadlineInSentence(notice.deadlineKind)}${asked} ${
            overdue ? 'was due' : 'is due'
          } by ${whenLocal(notice.dueAt, now, council)}${policy.asSoonAsPossible ? ' at the latest' : ''}, and is not recorded as done.`,
          // An acknowledgement is owed to a referrer: whoever takes it up calls them.
          ...(input.openedBy
            ? recordedByLine(input.openedBy.event, input.openedBy.sourceId, episode, council, held)
            : []),
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
            : (input.action ??
              `Make sure ${responsible.replace(/^The /, 'the ')} does this now: ${policy.action}`),
        ],
      },
      openDeadlinesSection(episode, held, council, now),
      riskSection(episode, held, council),
      childSection(episode, held, council),
      careSection(episode, held, council),
      contactsSection(council),
    ],
    footer: emailFooter(council, recipient, episode.episodeRef),
  });
};
