import type { CouncilConfig } from '../council/council-schema';
import { deadlineState } from '../deadlines/deadline-notices';
import { ordinal } from '../email/episode-sections';
import type { Deadline, EpisodeState } from '../episode/episode-state';
import { addHours, HOUR_MS } from '../time/instant';
import { isInPeriod, type LocalPeriod, type PeriodInstants, periodInstants } from './report-period';

/** An episode as the reports read it: the store's record without its audit trail. */
export interface ReportEpisode {
  episodeId: string;
  childId: string;
  state: EpisodeState;
}

export type FigureUnit = 'count' | 'percent' | 'hours';

export interface Figure {
  id: FigureId;
  label: string;
  unit: FigureUnit;
  /** Null where the figure has no value (a percentage of nothing, a median of no interviews). */
  value: number | null;
  /** How the figure is counted, in a sentence: the report carries its own definitions. */
  counted: string;
}

export interface TimelinessReport {
  council: { id: string; name: string; timeZone: string };
  period: LocalPeriod & PeriodInstants;
  /** The clock the report was computed at: "overdue" and late interviews depend on it. */
  asAt: string;
  figures: Figure[];
}

type FigureId =
  | 'episodes.missing'
  | 'episodes.absence'
  | 'episodes.withdrawn'
  | 'children'
  | 'returns'
  | 'rhi.offered'
  | 'rhi.completed'
  | 'rhi.declined'
  | 'rhi.completed_in_time'
  | 'rhi.completed_in_time_percent'
  | 'pi.completed'
  | 'pi.completed_in_time'
  | 'pi.median_hours_from_return'
  | 'sd.due'
  | 'sd.held_in_time'
  | 'sd.held_in_time_percent'
  | 'referrals.made'
  | 'referrals.acknowledged_in_time'
  | 'referrals.median_hours_to_acknowledge'
  | 'deadlines.overdue'
  | 'deadlines.escalated'
  | 'children.more_than_one_episode'
  | 'children.repeat_missing';

type InterviewKind = 'prevention_interview' | 'return_home_interview';
type Hours = Record<InterviewKind, number>;
type Policy = {
  hours: Hours;
  /** Within how many hours an immediate-harm referral is to be acknowledged, where the council tracks it. */
  acknowledgeHours?: number;
  repeat: CouncilConfig['repeatMissing'];
};

/**
 * How each figure is counted. Each episode belongs to the period by the figure's own instant: report figures
 * by when the episode was first reported, return and interview figures by when the child was found, deadline
 * figures by when the deadline fell due. Withdrawn episodes (reported in error) count only in their own figure.
 * Interviews are counted whenever they happened, up to the report's clock, so a return late in the period
 * may still gain an interview after the report is run.
 */
