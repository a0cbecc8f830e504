import {
  type CouncilConfig,
  type DeadlineKind,
  deadlinePolicy,
  escalationTarget,
  type RecipientRef,
} from '../council/council-schema';
import type { Deadline, EpisodeState } from '../episode/episode-state';
import { addHours, compareInstants } from '../time/instant';

export type DeadlineState = 'open' | 'overdue' | 'met' | 'met_late' | 'cancelled';

export const deadlineState = (deadline: Deadline, now: string): DeadlineState => {
  if (deadline.cancelled) return 'cancelled';
  if (deadline.metAt !== undefined)
    return compareInstants(deadline.metAt, deadline.dueAt) <= 0 ? 'met' : 'met_late';
  return compareInstants(now, deadline.dueAt) < 0 ? 'open' : 'overdue';
};

export const isPending = (deadline: Deadline): boolean => !deadline.cancelled && deadline.metAt === undefined;

/** One firing of a deadline: a reminder before it is due, or the escalation after. */
export interface DeadlineNotice {
  deadlineKind: DeadlineKind;
  notice: 'reminder' | 'escalation';
  /** For a reminder, how many hours before due it fires. */
  hoursBefore?: number;
  fireAt: string;
  dueAt: string;
}

/** The deadline a notice is for, as the episode stands: the one of its kind due at its due time. */
export const deadlineFor = (notice: DeadlineNotice, episode: EpisodeState): Deadline | undefined =>
  episode.deadlines.find(
    (d) => d.kind === notice.deadlineKind && compareInstants(d.dueAt, notice.dueAt) === 0,
  );

/** Each kind's short code in a notice key: a Scheduler name has room for little beside the episode's UUID. */
const kindCode: Record<DeadlineKind, string> = {
  prevention_interview: 'pi',
  return_home_interview: 'rhi',
  manager_review: 'mr',
  head_of_service_review: 'hos',
  strategy_discussion: 'sd',
  safety_check: 'sc',
  referral_acknowledgement: 'ack',
};

/**
 * A notice's identity within its episode: kind, notice and the instant it fires, so a deadline that moves
 * gets new notices and the old ones can be cancelled by name. Short enough for a Scheduler name with a UUID.
 */
export const noticeKey = (notice: DeadlineNotice): string =>
  [
    kindCode[notice.deadlineKind],
    notice.notice === 'reminder' ? `r${notice.hoursBefore}` : 'esc',
    Math.floor(Date.parse(notice.fireAt) / 60_000).toString(36),
  ].join('-');

/** The notices an episode's pending deadlines call for, under the council's policy. */
export const deadlineNotices = (
  episode: EpisodeState,
  council: Pick<CouncilConfig, 'deadlines' | 'id'>,
): DeadlineNotice[] =>
  episode.deadlines.filter(isPending).flatMap((deadline) => {
    const policy = deadlinePolicy(council, deadline.kind);
    return [
      ...policy.remindBeforeHours.map(
        (hoursBefore): DeadlineNotice => ({
          deadlineKind: deadline.kind,
          notice: 'reminder',
          hoursBefore,
          fireAt: addHours(deadline.dueAt, -hoursBefore),
          dueAt: deadline.dueAt,
        }),
      ),
      {
        deadlineKind: deadline.kind,
        notice: 'escalation',
        fireAt: addHours(deadline.dueAt, policy.escalateAfterHours),
        dueAt: deadline.dueAt,
      },
    ];
  });

/** Which notices an event opens and which it closes: the difference between the notices before and after. */
export const noticeChanges = (
  before: EpisodeState | undefined,
  after: EpisodeState,
  council: Pick<CouncilConfig, 'deadlines' | 'id'>,
): { create: DeadlineNotice[]; cancel: DeadlineNotice[] } => {
  const was = before ? deadlineNotices(before, council) : [];
  const now = deadlineNotices(after, council);
  const keys = (notices: DeadlineNotice[]) => new Set(notices.map(noticeKey));
  const wasKeys = keys(was);
  const nowKeys = keys(now);
  return {
    create: now.filter((n) => !wasKeys.has(noticeKey(n))),
    cancel: was.filter((n) => !nowKeys.has(noticeKey(n))),
  };
};

/** One of a notice's recipients, and what it is asked when that is not the deadline's own action. */
export interface NoticeTarget {
  to: RecipientRef;
  action?: string;
}

/**
 * Who a notice goes to: the responsible agency, and on escalation the policy's escalation list too, each
 * with what it is asked where the council file says.
 */
export const noticeRecipients = (
  notice: DeadlineNotice,
  council: Pick<CouncilConfig, 'deadlines' | 'id'>,
): NoticeTarget[] => {
  const policy = deadlinePolicy(council, notice.deadlineKind);
  const responsible = { to: policy.responsible };
  return notice.notice === 'reminder'
    ? [responsible]
    : [responsible, ...policy.escalateTo.map(escalationTarget)];
};
