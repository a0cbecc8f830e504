import type { CouncilConfig } from '../council/council-schema';
import type { EpisodeState } from '../episode/episode-state';
import type { ConcernFlags, PipelineEvent } from '../events/event-schemas';
import type { Delivery } from '../routing/route-event';
import { formatLocal } from '../time/instant';
import { type RenderedEmail, renderEmail } from './email-document';
import {
  childSection,
  contactsSection,
  deadlineLabel,
  deadlineOf,
  emailFooter,
  emailSubject,
  riskGradeLabel,
  riskSection,
  whenLocal,
} from './episode-sections';

const reporterLabel: Record<string, string> = {
  parent_carer: 'a parent or carer',
  school: 'the school',
  police: 'the police',
  social_care: "children's social care",
  other: 'another concerned party',
};

/** The most serious concern first: it is what the subject line leads with. */
const concernList = (concerns: ConcernFlags | undefined): string[] =>
  concerns
    ? [
        ...(concerns.immediateSignificantHarm ? ['immediate risk of significant harm'] : []),
        ...(concerns.riskOfHarm ? ['risk of harm'] : []),
        ...(concerns.exploitation ? ['exploitation'] : []),
      ]
    : [];

/** What happened, as a short headline for the subject and a sentence for the body. */
const describe = (
  event: PipelineEvent,
  council: CouncilConfig,
  withDetails: boolean,
): { headline: string; sentence: string } => {
  const local = (instant: string) => formatLocal(instant, council.timeZone);
  const concerns = (flags: ConcernFlags | undefined) => {
    const list = concernList(flags);
    return {
      first: list[0],
      text: list.length > 0 ? `Concerns: ${list.join(', ')}.` : 'No concerns recorded.',
    };
  };
  switch (event.type) {
    case 'missing.reported':
    case 'absence.reported': {
      const missing = event.type === 'missing.reported';
      const grade = event.data.riskGrade ? `, ${riskGradeLabel[event.data.riskGrade]} risk` : '';
      return {
        headline: missing ? `Child reported missing${grade}` : `Child absent, whereabouts known${grade}`,
        sentence: `${missing ? 'Reported missing' : 'Reported absent (whereabouts known)'} by ${
          reporterLabel[event.data.reportedBy] ?? event.data.reportedBy
        } on ${local(event.time)}.`,
      };
    }
    case 'missing.risk_assessed':
      return {
        headline: `Risk assessed as ${riskGradeLabel[event.data.riskGrade]}`,
        sentence: `The police assessed the risk as ${riskGradeLabel[event.data.riskGrade]} on ${local(
          event.data.assessedAt ?? event.time,
        )}.`,
      };
    case 'missing.found':
      return {
        headline: 'Child returned',
        sentence: `The child was found on ${local(event.data.foundAt)}${
          withDetails && event.data.foundPlace ? `, ${event.data.foundPlace}` : ''
        }.${event.data.harmSuspected ? ' Harm is suspected.' : ''}`,
      };
    case 'prevention_interview.completed': {
      const c = concerns(event.data.concerns);
      return {
        headline: `Prevention Interview completed${c.first ? `: ${c.first}` : ''}`,
        sentence: `The police Prevention Interview was completed on ${local(event.data.completedAt)}. ${c.text}`,
      };
    }
    case 'rhi.offered':
      return {
        headline: 'Return Home Interview offered',
        sentence: `A Return Home Interview was offered on ${local(event.data.offeredAt)}${
          event.data.appointmentAt ? `, for ${local(event.data.appointmentAt)}` : ''
        }.`,
      };
    case 'rhi.completed': {
      const c = concerns(event.data.concerns);
      return {
        headline: `Return Home Interview completed${c.first ? `: ${c.first}` : ''}`,
        sentence: `The Return Home Interview was completed on ${local(event.data.completedAt)} (setting: ${
          event.data.setting
        }). ${c.text}`,
      };
    }
    case 'rhi.declined':
      return {
        headline: 'Return Home Interview declined',
        sentence: `The child declined the Return Home Interview on ${local(event.data.declinedAt)}.`,
      };
    case 'episode.withdrawn':
      return {
        headline: 'Episode withdrawn',
        sentence: `The report was withdrawn${withDetails ? `: ${event.data.reason}` : ''}.`,
      };
  }
};

/**
 * The email one recipient gets about one event: what happened, what they must do and by when (local time
 * and how far off), the risk, the child as far as they need, and whom to call.
 */
export const eventEmail = (input: {
  event: PipelineEvent;
  episode: EpisodeState;
  delivery: Delivery;
  council: CouncilConfig;
  now: string;
}): RenderedEmail => {
  const { event, episode, delivery, council, now } = input;
  const { recipient, actions } = delivery;
  const what = describe(event, council, recipient.childDetails === 'full');
  const dueAt = (kind: (typeof actions)[number]['by']) =>
    kind ? deadlineOf(episode, kind)?.dueAt : undefined;
  const firstDeadline = actions.map((a) => a.by).find((kind) => dueAt(kind) !== undefined);
  const firstDue = dueAt(firstDeadline);
  const episodeRef = event.data.episodeRef;
  return renderEmail({
    subject: emailSubject(
      council,
      firstDeadline && firstDue
        ? `${what.headline}: ${deadlineLabel[firstDeadline]} due ${formatLocal(firstDue, council.timeZone)}`
        : what.headline,
      episodeRef,
    ),
    headline: `${council.shortName}: ${what.headline}`,
    sections: [
      { title: 'What happened', lines: [what.sentence] },
      {
        title: `What ${recipient.name} must do`,
        bulleted: true,
        lines: actions.map((a) => {
          const due = dueAt(a.by);
          return a.by && due ? `${a.action} By ${whenLocal(due, now, council)}.` : a.action;
        }),
      },
      riskSection(episode),
      childSection(episode, recipient.childDetails, council),
      contactsSection(council),
    ],
    footer: emailFooter(council, recipient, episodeRef),
  });
};
