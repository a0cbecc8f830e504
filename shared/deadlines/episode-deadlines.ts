import type { CouncilConfig, DeadlineKind } from '../council/council-schema';
import type { Deadline, EpisodeKind, RiskAssessment } from '../episode/episode-state';
import type { PipelineEvent } from '../events/event-schemas';
import { eventsOfType } from '../events/event-types';
import { addHours, compareInstants, toUtc } from '../time/instant';

/** What the deadlines depend on besides the events that meet them, as the fold has read it. */
export interface DeadlineFacts {
  kind: EpisodeKind;
  lastSeenAt: string;
  foundAt?: string;
  returnedHomeAt?: string;
  assessments: readonly RiskAssessment[];
  withdrawnAt?: string;
}

type Met = { at: string; by: NonNullable<Deadline['metBy']> };

/** The earliest of these ways of meeting a deadline, if any happened. */
const earliest = (...candidates: (Met | undefined)[]): Met | undefined =>
  candidates.filter((m): m is Met => m !== undefined).sort((a, b) => compareInstants(a.at, b.at))[0];

const first = <T>(items: T[], at: (item: T) => string, by: Met['by']): Met | undefined =>
  earliest(...items.map((item) => ({ at: toUtc(at(item)), by })));

/** Whether an event records an immediate risk of significant harm: an interview's concerns, or harm found on return. */
export const recordsImmediateHarm = (event: PipelineEvent): boolean => {
  switch (event.type) {
    case 'prevention_interview.completed':
    case 'rhi.completed':
      return event.data.concerns?.immediateSignificantHarm === true;
    case 'missing.found':
      return event.data.harmSuspected === true;
    default:
      return false;
  }
};

/**
 * Every deadline the episode's events open under the council's policies, in the order of DeadlineKind.
 * After a return: the two interviews. While missing: the manager's and the head of service's reviews and a
 * strategy discussion, each ended by the child being found. During an absence: the safety check, ended by
 * the return. On each immediate risk of significant harm not already awaiting one: an acknowledgement.
 * A withdrawal cancels every deadline.
 */
export const episodeDeadlines = (
  ordered: readonly PipelineEvent[],
  facts: DeadlineFacts,
  council: Pick<CouncilConfig, 'deadlines'>,
): Deadline[] => {
  const { kind, lastSeenAt, foundAt, withdrawnAt } = facts;
  const policies = council.deadlines;
  /** A deadline due `hours` after `startsAt` by its policy (or at `dueAt`), met or ended as the events say. */
  const deadline = (
    deadlineKind: DeadlineKind,
    startsAt: string,
    met: Met | undefined,
    endsAt?: string,
    dueAt = addHours(startsAt, policies[deadlineKind]?.hours ?? 0),
  ): Deadline => {
    // A withdrawal cancels even a met deadline (it was reported in error); the return ends only an unmet one.
    const cancelledAt = withdrawnAt ?? (met ? undefined : endsAt);
    return {
      kind: deadlineKind,
      startsAt,
      dueAt,
      ...(met ? { metAt: met.at, metBy: met.by } : {}),
      cancelled: cancelledAt !== undefined,
      ...(cancelledAt ? { cancelledAt } : {}),
    };
  };
  const deadlines: Deadline[] = [];

  // The guides: the Prevention Interview as soon as possible; the RHI within 72 hours of the child returning home.
  if (kind === 'missing' && foundAt) {
    const prevention = eventsOfType(ordered, 'prevention_interview.completed').at(-1);
    const completed = eventsOfType(ordered, 'rhi.completed').at(-1);
    const declined = eventsOfType(ordered, 'rhi.declined').at(-1);
    const home = facts.returnedHomeAt ?? foundAt;
    deadlines.push(
      deadline(
        'prevention_interview',
        foundAt,
        prevention && { at: toUtc(prevention.data.completedAt), by: 'completed' },
      ),
      deadline(
        'return_home_interview',
        home,
        completed
          ? { at: toUtc(completed.data.completedAt), by: 'completed' }
          : declined && { at: toUtc(declined.data.declinedAt), by: 'declined' },
      ),
    );
  }

  if (kind === 'missing') {
    const reviews = eventsOfType(ordered, 'missing.reviewed');
    const held = first(eventsOfType(ordered, 'strategy_discussion.held'), (e) => e.data.heldAt, 'held');
    if (policies.manager_review) {
      // A head of service's review covers the manager's; the social worker's manager attends a strategy discussion.
      const met = earliest(
        first(reviews, (e) => e.data.reviewedAt, 'reviewed'),
        held,
      );
      deadlines.push(deadline('manager_review', lastSeenAt, met, foundAt));
    }
    if (policies.head_of_service_review) {
      const met = first(
        reviews.filter((e) => e.data.level === 'head_of_service'),
        (e) => e.data.reviewedAt,
        'reviewed',
      );
      deadlines.push(deadline('head_of_service_review', lastSeenAt, met, foundAt));
    }
    const strategy = policies.strategy_discussion;
    if (strategy) {
      // Due after the first grade that calls for one while the child is missing, or after so long missing.
      const graded = facts.assessments.find(
        (a) => strategy.riskGrades.includes(a.grade) && (!foundAt || compareInstants(a.at, foundAt) < 0),
      );
      const missingLong = strategy.hoursMissing && addHours(lastSeenAt, strategy.hoursMissing);
      const afterGrade = graded && addHours(graded.at, strategy.hours);
      if (afterGrade && !(missingLong && compareInstants(missingLong, afterGrade) < 0)) {
        deadlines.push(deadline('strategy_discussion', graded.at, held, foundAt, afterGrade));
      } else if (missingLong) {
        deadlines.push(deadline('strategy_discussion', lastSeenAt, held, foundAt, missingLong));
      }
    }
  }

  if (kind === 'absence' && policies.safety_check) {
    const met = first(
      eventsOfType(ordered, 'absence.safety_confirmed'),
      (e) => e.data.confirmedAt,
      'confirmed',
    );
    deadlines.push(deadline('safety_check', lastSeenAt, met, foundAt));
  }

  if (policies.referral_acknowledgement) {
    // Each concern opens an acknowledgement unless one is already awaited; an acknowledgement meets all awaited.
    const referrals: { startsAt: string; openedBy: string; met?: Met }[] = [];
    for (const event of ordered) {
      const awaited = referrals.filter((r) => r.met === undefined);
      if (event.type === 'referral.acknowledged') {
        for (const r of awaited) r.met = { at: toUtc(event.data.acknowledgedAt), by: 'acknowledged' };
      } else if (recordsImmediateHarm(event) && awaited.length === 0) {
        referrals.push({ startsAt: toUtc(event.time), openedBy: event.id });
      }
    }
    for (const { startsAt, openedBy, met } of referrals) {
      deadlines.push({
        ...deadline('referral_acknowledgement', startsAt, met),
        openedBy,
      });
    }
  }
  return deadlines;
};
