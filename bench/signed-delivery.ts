import type { PipelineEventInput } from '../shared/events/event-schemas';
import { signatureHeaders } from '../shared/intake/webhook-signature';

/** A webhook POST as a source sends it: the path, the exact body bytes and the Standard Webhooks headers. */
export interface SignedDelivery {
  sourceId: string;
  path: string;
  body: string;
  headers: Record<string, string>;
}

export const signedDelivery = (
  sourceId: string,
  secret: string,
  event: PipelineEventInput,
): SignedDelivery => {
  const body = JSON.stringify(event);
  return {
    sourceId,
    path: `/v1/sources/${sourceId}/events`,
    body,
    headers: { 'content-type': 'application/json', ...signatureHeaders(secret, event.id, body) },
  };
};

/**
 * A child reported missing: its own child (a name and local id per episode, as the registry finds a child by
 * either), so every event opens a new episode.
 */
export const reportedEvent = (episodeRef: string, at: Date): PipelineEventInput => ({
  specversion: '1.0',
  id: `${episodeRef}-reported`,
  source: 'urn:bench:police',
  type: 'missing.reported',
  time: at.toISOString(),
  data: {
    episodeRef,
    child: {
      givenName: 'Bench',
      familyName: `Child ${episodeRef}`,
      dateOfBirth: '2012-03-04',
      identifiers: { localId: episodeRef },
    },
    reportedBy: 'police',
    lastSeenAt: new Date(at.getTime() - 3_600_000).toISOString(),
  },
});

/** The child found: opens the Prevention Interview and Return Home Interview deadlines. */
export const foundEvent = (episodeRef: string, at: Date): PipelineEventInput => ({
  specversion: '1.0',
  id: `${episodeRef}-found`,
  source: 'urn:bench:police',
  type: 'missing.found',
  time: at.toISOString(),
  data: { episodeRef, foundAt: at.toISOString() },
});
