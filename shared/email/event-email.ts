import { type StepLink, stepButtons } from '../actions/action-links';
import type { CouncilConfig } from '../council/council-schema';
import type { EpisodeState } from '../episode/episode-state';
import type { DetailSet } from '../events/detail-categories';
import type { ConcernFlags, PipelineEvent, StrategyOutcome } from '../events/event-schemas';
import type { EpisodeProvenance } from '../routing/provenance';
import type { Delivery } from '../routing/route-event';
import { newRiskFactors } from '../routing/route-event';
import { formatLocal } from '../time/instant';
import { type RenderedEmail, renderEmail } from './email-document';
import {
  careSection,
  childSection,
  contactsSection,
  deadlineBanner,
  deadlineOf,
  dueHeadline,
  dueSentence,
  emailFooter,
  emailSubject,
  factorsFor,
  openDeadlinesSection,
  provenanceLines,
  recordedByLine,
  riskGradeLabel,
  riskSection,
  whenLocal,
} from './episode-sections';
import { episodeTimeline } from './episode-timeline';

const reporterLabel: Record<string, string> = {
  parent_carer: 'a parent or carer',
  school: 'the school',
  police: 'the police',
  social_care: "children's social care",
  other: 'another concerned party',
};

const referralWords = {
  referred: 'The child was referred on',
  signposted: 'The child was signposted on',
  none: 'The child was not referred or signposted on',
} as const;

const strategyWords: Record<StrategyOutcome, string> = {
  section_47_enquiry: 'a section 47 enquiry (child protection enquiries, jointly with the police)',
  child_protection_plan: 'to proceed under a child protection plan',
  no_further_action: 'no further action under child protection procedures',
};

