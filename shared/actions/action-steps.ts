import type { CouncilConfig } from '../council/council-schema';
import { deadlineInSentence } from '../deadlines/deadline-kinds';
import { isPending } from '../deadlines/deadline-notices';
import type { Deadline, EpisodeState } from '../episode/episode-state';
import type { EventType } from '../events/event-types';
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
 * Whether the episode still wants a step: not withdrawn, and its deadline still owed, or, for a risk
 * re-assessment, the child still missing. (Why not, in words, is the page's: record-step.ts.)
 */
export const isWanted = (step: StepKind, episode: EpisodeState): boolean =>
  episode.status !== 'withdrawn' &&
  (step === 'risk_assessment'
    ? episode.kind === 'missing' && episode.status === 'missing'
    : owedDeadline(step, episode) !== undefined);

/** A sentence's first word. */
export const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
