import type { CouncilConfig } from '../council/council-schema';
import { episodeDeadlines } from '../deadlines/episode-deadlines';
import type { EventType, PipelineEvent, ReportEvent } from '../events/event-schemas';
import { eventsOfType, isReport } from '../events/event-types';
import type { RiskFactor } from '../events/risk-factors';
import { addDays, compareInstants, toUtc } from '../time/instant';
import type { EpisodeKind, EpisodeState } from './episode-state';

/** One of the child's other episodes, as the repeat-missing count reads it. */
export interface EpisodeReport {
  reportedAt: string;
  kind: EpisodeKind;
}

/** What the fold needs beyond the episode's own events: the council, and the child's other episodes. */
export interface FoldContext {
  council: Pick<CouncilConfig, 'deadlines' | 'repeatMissing'>;
  /** When each of the child's other non-withdrawn episodes was reported, and whether it was a missing episode or an absence. */
  otherEpisodes?: readonly EpisodeReport[];
}

const typeRank: Record<EventType, number> = {
  'absence.reported': 0,
  'missing.reported': 0,
  'missing.risk_assessed': 1,
  'missing.reviewed': 2,
  'strategy_discussion.held': 2,
  'absence.safety_confirmed': 2,
  'missing.found': 3,
  'prevention_interview.completed': 4,
  'rhi.offered': 4,
  'rhi.completed': 5,
  'rhi.declined': 5,
  'referral.acknowledged': 6,
  'episode.withdrawn': 7,
};

/** The one order every replica agrees on, whatever order the events arrived in: time, then type, then id. */
export const canonicalOrder = (a: PipelineEvent, b: PipelineEvent): number =>
  compareInstants(a.time, b.time) ||
  typeRank[a.type] - typeRank[b.type] ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Distinct events by id, in canonical order: duplicates and arrival order cannot change the state. */
export const canonicalEvents = (events: readonly PipelineEvent[]): PipelineEvent[] => {
  const byId = new Map<string, PipelineEvent>();
  for (const event of events) if (!byId.has(event.id)) byId.set(event.id, event);
  return [...byId.values()].sort(canonicalOrder);
};

const latest = <T>(items: T[]): T | undefined => items[items.length - 1];

/**
 * Folds an episode's events into its state. Pure: the same events, in any order and with any duplicates,
 * give the same state. Undefined until the episode's report has arrived.
 */
