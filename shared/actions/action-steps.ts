import type { CouncilConfig } from '../council/council-schema';
import { deadlineInSentence } from '../deadlines/deadline-kinds';
import { isPending } from '../deadlines/deadline-notices';
import type { Deadline, EpisodeState } from '../episode/episode-state';
import type { EventType } from '../events/event-types';
import { formatLocal } from '../time/instant';
import { emailSourceId, type StepKind, stepEvents } from './step-kinds';

/** What a step's button and page say: "Record the Return Home Interview". */
export const stepTitles: Record<StepKind, string> = {
  prevention_interview: 'Record the Prevention Interview',
  return_home_interview: 'Record the Return Home Interview',
  manager_review: "Record the manager's review",
  head_of_service_review: 'Record the head of service review',
  strategy_discussion: 'Record the strategy discussion',
  safety_check: 'Confirm the child is safe',
  referral_acknowledgement: 'Acknowledge the referral',
  risk_assessment: 'Record the risk assessment',
};

/** The step in a sentence: "the Return Home Interview", "the risk assessment". */
export const stepInSentence = (step: StepKind): string =>
  step === 'risk_assessment' ? 'the risk assessment' : `the ${deadlineInSentence(step)}`;

/**
 * The events an agency may record a step with from its emails' links: those of the step that its `email:`
 * source is allowed, in the step's order. None when the council file gives it no such source.
 */
export const eventsMayRecord = (council: CouncilConfig, agencyId: string, step: StepKind): EventType[] => {
  const source = council.sources[emailSourceId(agencyId)];
  return stepEvents[step].events.filter((type) => source?.events.includes(type));
};

/** The deadline a step meets, if the episode has one still owed: what a link's page shows and counts down to. */
export const owedDeadline = (step: StepKind, episode: EpisodeState): Deadline | undefined =>
  step === 'risk_assessment'
    ? undefined
    : episode.deadlines.filter((d) => d.kind === step && isPending(d)).at(-1);

/**
 * Why a step is no longer wanted, in a sentence for the page, or undefined while it is: the episode
 * withdrawn or closed, its deadline met or ended (the child found, for a step owed while they were missing),
 * or, for a risk re-assessment, the child no longer missing.
 */
export const whyNotWanted = (
  step: StepKind,
  episode: EpisodeState,
  council: CouncilConfig,
): string | undefined => {
  const local = (instant: string) => formatLocal(instant, council.timeZone);
  if (episode.status === 'withdrawn')
    return 'The report of this episode was withdrawn: nothing needs recording.';
  if (step === 'risk_assessment') {
    return episode.kind === 'missing' && episode.status === 'missing'
      ? undefined
      : 'The child is no longer recorded as missing: a risk re-assessment is not asked for any more.';
  }
  if (owedDeadline(step, episode)) return undefined;
  const latest = episode.deadlines.filter((d) => d.kind === step).at(-1);
  const what = stepInSentence(step);
  if (latest?.metAt) return `${capitalised(what)} is already recorded, on ${local(latest.metAt)}.`;
  if (latest?.cancelledAt && episode.foundAt && latest.cancelledAt === episode.foundAt) {
    return `${capitalised(what)} is no longer asked for: the child was found on ${local(episode.foundAt)}.`;
  }
  if (episode.status === 'closed') return 'This episode is closed: nothing more needs recording.';
  return `${capitalised(what)} is not asked for any more.`;
};

/** A sentence's first word. */
export const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
