import type { StepLink } from '../../shared/actions/action-links';
import type { CouncilConfig } from '../../shared/council/council-schema';
import { type EpisodeReport, foldEpisode } from '../../shared/episode/fold-episode';
import type { PipelineEvent } from '../../shared/events/event-schemas';
import { eventEmails } from '../../shared/notify/deliver-routing-message';
import type { EpisodeRecord, StoredEvent } from '../../shared/ports';

/** An event as a source sent it. */
export type Sent = { sourceId: string; event: PipelineEvent };

/** The council's source for the police's own system. */
export const policeSource = (council: CouncilConfig): string => {
  const found = Object.entries(council.sources).find(([, s]) => s.agency === council.roles.police);
  if (!found) throw new Error(`${council.id} has no police source`);
  return found[0];
};

/** The council's source that may send an event type and is not the police's (schools, the RHI provider). */
export const otherSource = (council: CouncilConfig, type: PipelineEvent['type']): string => {
  const found = Object.entries(council.sources).find(
    ([, s]) => s.agency !== council.roles.police && s.events.includes(type),
  );
  if (!found) throw new Error(`${council.id} has no other source for ${type}`);
  return found[0];
};

/** Events sent by the police's system, unless given with their own source. */
const sent = (council: CouncilConfig, steps: (PipelineEvent | Sent)[]): Sent[] =>
  steps.map((step) => ('event' in step ? step : { sourceId: policeSource(council), event: step }));

/** The stored record of an episode made of these events, as intake would have left it. */
export const episodeRecord = (
  council: CouncilConfig,
  steps: (PipelineEvent | Sent)[],
  otherEpisodes: readonly EpisodeReport[] = [],
): EpisodeRecord => {
  const events: StoredEvent[] = sent(council, steps).map(({ sourceId, event }) => ({
    sourceId,
    receivedAt: event.time,
    event,
  }));
  const state = foldEpisode(
    events.map((e) => e.event),
    { council, otherEpisodes },
  );
  if (!state) throw new Error('the events make no episode');
  return {
    episodeId: 'episode-1',
    childId: 'child-1',
    episodeRefs: [],
    state,
    events,
    version: events.length,
  };
};

/**
 * Every email the last of these events causes, through the notify function's own routing and rendering:
 * who gets it (`to`, the agency or episode recipient it stands for) and what it says.
 */
export const emailsFor = (
  council: CouncilConfig,
  steps: (PipelineEvent | Sent)[],
  options: { now?: string; otherEpisodes?: readonly EpisodeReport[]; link?: StepLink } = {},
) => {
  const record = episodeRecord(council, steps, options.otherEpisodes);
  const last = record.events.at(-1) as StoredEvent;
  return eventEmails(record, last, council, options.now ?? last.event.time, options.link).map(
    ({ delivery, email }) => ({
      to: delivery.recipient.address,
      ref: delivery.recipient.ref,
      recipient: delivery.recipient,
      actions: delivery.actions,
      ...email,
    }),
  );
};