const definitions = ({
  hours,
  acknowledgeHours,
  repeat,
}: Policy): Record<FigureId, Omit<Figure, 'id' | 'value'>> => ({
  'episodes.missing': {
    label: 'Missing episodes',
    unit: 'count',
    counted: 'Missing episodes first reported in the period, not withdrawn.',
  },
  'episodes.absence': {
    label: 'Absence episodes',
    unit: 'count',
    counted:
      'Absences (away without authorisation, whereabouts known) first reported in the period, not withdrawn.',
  },
  'episodes.withdrawn': {
    label: 'Episodes withdrawn',
    unit: 'count',
    counted: 'Episodes first reported in the period and since withdrawn; left out of every other figure.',
  },
  children: {
    label: 'Children',
    unit: 'count',
    counted: 'Distinct children with a missing or absence episode first reported in the period.',
  },
  returns: {
    label: 'Returns',
    unit: 'count',
    counted: 'Missing episodes whose child was found in the period: each return is owed both interviews.',
  },
  'rhi.offered': {
    label: 'RHIs offered',
    unit: 'count',
    counted:
      'Returns in the period whose Return Home Interview was offered, completed or declined (a completed or declined interview was offered).',
  },
  'rhi.completed': {
    label: 'RHIs completed',
    unit: 'count',
    counted: 'Returns in the period whose Return Home Interview was completed.',
  },
  'rhi.declined': {
    label: 'RHIs declined',
    unit: 'count',
    counted: 'Returns in the period whose child declined the Return Home Interview.',
  },
  'rhi.completed_in_time': {
    label: `RHIs completed within ${hours.return_home_interview} hours`,
    unit: 'count',
    counted: `Returns in the period whose Return Home Interview was completed at most ${hours.return_home_interview} elapsed hours after the child returned home (as the police recorded it; else after the child was found).`,
  },
  'rhi.completed_in_time_percent': {
    label: `RHIs completed within ${hours.return_home_interview} hours, % of returns`,
    unit: 'percent',
    counted:
      'RHIs completed in time as a percentage of returns, to one decimal place; blank when there were no returns.',
  },
  'pi.completed': {
    label: 'Prevention Interviews completed',
    unit: 'count',
    counted: 'Returns in the period whose police Prevention Interview was completed.',
  },
  'pi.completed_in_time': {
    label: `Prevention Interviews within ${hours.prevention_interview} hours`,
    unit: 'count',
    counted: `Returns in the period whose Prevention Interview was completed at most ${hours.prevention_interview} elapsed hours after the child was found.`,
  },
  'pi.median_hours_from_return': {
    label: 'Prevention Interview, median hours from return',
    unit: 'hours',
    counted:
      'The median of the elapsed hours from return to Prevention Interview, over the completed ones, to one decimal place.',
  },
  'sd.due': {
    label: 'Strategy discussions due',
    unit: 'count',
    counted:
      'Strategy discussions (owed after a high-risk grade, or after so long missing) that fell due in the period while the child was still missing.',
  },
  'sd.held_in_time': {
    label: 'Strategy discussions held in time',
    unit: 'count',
    counted: 'Strategy discussions due in the period that were held at or before their due time.',
  },
  'sd.held_in_time_percent': {
    label: 'Strategy discussions held in time, % of those due',
    unit: 'percent',
    counted:
      'Strategy discussions held in time as a percentage of those due, to one decimal place; blank when none fell due.',
  },
  'referrals.made': {
    label: 'Immediate-harm referrals',
    unit: 'count',
    counted:
      'Referrals to the Duty and Assessment Team made in the period: each event recording an immediate risk of significant harm (an interview’s concerns, or harm suspected on return) while none was awaiting acknowledgement.',
  },
  'referrals.acknowledged_in_time': {
    label: `Referrals acknowledged within ${acknowledgeHours ?? '-'} hours`,
    unit: 'count',
    counted: `Referrals made in the period that the Duty and Assessment Team acknowledged at most ${acknowledgeHours ?? '-'} elapsed hours after they were recorded.`,
  },
  'referrals.median_hours_to_acknowledge': {
    label: 'Referral acknowledgement, median hours',
    unit: 'hours',
    counted:
      'The median of the elapsed hours from a referral being recorded to its acknowledgement, over the referrals made in the period that were acknowledged, to one decimal place.',
  },
  'deadlines.overdue': {
    label: 'Deadlines overdue',
    unit: 'count',
    counted:
      'Deadlines of every kind (interviews, reviews, strategy discussions, safety checks, acknowledgements) due in the period and still neither met nor ended (by a withdrawal, or by the child’s return for those owed while away) at the report’s clock.',
  },
  'deadlines.escalated': {
    label: 'Deadlines escalated',
    unit: 'count',
    counted:
      'Deadlines of every kind due in the period that were still owed when the council’s escalation fell due (due time plus its escalation delay), whether met or ended later or not at all.',
  },
  'children.more_than_one_episode': {
    label: 'Children missing more than once',
    unit: 'count',
    counted: 'Distinct children with two or more missing episodes first reported in the period.',
  },
  'children.repeat_missing': {
    label: 'Children repeatedly missing',
    unit: 'count',
    counted: `Distinct children with a missing episode reported in the period that was at least their ${ordinal(repeat.episodes)} episode within ${repeat.withinDays} days, that episode included; ${repeat.countAbsences ? 'absences count as episodes' : 'absences do not count'}.`,
  },
});

/** The figures in the order the report shows them. */
export const figureIds = Object.keys(
  definitions({
    hours: { prevention_interview: 0, return_home_interview: 0 },
    repeat: { episodes: 2, withinDays: 1, countAbsences: false },
  }),
) as FigureId[];

const deadlineHours = (council: Pick<CouncilConfig, 'deadlines'>): Hours => ({
  prevention_interview: council.deadlines.prevention_interview.hours,
  return_home_interview: council.deadlines.return_home_interview.hours,
});

/** Whether a deadline was still owed at an instant: neither met nor ended by then. */
const owedAt = (deadline: Deadline, instant: string): boolean => {
  const until = deadline.metAt ?? deadline.cancelledAt;
  return until === undefined || Date.parse(until) > Date.parse(instant);
};

const hoursBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / HOUR_MS;
const atMost = (instant: string | undefined, limit: string) =>
  instant !== undefined && Date.parse(instant) <= Date.parse(limit);
const oneDecimal = (value: number) => Math.round(value * 10) / 10;

/** The median, to one decimal place; null for no values. */
const median = (values: number[]): number | null => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return null;
  const exact =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return oneDecimal(exact);
};

const distinct = (episodes: ReportEpisode[]) => new Set(episodes.map((e) => e.childId)).size;

/** Whether a deadline was still owed when its escalation fell due, by the council's policy and the clock. */
const wasEscalated = (
  deadline: Deadline,
  council: Pick<CouncilConfig, 'deadlines'>,
  now: string,
): boolean => {
  const escalatesAt = addHours(deadline.dueAt, council.deadlines[deadline.kind]?.escalateAfterHours ?? 0);
  return Date.parse(now) >= Date.parse(escalatesAt) && owedAt(deadline, escalatesAt);
};

