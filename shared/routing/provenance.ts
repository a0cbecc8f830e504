import type { CouncilConfig } from '../council/council-schema';
import { recordsImmediateHarm } from '../deadlines/episode-deadlines';
import type { Deadline, EpisodeState } from '../episode/episode-state';
import { canonicalOrder } from '../episode/fold-episode';
import type { PipelineEvent } from '../events/event-schemas';
import { isReport } from '../events/event-types';
import type { StoredEvent } from '../ports';

/** Who sent an episode's events: what routing and every email know beyond the events' data. */
export interface EpisodeProvenance {
  /** The source of the episode's first report. */
  reportSourceId: string;
  /** Whether the police's own system has sent an event about the episode: then the police hold the report. */
  policeHaveReport: boolean;
}

/** What routing one event needs beyond the episode as it stands with it. */
export interface RoutingContext extends EpisodeProvenance {
  /** The source that sent the event: its agency recorded it. */
  sourceId: string;
  /** The episode just before the event; none for the report that opened it. */
  before?: EpisodeState;
  /** The source that recorded the immediate risk of significant harm the episode's latest referral answers. */
  referrerSourceId?: string;
}

export const isPoliceSource = (sourceId: string, council: CouncilConfig): boolean =>
  council.sources[sourceId]?.agency === council.roles.police;

/**
 * The provenance of an episode from its stored events, as it stood with `upTo` (an event routed later than
 * it arrived must not read what came after it), or as it stands now.
 */
export const episodeProvenance = (
  events: readonly StoredEvent[],
  council: CouncilConfig,
  upTo?: PipelineEvent,
): EpisodeProvenance => {
  const known = upTo ? events.filter((e) => canonicalOrder(e.event, upTo) <= 0) : events;
  const report = known.filter((e) => isReport(e.event)).sort((a, b) => canonicalOrder(a.event, b.event))[0];
  if (!report) throw new Error('an episode has a report');
  return {
    reportSourceId: report.sourceId,
    policeHaveReport: known.some((e) => isPoliceSource(e.sourceId, council)),
  };
};

/** The stored event that recorded the immediate risk of significant harm that opened an acknowledgement deadline. */
export const openingEvent = (
  events: readonly StoredEvent[],
  deadline: Pick<Deadline, 'openedBy'> | undefined,
): StoredEvent | undefined =>
  deadline?.openedBy
    ? events.find((e) => e.event.id === deadline.openedBy && recordsImmediateHarm(e.event))
    : undefined;

/** The source (the referrer) of the episode's latest immediate-harm referral, as the episode stands in `state`. */
export const latestReferrerSourceId = (
  events: readonly StoredEvent[],
  state: EpisodeState,
): string | undefined =>
  openingEvent(events, state.deadlines.filter((d) => d.kind === 'referral_acknowledgement').at(-1))?.sourceId;