export const foldEpisode = (
  events: readonly PipelineEvent[],
  context: FoldContext,
): EpisodeState | undefined => {
  const ordered = canonicalEvents(events);
  const reports: ReportEvent[] = ordered.filter(isReport);
  const firstReport = reports[0];
  const report = latest(reports);
  if (!firstReport || !report) return undefined;

  const kind = reports.some((r) => r.type === 'missing.reported') ? 'missing' : 'absence';
  const reportedAt = toUtc(firstReport.time);

  const assessments = [
    ...reports.flatMap((r) =>
      r.data.riskGrade ? [{ grade: r.data.riskGrade, at: toUtc(r.time), eventId: r.id }] : [],
    ),
    ...eventsOfType(ordered, 'missing.risk_assessed').map((e) => ({
      grade: e.data.riskGrade,
      at: toUtc(e.data.assessedAt ?? e.time),
      eventId: e.id,
    })),
  ].sort((a, b) => compareInstants(a.at, b.at) || (a.eventId < b.eventId ? -1 : 1));

  const riskFactors = [
    ...new Set<RiskFactor>(
      [...reports, ...eventsOfType(ordered, 'missing.risk_assessed', 'rhi.completed')].flatMap(
        (e) => e.data.riskFactors ?? [],
      ),
    ),
  ].sort();

  const found = latest(eventsOfType(ordered, 'missing.found'));
  const foundAt = found ? toUtc(found.data.foundAt) : undefined;
  const returnedHomeAt = found?.data.returnedHomeAt ? toUtc(found.data.returnedHomeAt) : undefined;
  const prevention = latest(eventsOfType(ordered, 'prevention_interview.completed'));
  const offered = latest(eventsOfType(ordered, 'rhi.offered'));
  const completed = latest(eventsOfType(ordered, 'rhi.completed'));
  const declined = latest(eventsOfType(ordered, 'rhi.declined'));
  const withdrawn = latest(eventsOfType(ordered, 'episode.withdrawn'));

  const interviewsDue = kind === 'missing' && foundAt !== undefined;
  const lastSeenAt = toUtc(report.data.lastSeenAt);
  const deadlines = episodeDeadlines(
    ordered,
    {
      kind,
      lastSeenAt,
      ...optional('foundAt', foundAt),
      ...optional('returnedHomeAt', returnedHomeAt),
      assessments,
      ...optional('withdrawnAt', withdrawn && toUtc(withdrawn.time)),
    },
    context.council,
  );

  // "3 in 90 days" flags the third: the count includes this episode.
  const { episodes, withinDays, countAbsences } = context.council.repeatMissing;
  const counts = (k: EpisodeKind) => k === 'missing' || countAbsences;
  const windowStart = addDays(reportedAt, -withinDays);
  const episodesInWindow = counts(kind)
    ? 1 +
      (context.otherEpisodes ?? []).filter(
        (other) =>
          counts(other.kind) &&
          compareInstants(other.reportedAt, windowStart) >= 0 &&
          compareInstants(other.reportedAt, reportedAt) < 0,
      ).length
    : 0;

  // What the return ended (a review or check while away) does not keep the episode open.
  const owed = deadlines.filter((d) => !d.cancelled);
  const closedAt =
    foundAt && owed.every((d) => d.metAt !== undefined)
      ? [foundAt, ...owed.map((d) => d.metAt as string)].sort(compareInstants).at(-1)
      : undefined;
  const status = withdrawn
    ? 'withdrawn'
    : closedAt
      ? 'closed'
      : foundAt
        ? 'found'
        : kind === 'missing'
          ? 'missing'
          : 'absent';

  // Several reports of one episode (police, school, social care) each say what they know: a report that does
  // not name the social worker, the school or an identifier does not unname the one an earlier report named.
  const named = <T>(pick: (data: ReportEvent['data']) => T | undefined): T | undefined =>
    latest(reports.map((r) => pick(r.data)).filter((value): value is T => value !== undefined));
  const identifiers = {
    ...optional(
      'nhsNumber',
      named((d) => d.child.identifiers?.nhsNumber),
    ),
    ...optional(
      'upn',
      named((d) => d.child.identifiers?.upn),
    ),
    ...optional(
      'localId',
      named((d) => d.child.identifiers?.localId),
    ),
  };
  const { identifiers: _latestOnly, ...child } = report.data.child;

  return {
    episodeRef: firstReport.data.episodeRef,
    kind,
    status,
    child: {
      ...child,
      ...(Object.keys(identifiers).length > 0 ? { identifiers } : {}),
      lookedAfter: reports.some((r) => r.data.child.lookedAfter),
    },
    reportedBy: report.data.reportedBy,
    reportedAt,
    lastSeenAt,
    ...optional('lastSeenPlace', report.data.lastSeenPlace),
    ...optional('circumstances', report.data.circumstances),
    ...optional(
      'school',
      named((d) => d.school),
    ),
    ...optional(
      'socialWorker',
      named((d) => d.socialWorker),
    ),
    ...optional(
      'placingAuthority',
      named((d) => d.placingAuthority),
    ),
    ...optional('foundAt', foundAt),
    ...optional('returnedHomeAt', returnedHomeAt),
    ...optional('foundPlace', found?.data.foundPlace),
    ...optional('returnedTo', found?.data.returnedTo),
    ...optional('harmSuspected', found?.data.harmSuspected),
    ...optional('riskGrade', latest(assessments)?.grade),
    riskHistory: assessments,
    riskFactors,
    episodesInWindow,
    repeatMissing: episodesInWindow >= episodes,
    preventionInterview: prevention
      ? {
          state: 'completed',
          completedAt: toUtc(prevention.data.completedAt),
          ...optional('concerns', prevention.data.concerns),
        }
      : { state: interviewsDue ? 'due' : 'not_due' },
    returnHomeInterview: {
      state: completed
        ? 'completed'
        : declined
          ? 'declined'
          : offered
            ? 'offered'
            : interviewsDue
              ? 'due'
              : 'not_due',
      ...optional('offeredAt', offered && toUtc(offered.data.offeredAt)),
      ...optional('appointmentAt', offered?.data.appointmentAt && toUtc(offered.data.appointmentAt)),
      ...optional('completedAt', completed && toUtc(completed.data.completedAt)),
      ...optional('declinedAt', declined && toUtc(declined.data.declinedAt)),
      ...optional('setting', completed?.data.setting ?? offered?.data.setting),
      ...optional('concerns', completed?.data.concerns),
    },
    deadlines,
    ...optional('withdrawnReason', withdrawn?.data.reason),
    ...optional('closedAt', withdrawn ? undefined : closedAt),
    eventIds: ordered.map((e) => e.id),
  };
};

/** Leaves a field out rather than storing undefined, so two equal states compare equal. */
const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
