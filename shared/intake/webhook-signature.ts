import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { FieldIssue } from '../events/parse-event';

export type SignatureCheck = { ok: true } | { ok: false; issue: FieldIssue };

/**
 * The library signs `payload.toString()`, so bytes that are not UTF-8 would be replaced by U+FFFD before the
 * HMAC: a correctly signed body that is not UTF-8 could never verify, and such a body could be altered
 * without breaking its signature. This signs the bytes as received; the library still checks the
 * timestamp's tolerance and compares every listed signature in constant time.
 */
class ExactBodyWebhook extends Webhook {
  readonly #key: Buffer;

  constructor(secret: string) {
    super(secret); // refuses a malformed secret
    this.#key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  }

  override sign(msgId: string, timestamp: Date, payload: string | Buffer): string {
    const hmac = createHmac('sha256', this.#key)
      .update(`${msgId}.${Math.floor(timestamp.getTime() / 1000)}.`)
      .update(payload);
    return `v1,${hmac.digest('base64')}`;
  }
}

/**
 * What is wrong with the three headers before any secret is tried, naming the header. The library would take
 * `1764590000abc` for a timestamp (it reads it with parseInt) and blame a missing one on the signature.
 */
const headerIssue = (headers: Record<string, string | undefined>): FieldIssue | undefined => {
  if (!headers['webhook-id']) return { field: 'webhook-id', message: 'is required: the event id' };
  if (!/^\d+$/.test(headers['webhook-timestamp'] ?? '')) {
    return { field: 'webhook-timestamp', message: 'is required: the unix time in seconds, digits only' };
  }
  if (!headers['webhook-signature']) {
    return { field: 'webhook-signature', message: 'is required: v1,<base64 HMAC-SHA256>' };
  }
  return undefined;
};

const failureIssue = (message: string): FieldIssue =>
  /timestamp/i.test(message)
    ? { field: 'webhook-timestamp', message: 'is more than 5 minutes from the server clock' }
    : {
        field: 'webhook-signature',
        message: 'no listed signature matches this body with any of the source’s secrets',
      };

/**
 * Verifies the Standard Webhooks signature over the body's exact bytes against each active secret of the
 * source (more than one while a secret rotates). The library checks the 5-minute timestamp tolerance against
 * the wall clock: replay protection is about real time on the wire, not the pipeline's (movable) domain clock.
 */
export const verifySignature = (
  body: Uint8Array,
  headers: Record<string, string | undefined>,
  secrets: readonly string[],
): SignatureCheck => {
  const malformed = headerIssue(headers);
  if (malformed) return { ok: false, issue: malformed };
  const present = Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const payload = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let failure = 'No matching signature found';
  for (const secret of secrets) {
    try {
      // jsonParse off: a correctly signed body that is not JSON is the caller's 400, not a signature failure.
      new ExactBodyWebhook(secret).verify(payload, present, { jsonParse: false });
      return { ok: true };
    } catch (error) {
      // A malformed secret is skipped like a wrong one; the others may still match.
      if (error instanceof WebhookVerificationError) failure = error.message;
    }
  }
  return { ok: false, issue: failureIssue(failure) };
};

/** The three Standard Webhooks headers a source sends with a body (text as UTF-8, or bytes as they are). */
export const signatureHeaders = (
  secret: string,
  webhookId: string,
  body: string | Uint8Array,
  signedAt: Date = new Date(),
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> => ({
  'webhook-id': webhookId,
  'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
  'webhook-signature': new ExactBodyWebhook(secret).sign(webhookId, signedAt, Buffer.from(body)),
});