const strategyHeadline: Record<StrategyOutcome, string> = {
  section_47_enquiry: 'section 47 enquiry',
  child_protection_plan: 'child protection plan',
  no_further_action: 'no further action',
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

/**
 * What happened, as a short headline for the subject and sentences for the body, told as far as the
 * recipient may know it: the event and when for everyone; grades, concerns, places, care and the senders'
 * own words only to those who hold them.
 */
const describe = (
  event: PipelineEvent,
  before: EpisodeState | undefined,
  council: CouncilConfig,
  held: DetailSet,
): { headline: string; sentences: string[] } => {
  const local = (instant: string) => formatLocal(instant, council.timeZone);
  const concerns = (flags: ConcernFlags | undefined) => {
    const list = held.has('concerns') ? concernList(flags) : [];
    return {
      headline: list[0] ? `: ${list[0]}` : '',
      sentences: held.has('concerns')
        ? [list.length > 0 ? `Concerns: ${list.join(', ')}.` : 'No concerns recorded.']
        : [],
    };
  };
  const freeText = (label: string, text: string | undefined) =>
    held.has('free_text') && text ? [`${label}: ${text}`] : [];
  const newFactors = factorsFor(newRiskFactors(event, before), held);
  const factorSentences =
    newFactors.length > 0 ? [`Newly recorded risk factors: ${newFactors.join(', ')}.`] : [];
  switch (event.type) {
    case 'missing.reported':
    case 'absence.reported': {
      const missing = event.type === 'missing.reported';
      const fromCare = held.has('care') && event.data.child.lookedAfter;
      const grade =
        held.has('risk') && event.data.riskGrade ? `, ${riskGradeLabel[event.data.riskGrade]} risk` : '';
      const what = missing
        ? fromCare
          ? 'missing from care'
          : 'missing'
        : fromCare
          ? 'away from placement without authorisation (whereabouts known)'
          : 'absent (whereabouts known)';
      return {
        headline: missing
          ? `Child ${fromCare ? 'missing from care' : 'reported missing'}${grade}`
          : `Child ${fromCare ? 'away from placement' : 'absent'}, whereabouts known${grade}`,
        sentences: [
          `Reported ${what} by ${reporterLabel[event.data.reportedBy] ?? event.data.reportedBy} on ${local(event.time)}.`,
          ...factorSentences,
        ],
      };
    }
    case 'missing.risk_assessed': {
      const at = local(event.data.assessedAt ?? event.time);
      if (!held.has('risk')) {
        return {
          headline: 'Risk re-assessed',
          sentences: [`The police re-assessed the risk on ${at}.`, ...factorSentences],
        };
      }
      const grade = riskGradeLabel[event.data.riskGrade];
      const was = before?.riskGrade;
      return {
        headline: `Risk assessed as ${grade}`,
        sentences: [
          `The police assessed the risk as ${grade} on ${at}${
            was === undefined
              ? ' (the first grade)'
              : was === event.data.riskGrade
                ? ' (unchanged)'
                : ` (it was ${riskGradeLabel[was]})`
          }.`,
          ...factorSentences,
        ],
      };
    }
    case 'missing.found': {
      const { data } = event;
      return {
        headline: 'Child returned',
        sentences: [
          `The child was found on ${local(data.foundAt)}${
            held.has('whereabouts') && data.foundPlace ? `, ${data.foundPlace}` : ''
          }.`,
          ...(data.returnedHomeAt ? [`They got home on ${local(data.returnedHomeAt)}.`] : []),
          ...(held.has('concerns') && data.harmSuspected
            ? ['The police found indications that the child has suffered harm.']
            : []),
        ],
      };
    }
    case 'prevention_interview.completed': {
      const c = concerns(event.data.concerns);
      return {
        headline: `Prevention Interview completed${c.headline}`,
        sentences: [
          `The police Prevention Interview was completed on ${local(event.data.completedAt)}.`,
          ...c.sentences,
        ],
      };
    }
    case 'rhi.offered':
      return {
        headline: 'Return Home Interview offered',
        sentences: [
          `A Return Home Interview was offered on ${local(event.data.offeredAt)}${
            event.data.appointmentAt ? `, for ${local(event.data.appointmentAt)}` : ''
          }.`,
        ],
      };
    case 'rhi.completed': {
      const { data } = event;
      const c = concerns(data.concerns);
      const to = held.has('free_text') && data.referral?.to ? ` to ${data.referral.to}` : '';
      return {
        headline: `Return Home Interview completed${c.headline}`,
        sentences: [
          `The Return Home Interview was completed on ${local(data.completedAt)} (setting: ${data.setting}).`,
          ...c.sentences,
          ...(held.has('concerns') && data.referral
            ? [`${referralWords[data.referral.outcome]}${data.referral.outcome === 'none' ? '' : to}.`]
            : []),
          ...factorSentences,
        ],
      };
    }
    case 'rhi.declined':
      return {
        headline: 'Return Home Interview declined',
        sentences: [
          `The child declined the Return Home Interview on ${local(event.data.declinedAt)}.`,
          ...freeText('Their reason', event.data.reason),
        ],
      };
    case 'strategy_discussion.held': {
      // What it decided is a child protection matter: only for those who hold the concerns.
      const outcome = held.has('concerns') ? event.data.outcome : undefined;
      return {
        headline: `Strategy discussion held${outcome ? `: ${strategyHeadline[outcome]}` : ''}`,
        sentences: [
          `A strategy discussion about the child was held on ${local(event.data.heldAt)}${
            outcome ? `. It decided on ${strategyWords[outcome]}` : ''
          }.`,
          ...freeText('Note', event.data.note),
        ],
      };
    }
    case 'referral.acknowledged':
      return {
        headline: 'Referral acknowledged',
        sentences: [
          `The Duty and Assessment Team acknowledged ${
            held.has('concerns') ? 'the referral of an immediate risk of significant harm' : 'a referral'
          } on ${local(event.data.acknowledgedAt)}.`,
        ],
      };
    case 'missing.reviewed': {
      const manager = event.data.level === 'manager';
      return {
        headline: manager ? "Manager's review recorded" : 'Head of service review recorded',
        sentences: [
          `The plan for the missing child was reviewed by ${
            manager ? "the social worker's manager" : 'the head of service'
          } on ${local(event.data.reviewedAt)}.`,
          ...freeText('Note', event.data.note),
        ],
      };
    }
    case 'absence.safety_confirmed':
      return {
        headline: 'Child confirmed safe',
        sentences: [
          `The child was confirmed safe where they are on ${local(event.data.confirmedAt)} (whereabouts known).`,
          ...freeText('Note', event.data.note),
        ],
      };
    case 'episode.withdrawn':
      return {
        headline: 'Episode withdrawn',
        sentences: ['The report was withdrawn.', ...freeText('Reason', event.data.reason)],
      };
  }
};

/**
 * The email one recipient gets about one event: what happened and who recorded it, what they must do and
 * by when (local time and how far off), everything else the episode still owes, the risk, the child and
 * their care as far as they need, and whom to call.
 */
export const eventEmail = (input: {
  event: PipelineEvent;
  sourceId: string;
  /** The episode just before the event, and as it is now. */
  before?: EpisodeState;
  episode: EpisodeState;
  provenance: EpisodeProvenance;
  delivery: Delivery;
  council: CouncilConfig;
  now: string;
  /** Signs the links that record a step; none, and the email has no buttons. */
  link?: StepLink;
}): RenderedEmail => {
  const { event, episode, delivery, council, now } = input;
  const { recipient, actions } = delivery;
  const held = recipient.details;
  const what = describe(event, input.before, council, held);
  const dueAt = (kind: (typeof actions)[number]['by']) =>
    kind ? deadlineOf(episode, kind)?.dueAt : undefined;
  const firstDeadline = actions.map((a) => a.by).find((kind) => dueAt(kind) !== undefined);
  const firstDue = dueAt(firstDeadline);
  const episodeRef = event.data.episodeRef;
  return renderEmail({
    subject: emailSubject(
      council,
      firstDeadline && firstDue
        ? `${what.headline}: ${dueHeadline(firstDeadline, firstDue, council)}`
        : what.headline,
      episodeRef,
    ),
    ...(firstDeadline && firstDue ? { banner: deadlineBanner(firstDeadline, firstDue, now, council) } : {}),
    headline: `${council.shortName}: ${what.headline}`,
    buttons: stepButtons(
      actions.map((a) => a.by ?? a.asks),
      recipient,
      episode,
      council,
      input.link,
    ),
    timeline: episodeTimeline(episode, held, council),
    sections: [
      {
        title: 'What happened',
        lines: [
          ...what.sentences,
          ...recordedByLine(event, input.sourceId, episode, council, held),
          ...provenanceLines(input.provenance, council),
        ],
      },
      {
        title: `What ${recipient.name} must do`,
        bulleted: true,
        lines: actions.map((a) => {
          const due = dueAt(a.by);
          return a.by && due
            ? `${a.action} ${dueSentence(a.by, whenLocal(due, now, council), council)}`
            : a.action;
        }),
      },
      openDeadlinesSection(episode, held, council, now),
      riskSection(episode, held, council),
      childSection(episode, held, council),
      careSection(episode, held, council),
      contactsSection(council),
    ],
    footer: emailFooter(council, recipient, episodeRef),
  });
};