/** The timeliness figures for a council and a local period, computed from episodes as they stand at `now`. */
export const timelinessReport = (
  episodes: readonly ReportEpisode[],
  council: Pick<CouncilConfig, 'id' | 'name' | 'timeZone' | 'deadlines' | 'repeatMissing'>,
  period: LocalPeriod,
  now: string,
): TimelinessReport => {
  const instants = periodInstants(period, council.timeZone);
  const hours = deadlineHours(council);
  const live = episodes.filter((e) => e.state.status !== 'withdrawn');
  const reported = live.filter((e) => isInPeriod(e.state.reportedAt, instants));
  const missing = reported.filter((e) => e.state.kind === 'missing');
  const returns = live.filter((e) => e.state.kind === 'missing' && isInPeriod(e.state.foundAt, instants));
  const rhi = (e: ReportEpisode) => e.state.returnHomeInterview;
  const pi = (e: ReportEpisode) => e.state.preventionInterview;
  const dueBy = (e: ReportEpisode, kind: InterviewKind) => addHours(e.state.foundAt as string, hours[kind]);
  // The RHI's own deadline runs from when the child got home, where the police recorded it.
  const rhiDue = (e: ReportEpisode) =>
    e.state.deadlines.find((d) => d.kind === 'return_home_interview')?.dueAt ??
    dueBy(e, 'return_home_interview');
  const rhiInTime = returns.filter(
    (e) => rhi(e).state === 'completed' && atMost(rhi(e).completedAt, rhiDue(e)),
  );
  const piDone = returns.filter((e) => pi(e).completedAt !== undefined);
  const deadlinesDue = live.flatMap((e) => e.state.deadlines).filter((d) => isInPeriod(d.dueAt, instants));
  // A discussion the child's return made unnecessary before it fell due was never owed.
  const strategyDue = deadlinesDue.filter(
    (d) =>
      d.kind === 'strategy_discussion' &&
      (d.cancelledAt === undefined || Date.parse(d.cancelledAt) > Date.parse(d.dueAt)),
  );
  const strategyInTime = strategyDue.filter((d) => d.metAt !== undefined && atMost(d.metAt, d.dueAt));
  const referrals = live
    .flatMap((e) => e.state.deadlines)
    .filter((d) => d.kind === 'referral_acknowledgement' && isInPeriod(d.startsAt, instants));
  const acknowledged = referrals.filter((d) => d.metAt !== undefined);
  const missingByChild = new Map<string, number>();
  for (const e of missing) missingByChild.set(e.childId, (missingByChild.get(e.childId) ?? 0) + 1);

  const values: Record<FigureId, number | null> = {
    'episodes.missing': missing.length,
    'episodes.absence': reported.length - missing.length,
    'episodes.withdrawn': episodes.filter(
      (e) => e.state.status === 'withdrawn' && isInPeriod(e.state.reportedAt, instants),
    ).length,
    children: distinct(reported),
    returns: returns.length,
    'rhi.offered': returns.filter((e) => rhi(e).offeredAt || ['completed', 'declined'].includes(rhi(e).state))
      .length,
    'rhi.completed': returns.filter((e) => rhi(e).state === 'completed').length,
    'rhi.declined': returns.filter((e) => rhi(e).state === 'declined').length,
    'rhi.completed_in_time': rhiInTime.length,
    'rhi.completed_in_time_percent':
      returns.length === 0 ? null : oneDecimal((100 * rhiInTime.length) / returns.length),
    'pi.completed': piDone.length,
    'pi.completed_in_time': piDone.filter((e) => atMost(pi(e).completedAt, dueBy(e, 'prevention_interview')))
      .length,
    'pi.median_hours_from_return': median(
      piDone.map((e) => hoursBetween(e.state.foundAt as string, pi(e).completedAt as string)),
    ),
    'sd.due': strategyDue.length,
    'sd.held_in_time': strategyInTime.length,
    'sd.held_in_time_percent':
      strategyDue.length === 0 ? null : oneDecimal((100 * strategyInTime.length) / strategyDue.length),
    'referrals.made': referrals.length,
    'referrals.acknowledged_in_time': acknowledged.filter((d) => atMost(d.metAt, d.dueAt)).length,
    'referrals.median_hours_to_acknowledge': median(
      acknowledged.map((d) => hoursBetween(d.startsAt, d.metAt as string)),
    ),
    'deadlines.overdue': deadlinesDue.filter((d) => deadlineState(d, now) === 'overdue').length,
    'deadlines.escalated': deadlinesDue.filter((d) => wasEscalated(d, council, now)).length,
    'children.more_than_one_episode': [...missingByChild.values()].filter((n) => n > 1).length,
    'children.repeat_missing': distinct(missing.filter((e) => e.state.repeatMissing)),
  };

  const acknowledgeHours = council.deadlines.referral_acknowledgement?.hours;
  const described = definitions({
    hours,
    ...(acknowledgeHours ? { acknowledgeHours } : {}),
    repeat: council.repeatMissing,
  });
  return {
    council: { id: council.id, name: council.name, timeZone: council.timeZone },
    period: { ...period, ...instants },
    asAt: now,
    figures: figureIds.map((id) => ({ id, ...described[id], value: values[id] })),
  };
};
