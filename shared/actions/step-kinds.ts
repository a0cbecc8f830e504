import * as z from 'zod/mini';
import type { EventType } from '../events/event-types';

/**
 * The steps an agency may record from the link in an email: the step that meets each kind of deadline, and
 * the police's risk re-assessment while the child is missing, which no deadline tracks. (No words here: the
 * council file's schema reads this module in every function; the page's and the emails' words are in
 * action-steps.ts. The kinds of deadline are named here for the same reason; council-schema.ts re-exports
 * them.)
 */

/**
 * What the pipeline tracks to the minute. After the return: the two interviews. While the child is missing:
 * the social worker's manager's review, the head of service's review and a strategy discussion. During an
 * absence: the social worker confirming the child is safe. On an immediate risk of significant harm: the
 * Duty and Assessment Team acknowledging the referral. Each starts, is met and ends as deadline-kinds.ts says.
 */
export const DeadlineKind = z.enum([
  'prevention_interview',
  'return_home_interview',
  'manager_review',
  'head_of_service_review',
  'strategy_discussion',
  'safety_check',
  'referral_acknowledgement',
]);
export type DeadlineKind = z.infer<typeof DeadlineKind>;

/** Each kind of deadline (its step), and the steps no deadline tracks. */
export const StepKind = z.enum([...DeadlineKind.options, 'risk_assessment']);
export type StepKind = z.infer<typeof StepKind>;

/** A step no deadline tracks: a routing rule's action asks for it by name (`asks`). */
export const UndatedStep = z.enum(['risk_assessment']);

/**
 * The events that record each step, the usual one first (each is a form of its own on the step's page and a
 * way of meeting its deadline), and any field the step fixes: the Return Home Interview is held, or the child
 * declines it; a review records its level. What an agency's system posts for a step, and what a link records.
 */
export const stepEvents: Record<StepKind, { events: readonly EventType[]; fixed?: Record<string, string> }> =
  {
    prevention_interview: { events: ['prevention_interview.completed'] },
    return_home_interview: { events: ['rhi.completed', 'rhi.declined'] },
    manager_review: { events: ['missing.reviewed'], fixed: { level: 'manager' } },
    head_of_service_review: { events: ['missing.reviewed'], fixed: { level: 'head_of_service' } },
    strategy_discussion: { events: ['strategy_discussion.held'] },
    safety_check: { events: ['absence.safety_confirmed'] },
    referral_acknowledgement: { events: ['referral.acknowledged'] },
    risk_assessment: { events: ['missing.risk_assessed'] },
  };

/** Every event type a step can be recorded with: what an `email:` source may be allowed to send. */
export const recordableEventTypes: readonly EventType[] = [
  ...new Set(Object.values(stepEvents).flatMap((s) => s.events)),
];

/** The source an agency records through from its emails' links: `email:<agency id>`. */
export const EMAIL_SOURCE_PREFIX = 'email:';
export const emailSourceId = (agencyId: string): string => `${EMAIL_SOURCE_PREFIX}${agencyId}`;
export const isEmailSource = (sourceId: string): boolean => sourceId.startsWith(EMAIL_SOURCE_PREFIX);
