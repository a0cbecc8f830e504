import { signatureHeaders } from '../../shared/intake/webhook-signature';

export interface SentEvent {
  status: number;
  body: unknown;
}

export interface SendOptions {
  /** When the signature says it was made; a stale one is refused. */
  signedAt?: Date;
  /** The exact body to send, when it is not the event's JSON (a malformed body, say): text or bytes. */
  rawBody?: string | Uint8Array;
  /** The content-type header; `application/json` unless given (`null`: none at all). */
  contentType?: string | null;
  /** The message id the signature covers; the event's id unless given. */
  webhookId?: string;
  /** Headers set or replaced after signing (a broken webhook-timestamp, say). */
  headers?: Record<string, string>;
}

/** Posts an event as a source system does: the CloudEvent as JSON, signed with Standard Webhooks. */
export const sendSignedEvent = async (
  baseUrl: string,
  sourceId: string,
  secret: string,
  event: Record<string, unknown>,
  options: SendOptions = {},
): Promise<SentEvent> => {
  const body = options.rawBody ?? JSON.stringify(event);
  const webhookId = options.webhookId ?? String(event.id);
  const signedAt = options.signedAt ?? new Date();
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  const response = await fetch(`${baseUrl}/v1/sources/${encodeURIComponent(sourceId)}/events`, {
    method: 'POST',
    headers: {
      ...(contentType === null ? {} : { 'content-type': contentType }),
      ...signatureHeaders(secret, webhookId, body, signedAt),
      ...options.headers,
    },
    // Bytes, so fetch adds no content type of its own (it would add text/plain to a string).
    body: Buffer.from(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (API Gateway's own answers can be plain): kept as text.
  }
  return { status: response.status, body: parsed };
};
