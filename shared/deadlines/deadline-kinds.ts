import type { DeadlineKind } from '../council/council-schema';
import type { DetailCategory } from '../events/detail-categories';
import type { EventType } from '../events/event-types';

/**
 * What emails, the open-deadlines list and the README say of each kind of deadline, apart from the council's
 * figures. (When each starts and what meets it is folded in episode-deadlines.ts; its notice-key code is in
 * deadline-notices.ts, so the intake's bundle carries none of these words.)
 */
export interface DeadlineKindFacts {
  /** What it is called in emails and the README. */
  label: string;
  /** When its clock starts, in words for the README: "72 h after <the child was found>". */
  startsWhen: string;
  /**
   * The step that meets it, as the event that records it and any field that step fixes: what an agency posts,
   * or (issue 16) what a "record this step" link records.
   */
  step: { type: EventType; fixed?: Readonly<Record<string, string>> };
  /** Other events that meet it too: the child declining the RHI; a strategy discussion, which the manager attends. */
  alsoMetBy?: readonly EventType[];
  /** What ends it unmet, beyond a withdrawal (which ends every deadline). */
  endsWhen?: string;
  /**
   * The categories of detail its mere existence reveals: an acknowledgement owed says an immediate risk of
   * significant harm was recorded. A recipient that does not hold them is not shown the deadline.
   */
  reveals: readonly DetailCategory[];
}

export const deadlineKinds: Record<DeadlineKind, DeadlineKindFacts> = {
  prevention_interview: {
    label: 'Prevention Interview',
    startsWhen: 'the child was found',
    step: { type: 'prevention_interview.completed' },
    reveals: [],
  },
  return_home_interview: {
    label: 'Return Home Interview',
    startsWhen: 'the child got home as the police recorded it, else was found',
    step: { type: 'rhi.completed' },
    alsoMetBy: ['rhi.declined'],
    reveals: [],
  },
  manager_review: {
    label: "Manager's review",
    startsWhen: 'the child was last seen, while still missing',
    step: { type: 'missing.reviewed', fixed: { level: 'manager' } },
    alsoMetBy: ['strategy_discussion.held'],
    endsWhen: 'the child is found',
    reveals: [],
  },
  head_of_service_review: {
    label: 'Head of service review',
    startsWhen: 'the child was last seen, while still missing',
    step: { type: 'missing.reviewed', fixed: { level: 'head_of_service' } },
    endsWhen: 'the child is found',
    reveals: [],
  },
  strategy_discussion: {
    label: 'Strategy discussion',
    startsWhen: 'the police first grade the child at a grade the policy names, while missing',
    step: { type: 'strategy_discussion.held' },
    endsWhen: 'the child is found',
    reveals: ['risk'],
  },
  safety_check: {
    label: 'Confirmation the child is safe',
    startsWhen: 'the child was last seen, while still absent (whereabouts known)',
    step: { type: 'absence.safety_confirmed' },
    endsWhen: 'the child is back where they should be',
    reveals: [],
  },
  referral_acknowledgement: {
    label: 'Referral acknowledgement',
    startsWhen:
      'an event records an immediate risk of significant harm (a Prevention Interview’s or RHI’s concerns) or harm suspected on return',
    step: { type: 'referral.acknowledged' },
    reveals: ['concerns'],
  },
};

export const deadlineLabel = (kind: DeadlineKind): string => deadlineKinds[kind].label;

/** The label inside a sentence: the interviews are names; the other steps are common nouns. */
export const deadlineInSentence = (kind: DeadlineKind): string => {
  const label = deadlineLabel(kind);
  return kind.endsWith('_interview') ? label : label.charAt(0).toLowerCase() + label.slice(1);
};
