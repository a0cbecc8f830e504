import { eventEmail } from '../email/event-email';
import type { RoutingMessage } from '../ports';
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
 * Emails every agency the council's routing rules name for one accepted event, each with what it must do.
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
  for (const delivery of routeEvent(stored.event, record.state, deps.council)) {
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
