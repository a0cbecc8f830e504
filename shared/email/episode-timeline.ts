import type { CouncilConfig } from '../council/council-schema';
import { deadlineKinds, deadlineLabel } from '../deadlines/deadline-kinds';
import type { EpisodeState } from '../episode/episode-state';
import { type DetailSet, holdsAll } from '../events/detail-categories';
import { compareInstants, formatLocal } from '../time/instant';
import type { TimelineEntry } from './email-document';
import { riskGradeLabel } from './episode-sections';

/**
 * The steps that met a deadline, once each: a review is listed under its own name (a strategy discussion,
 * which also meets the manager's review, under its own), and a head of service review, which meets the
 * manager's too, once.
 */
const stepsMet = (episode: EpisodeState, held: DetailSet) => {
  const byTime = new Map<string, string>();
  for (const d of episode.deadlines) {
    // The interviews have lines of their own; a review is only under its name when it was one.
    if (d.kind.endsWith('_interview') || !d.metAt || !holdsAll(held, deadlineKinds[d.kind].reveals)) continue;
    if (d.kind.endsWith('_review') && d.metBy !== 'reviewed') continue;
    byTime.set(d.metAt, deadlineLabel(d.kind));
  }
  return [...byTime].map(([at, what]) => ({ at, what }));
};

/**
 * The episode so far in a few lines, oldest first, in the council's local time: last seen, reported, each
 * risk grade, found, home, the interviews and the steps that met a deadline. Only what the recipient may
 * know: a grade to those who hold the risk, a step whose deadline reveals a category only to its holders.
 */
export const episodeTimeline = (
  episode: EpisodeState,
  held: DetailSet,
  council: CouncilConfig,
): TimelineEntry[] => {
  const entries: { at: string | undefined; what: string }[] = [
    { at: episode.lastSeenAt, what: 'Last seen' },
    { at: episode.reportedAt, what: episode.kind === 'missing' ? 'Reported missing' : 'Reported absent' },
    ...(held.has('risk')
      ? episode.riskHistory.map((a) => ({ at: a.at, what: `Risk graded ${riskGradeLabel[a.grade]}` }))
      : []),
    { at: episode.foundAt, what: episode.kind === 'missing' ? 'Found' : 'Back where they should be' },
    { at: episode.returnedHomeAt, what: 'Got home' },
    { at: episode.preventionInterview.completedAt, what: 'Prevention Interview held' },
    { at: episode.returnHomeInterview.offeredAt, what: 'Return Home Interview offered' },
    { at: episode.returnHomeInterview.completedAt, what: 'Return Home Interview held' },
    { at: episode.returnHomeInterview.declinedAt, what: 'Return Home Interview declined by the child' },
    ...stepsMet(episode, held),
  ];
  return entries
    .filter((e): e is TimelineEntry => e.at !== undefined)
    .sort((a, b) => compareInstants(a.at, b.at))
    .map((e) => ({ at: formatLocal(e.at, council.timeZone), what: e.what }));
};
