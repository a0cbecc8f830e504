import type { CouncilConfig } from '../../../shared/council/council-schema';
import { foldEpisode } from '../../../shared/episode/fold-episode';
import type { PipelineEvent } from '../../../shared/events/event-schemas';
import type { ReportEpisode } from '../../../shared/reports/timeliness-report';
import { towerHamlets } from '../../support/councils';
import { parsedEvent } from '../../support/events';

export interface EpisodeStory {
  kind?: 'missing' | 'absence';
  lookedAfter?: boolean;
  localId?: string;
  dateOfBirth?: string;
  lastSeenAt: string;
  /** When the report was sent (the episode's reportedAt); an hour after last seen unless given. */
  reportedAt?: string;
  foundAt?: string;
  preventionInterviewAt?: string;
  rhiOfferedAt?: string;
  rhiCompletedAt?: string;
  rhiDeclinedAt?: string;
  withdrawnAt?: string;
  /** When the police graded the child high risk. */
  gradedHighAt?: string;
  strategyDiscussionAt?: string;
  /** When a Prevention Interview recorded an immediate risk of significant harm (after the return). */
  immediateHarmAt?: string;
  acknowledgedAt?: string;
  /** When the child's earlier episodes were reported, for the repeat-missing flag. */
  earlierReports?: string[];
}

const noConcerns = { riskOfHarm: false, immediateSignificantHarm: false, exploitation: false };

/** An episode folded from the events a sender would post, so the reports read real states. */
export const reportEpisode = (
  episodeId: string,
  childId: string,
  story: EpisodeStory,
  council: CouncilConfig = towerHamlets,
): ReportEpisode => {
  const episodeRef = `REF-${episodeId}`;
  const event = (n: number, time: string) => ({ id: `${episodeId}-${n}`, time });
  const events: PipelineEvent[] = [
    parsedEvent(
      story.kind === 'absence' ? 'absence.reported' : 'missing.reported',
      {
        episodeRef,
        child: {
          givenName: 'Sam',
          familyName: 'Example',
          dateOfBirth: story.dateOfBirth ?? '2011-05-14',
          lookedAfter: story.lookedAfter ?? false,
          ...(story.localId ? { identifiers: { localId: story.localId } } : {}),
        },
        reportedBy: 'police',
        lastSeenAt: story.lastSeenAt,
      },
      event(1, story.reportedAt ?? new Date(Date.parse(story.lastSeenAt) + 3_600_000).toISOString()),
    ),
  ];
  if (story.gradedHighAt) {
    const at = story.gradedHighAt;
    events.push(parsedEvent('missing.risk_assessed', { episodeRef, riskGrade: 'high' }, event(8, at)));
  }
  if (story.strategyDiscussionAt) {
    const at = story.strategyDiscussionAt;
    events.push(
      parsedEvent(
        'strategy_discussion.held',
        { episodeRef, heldAt: at, outcome: 'section_47_enquiry' },
        event(9, at),
      ),
    );
  }
  if (story.immediateHarmAt) {
    const at = story.immediateHarmAt;
    events.push(
      parsedEvent(
        'prevention_interview.completed',
        { episodeRef, completedAt: at, concerns: { ...noConcerns, immediateSignificantHarm: true } },
        event(10, at),
      ),
    );
  }
  if (story.acknowledgedAt) {
    const at = story.acknowledgedAt;
    events.push(
      parsedEvent(
        'referral.acknowledged',
        { episodeRef, acknowledgedAt: at, acknowledgedBy: { name: 'Ali Duty' } },
        event(11, at),
      ),
    );
  }
  if (story.foundAt) {
    events.push(
      parsedEvent('missing.found', { episodeRef, foundAt: story.foundAt }, event(2, story.foundAt)),
    );
  }
  if (story.preventionInterviewAt) {
    const at = story.preventionInterviewAt;
    events.push(parsedEvent('prevention_interview.completed', { episodeRef, completedAt: at }, event(3, at)));
  }
  if (story.rhiOfferedAt) {
    const at = story.rhiOfferedAt;
    events.push(parsedEvent('rhi.offered', { episodeRef, offeredAt: at }, event(4, at)));
  }
  if (story.rhiCompletedAt) {
    const at = story.rhiCompletedAt;
    events.push(
      parsedEvent(
        'rhi.completed',
        { episodeRef, completedAt: at, setting: 'neutral', concerns: noConcerns },
        event(5, at),
      ),
    );
  }
  if (story.rhiDeclinedAt) {
    const at = story.rhiDeclinedAt;
    events.push(parsedEvent('rhi.declined', { episodeRef, declinedAt: at }, event(6, at)));
  }
  if (story.withdrawnAt) {
    events.push(
      parsedEvent(
        'episode.withdrawn',
        { episodeRef, reason: 'reported in error' },
        event(7, story.withdrawnAt),
      ),
    );
  }
  const state = foldEpisode(events, {
    council,
    otherEpisodes: (story.earlierReports ?? []).map((reportedAt) => ({ reportedAt, kind: 'missing' })),
  });
  if (!state) throw new Error(`episode ${episodeId} has no report`);
  return { episodeId, childId, state };
};
