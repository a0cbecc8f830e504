import type { DeadlineKind } from '../council/council-schema';
import type { DetailCategory } from '../events/detail-categories';
import type { EventType } from '../events/event-types';

/**
 * What emails and the open-deadlines list say of each kind of deadline, apart from the council's figures.
 * (When each starts and what meets it is folded in episode-deadlines.ts; the events that record its step are
 * in step-kinds.ts; its notice-key code is in deadline-notices.ts, so the intake's bundle carries none of
 * these words; the README's words on when each starts and ends are council-summary.ts's, so no function's
 * bundle carries them.)
 */
export interface DeadlineKindFacts {
  /** What it is called in emails and the README. */
  label: string;
  /**
   * Events that meet it beside those that record its step (step-kinds.ts): a strategy discussion, which the
   * social worker's manager attends, meets the manager's review.
   */
  alsoMetBy?: readonly EventType[];
  /**
   * The categories of detail its mere existence reveals: an acknowledgement owed says an immediate risk of
   * significant harm was recorded. A recipient that does not hold them is not shown the deadline.
   */
  reveals: readonly DetailCategory[];
}

export const deadlineKinds: Record<DeadlineKind, DeadlineKindFacts> = {
  prevention_interview: { label: 'Prevention Interview', reveals: [] },
  return_home_interview: { label: 'Return Home Interview', reveals: [] },
  manager_review: { label: "Manager's review", alsoMetBy: ['strategy_discussion.held'], reveals: [] },
  head_of_service_review: { label: 'Head of service review', reveals: [] },
  strategy_discussion: { label: 'Strategy discussion', reveals: ['risk'] },
  safety_check: { label: 'Confirmation the child is safe', reveals: [] },
  referral_acknowledgement: { label: 'Referral acknowledgement', reveals: ['concerns'] },
};

export const deadlineLabel = (kind: DeadlineKind): string => deadlineKinds[kind].label;

/** The label inside a sentence: the interviews are names; the other steps are common nouns. */
export const deadlineInSentence = (kind: DeadlineKind): string => {
  const label = deadlineLabel(kind);
  return kind.endsWith('_interview') ? label : label.charAt(0).toLowerCase() + label.slice(1);
};
