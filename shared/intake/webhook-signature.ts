import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { FieldIssue } from '../events/parse-event';

export type SignatureCheck = { ok: true } | { ok: false; issue: FieldIssue };

const headerIssue = (message: string): FieldIssue =>
  /timestamp/i.test(message)
    ? {
        field: 'webhook-timestamp',
        message: 'is more than 5 minutes from now, or not a unix time in seconds',
      }
    : /missing/i.test(message)
      ? {
          field: 'webhook-signature',
          message: 'webhook-id, webhook-timestamp and webhook-signature are required',
        }
      : {
          field: 'webhook-signature',
          message: 'no listed signature matches this body with any of the source’s secrets',
        };

/**
 * Verifies the Standard Webhooks signature over the raw body against each active secret of the source (more
 * than one while a secret rotates). The library checks the 5-minute timestamp tolerance against the wall
 * clock: replay protection is about real time on the wire, not the pipeline's (movable) domain clock.
 */
export const verifySignature = (
  rawBody: string,
  headers: Record<string, string | undefined>,
  secrets: readonly string[],
): SignatureCheck => {
  const present = Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  let failure = 'No matching signature found';
  for (const secret of secrets) {
    try {
      // jsonParse off: a correctly signed body that is not JSON is the caller's 400, not a signature failure.
      new Webhook(secret).verify(rawBody, present, { jsonParse: false });
      return { ok: true };
    } catch (error) {
      // A malformed secret is skipped like a wrong one; the others may still match.
      if (error instanceof WebhookVerificationError) failure = error.message;
    }
  }
  return { ok: false, issue: headerIssue(failure) };
};

/** The three Standard Webhooks headers a source sends with a body: what `verifySignature` checks. */
export const signatureHeaders = (
  secret: string,
  webhookId: string,
  body: string,
  signedAt: Date = new Date(),
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> => ({
  'webhook-id': webhookId,
  'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
  'webhook-signature': new Webhook(secret).sign(webhookId, signedAt, body),
});
