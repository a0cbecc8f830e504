import { episodeLinks, type StepLink } from '../actions/action-links';
import type { CouncilConfig } from '../council/council-schema';
import type { RenderedEmail } from '../email/email-document';
import { eventEmail } from '../email/event-email';
import { reviewEmail } from '../email/review-email';
import type { EpisodeState } from '../episode/episode-state';
import { canonicalEvents, foldEpisode } from '../episode/fold-episode';
import type { EpisodeRecord, RecordReview, RoutingMessage, StoredEvent } from '../ports';
import { episodeProvenance, latestReferrerSourceId, type RoutingContext } from '../routing/provenance';
import { fromAgency } from '../routing/recipients';
import { type Delivery, routeEvent } from '../routing/route-event';
import { type MailDeps, retryUnlessAllSent, type Send, type SendTally, sendEach, tally } from './send-once';

/**
 * An email about an event goes once per (delivery, inbox), however often the message is delivered. The
 * delivery is (source, event id): each source owns its ids, so two sources may use the same one.
 */
export const eventSendKey = (message: RoutingMessage, address: string): string =>
  `${message.sourceId}:${message.eventId}:${address.toLowerCase()}`;

/**
 * A review of a report's record goes once per conflict and inbox: the key names the two children (or the one
 * child and what differs), so the same conflict raised again by any report or source is not emailed again.
 */
export const reviewSendKey = (review: RecordReview, address: string): string =>
  `review:${review.key}:${address.toLowerCase()}`;

/**
 * The episode as it stood just before and with this event, and the event routed on it: who hears of an
 * event must not depend on how late its message is read (a report read after the risk assessment must not
 * also set off the high-risk rules, which the assessment's own message does). Repeat-missing depends only
 * on earlier episodes, so it is kept as stored. Each email shows the episode as it is now.
 */
export const eventEmails = (
  record: EpisodeRecord,
  stored: StoredEvent,
  council: CouncilConfig,
  now: string,
  link?: StepLink,
): { delivery: Delivery; email: RenderedEmail }[] => {
  const { event, sourceId } = stored;
  const ordered = canonicalEvents(record.events.map((e) => e.event));
  const index = ordered.findIndex((e) => e.id === event.id);
  const asStored = (state: EpisodeState | undefined) =>
    state && {
      ...state,
      episodesInWindow: record.state.episodesInWindow,
      repeatMissing: record.state.repeatMissing,
    };
  const before = asStored(foldEpisode(ordered.slice(0, index), { council }));
  const atEvent = asStored(foldEpisode(ordered.slice(0, index + 1), { council })) ?? record.state;
  const referrerSourceId = latestReferrerSourceId(record.events, atEvent);
  const context: RoutingContext = {
    ...episodeProvenance(record.events, council, event),
    sourceId,
    ...(before ? { before } : {}),
    ...(referrerSourceId ? { referrerSourceId } : {}),
  };
  const provenance = episodeProvenance(record.events, council);
  return routeEvent(event, atEvent, council, context).map((delivery) => ({
    delivery,
    email: eventEmail({
      event,
      sourceId,
      ...(before ? { before } : {}),
      episode: record.state,
      provenance,
      delivery,
      council,
      now,
      ...(link ? { link } : {}),
    }),
  }));
};

/**
 * Emails every agency the council's routing rules name for one accepted event, each with what it must do;
 * the body shows the episode as it is now (risk, deadlines). A report the registry could not place without a
 * doubt (the message carries its review) also asks the council's managers to decide, once per conflict.
 * Recipients already sent to are skipped; if any send fails the rest are still tried and then a
 * TransientSendError returns the message to the queue (a ThrottledSendError when throttling was all).
 */
export const deliverRoutingMessage = async (deps: MailDeps, message: RoutingMessage): Promise<SendTally> => {
  const record = await deps.store.getEpisode(message.episodeId);
  const stored = record?.events.find(
    (e) => e.sourceId === message.sourceId && e.event.id === message.eventId,
  );
  // The message is dispatched from the event's commit, so this is a store that has not caught up: try later.
  if (!record || !stored) {
    throw new Error(`episode ${message.episodeId} has no event ${message.sourceId}/${message.eventId}`);
  }
  const { council } = deps;
  const managers = fromAgency(council.roles.managers, council.roles.managers, council);
  const review: Send[] = message.review
    ? [
        {
          sendKey: reviewSendKey(message.review, managers.address),
          episodeId: record.episodeId,
          recipient: managers,
          email: reviewEmail({
            review: message.review,
            report: stored,
            episode: record,
            council,
            recipient: managers,
          }),
        },
      ]
    : [];
  const now = deps.clock.now();
  const link = await episodeLinks(deps.links, record.episodeId, now, deps.log);
  const outcomes = await sendEach(deps, [
    ...eventEmails(record, stored, council, now, link).map(({ delivery, email }) => ({
      sendKey: eventSendKey(message, delivery.recipient.address),
      episodeId: record.episodeId,
      recipient: delivery.recipient,
      email,
    })),
    ...review,
  ]);
  const result = tally(outcomes);
  retryUnlessAllSent(result, `event ${message.eventId}`);
  return result;
};
