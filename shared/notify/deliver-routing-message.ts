import type { CouncilConfig } from '../council/council-schema';
import { eventEmail } from '../email/event-email';
import type { EpisodeState } from '../episode/episode-state';
import { canonicalEvents, foldEpisode } from '../episode/fold-episode';
import type { PipelineEvent } from '../events/event-schemas';
import type { EpisodeRecord, RoutingMessage } from '../ports';
import { routeEvent } from '../routing/route-event';
import {
  type MailDeps,
  type SendOutcome,
  type SendTally,
  sendOnce,
  TransientSendError,
  tally,
} from './send-once';

/** An email about an event goes once per (event, inbox), however often the message is delivered. */
export const eventSendKey = (eventId: string, address: string): string =>
  `${eventId}:${address.toLowerCase()}`;

/**
 * The episode as it stood with this event: who hears of an event must not depend on how late its message
 * is read (a report read after the risk assessment must not also set off the high-risk rules, which the
 * assessment's own message does). Repeat-missing depends only on earlier episodes, so it is kept as stored.
 */
export const stateAtEvent = (
  record: EpisodeRecord,
  event: PipelineEvent,
  council: CouncilConfig,
): EpisodeState => {
  const ordered = canonicalEvents(record.events.map((e) => e.event));
  const upTo = ordered.slice(0, ordered.findIndex((e) => e.id === event.id) + 1);
  const state = foldEpisode(upTo, { council });
  return state
    ? {
        ...state,
        previousEpisodesInWindow: record.state.previousEpisodesInWindow,
        repeatMissing: record.state.repeatMissing,
      }
    : record.state;
};

/**
 * Emails every agency the council's routing rules name for one accepted event, each with what it must do;
 * the body shows the episode as it is now (risk, deadlines).
 * Recipients already sent to are skipped; if any send fails transiently the rest are still tried and then
 * a TransientSendError returns the message to the queue.
 */
export const deliverRoutingMessage = async (deps: MailDeps, message: RoutingMessage): Promise<SendTally> => {
  const record = await deps.store.getEpisode(message.episodeId);
  const stored = record?.events.find(
    (e) => e.sourceId === message.sourceId && e.event.id === message.eventId,
  );
  // The intake commits before it queues, so this is a store that has not caught up yet: try again later.
  if (!record || !stored) {
    throw new Error(`episode ${message.episodeId} has no event ${message.sourceId}/${message.eventId}`);
  }
  const now = deps.clock.now();
  const outcomes: SendOutcome[] = [];
  for (const delivery of routeEvent(
    stored.event,
    stateAtEvent(record, stored.event, deps.council),
    deps.council,
  )) {
    outcomes.push(
      await sendOnce(deps, {
        sendKey: eventSendKey(message.eventId, delivery.recipient.address),
        episodeId: record.episodeId,
        recipient: delivery.recipient,
        email: eventEmail({
          event: stored.event,
          episode: record.state,
          delivery,
          council: deps.council,
          now,
        }),
      }),
    );
  }
  const result = tally(outcomes);
  if (result.failed > 0) {
    throw new TransientSendError(`${result.failed} email(s) for event ${message.eventId} failed; will retry`);
  }
  return result;
};
