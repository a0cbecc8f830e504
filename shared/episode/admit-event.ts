import { isPending } from '../deadlines/deadline-notices';
import { type DomainError, domainError } from '../domain-error';
import { type EventType, isReport, type PipelineEvent } from '../events/event-schemas';
import { ageInYears, compareInstants, localDate } from '../time/instant';
import type { EpisodeState } from './episode-state';

/** Senders' clocks drift; an instant this far in the future is still believable. */
export const CLOCK_SKEW_MINUTES = 5;

const inFuture = (instant: string, now: string) =>
  Date.parse(instant) - Date.parse(now) > CLOCK_SKEW_MINUTES * 60_000;

/** The data field that says when what an event records happened, for each type that has one. */
const instantField: Partial<Record<EventType, string>> = {
  'missing.reported': 'lastSeenAt',
  'absence.reported': 'lastSeenAt',
  'missing.found': 'foundAt',
  'prevention_interview.completed': 'completedAt',
  'rhi.offered': 'offeredAt',
  'rhi.completed': 'completedAt',
  'rhi.declined': 'declinedAt',
  'strategy_discussion.held': 'heldAt',
  'referral.acknowledged': 'acknowledgedAt',
  'missing.reviewed': 'reviewedAt',
  'absence.safety_confirmed': 'confirmedAt',
};

const eventInstant = (event: PipelineEvent): { field: string; at: string } | undefined => {
  const field = instantField[event.type];
  const at = field && (event.data as Record<string, unknown>)[field];
  return typeof at === 'string' ? { field: `data.${field}`, at } : undefined;
};

/**
 * Every instant at which the event says something happened, the envelope's `time` first: none may be in the
 * future. (`appointmentAt` is a plan, so it may be.)
 */
const happenedAt = (event: PipelineEvent): { field: string; at: string }[] => {
  const instants = [{ field: 'time', at: event.time }];
  if (event.type === 'missing.risk_assessed' && event.data.assessedAt) {
    instants.push({ field: 'data.assessedAt', at: event.data.assessedAt });
  }
  if (event.type === 'missing.found' && event.data.returnedHomeAt) {
    instants.push({ field: 'data.returnedHomeAt', at: event.data.returnedHomeAt });
  }
  const instant = eventInstant(event);
  return instant ? [...instants, instant] : instants;
};

const unprocessable = (field: string, message: string) =>
  domainError('unprocessable', message, [{ field, message }]);

const FUTURE = `is in the future: more than ${CLOCK_SKEW_MINUTES} minutes after the server clock`;
const conflict = (field: string, message: string) => domainError('conflict', message, [{ field, message }]);

/**
 * The domain rules a valid event must keep, given the episode as it stands: 422 for an event that can
 * never be right (an adult, a return before the child went missing), 409 for one the episode's state
 * does not allow yet or any more. Undefined when the event may be applied.
 */
export const admitEvent = (
  event: PipelineEvent,
  episode: EpisodeState | undefined,
  now: string,
  timeZone: string,
): DomainError | undefined => {
  const future = happenedAt(event).filter(({ at }) => inFuture(at, now));
  if (future.length > 0) {
    return domainError(
      'unprocessable',
      `${future.map(({ field }) => field).join(', ')} ${FUTURE}`,
      future.map(({ field }) => ({ field, message: FUTURE })),
    );
  }

  if (isReport(event)) {
    const { dateOfBirth } = event.data.child;
    const lastSeenDate = localDate(event.data.lastSeenAt, timeZone);
    if (dateOfBirth > lastSeenDate) {
      return unprocessable('data.child.dateOfBirth', 'is after data.lastSeenAt');
    }
    if (ageInYears(dateOfBirth, lastSeenDate) >= 18) {
      return unprocessable(
        'data.child.dateOfBirth',
        'the person was 18 or over when last seen: this pipeline is for children under 18; report adults through the adult missing-person process',
      );
    }
    if (event.data.placingAuthority && !event.data.child.lookedAfter) {
      return unprocessable(
        'data.placingAuthority',
        'is only for a looked-after child: send child.lookedAfter: true with it',
      );
    }
    if (episode?.status === 'withdrawn') return conflict('data.episodeRef', 'this episode was withdrawn');
    return undefined;
  }

  if (!episode) {
    return conflict(
      'data.episodeRef',
      'no report has been received for this episodeRef; send the report first',
    );
  }
  if (episode.status === 'withdrawn') return conflict('data.episodeRef', 'this episode was withdrawn');

  switch (event.type) {
    case 'missing.found': {
      const { foundAt, returnedHomeAt } = event.data;
      const beforeLastSeen = notBeforeLastSeen(eventInstant(event), episode);
      if (beforeLastSeen) return beforeLastSeen;
      if (returnedHomeAt && compareInstants(returnedHomeAt, foundAt) < 0) {
        return unprocessable(
          'data.returnedHomeAt',
          'is before data.foundAt: a child gets home after being found',
        );
      }
      return undefined;
    }
    case 'prevention_interview.completed':
    case 'rhi.offered':
    case 'rhi.completed':
    case 'rhi.declined': {
      if (episode.kind === 'absence') {
        return conflict(
          'type',
          'an absence has no Prevention or Return Home Interview; report it as missing first',
        );
      }
      if (!episode.foundAt)
        return conflict('data.episodeRef', 'the child has not been recorded as found yet');
      const at = eventInstant(event) as { field: string; at: string };
      if (compareInstants(at.at, episode.foundAt) < 0) {
        return unprocessable(at.field, 'is before the child was found');
      }
      return undefined;
    }
    case 'strategy_discussion.held':
    case 'missing.reviewed':
    case 'absence.safety_confirmed': {
      if (event.type === 'absence.safety_confirmed' && episode.kind === 'missing')
        return conflict('type', 'the child is missing, not absent: a safety check is for an absence');
      if (event.type === 'missing.reviewed' && episode.kind === 'absence')
        return conflict('type', 'an absence is not reviewed as missing; report it as missing first');
      return notBeforeLastSeen(eventInstant(event), episode);
    }
    case 'referral.acknowledged': {
      if (!episode.deadlines.some((d) => d.kind === 'referral_acknowledgement' && isPending(d))) {
        return conflict('type', 'no referral is awaiting acknowledgement');
      }
      return notBeforeLastSeen(eventInstant(event), episode);
    }
    default:
      return undefined;
  }
};

/** Nothing is done about a child before they went missing or away. */
const notBeforeLastSeen = (
  at: { field: string; at: string } | undefined,
  episode: EpisodeState,
): DomainError | undefined =>
  at && compareInstants(at.at, episode.lastSeenAt) < 0
    ? unprocessable(at.field, 'is before the child was last seen')
    : undefined;
