import { MIMEType } from 'node:util';
import { isEmailSource } from '../actions/step-kinds';
import type { CouncilConfig } from '../council/council-schema';
import { type DomainError, domainError } from '../domain-error';
import type { PipelineEvent } from '../events/event-schemas';
import { claimedEventType, parseEvent } from '../events/parse-event';
import type { SecretSource } from '../ports';
import { verifySignature } from './webhook-signature';

/** A CloudEvent with a full report is a few KiB; this leaves room and refuses anything abusive. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface IntakeRequest {
  /** The HTTP method: the route takes every method so that the others are answered 405, not 404. */
  method: string;
  sourceId: string;
  /** The body's bytes exactly as received: what the signature covers. */
  body: Uint8Array;
  headers: Record<string, string | undefined>;
}

export type Refused = { ok: false; error: DomainError };

export const refused = (error: DomainError): Refused => ({ ok: false, error });
export const issue = (kind: DomainError['kind'], field: string, message: string) =>
  refused(domainError(kind, `${field} ${message}`, [{ field, message }]));

/** The 405 a request's method earns, if any. */
export const methodRefusal = (method: string): DomainError | undefined =>
  method === 'POST'
    ? undefined
    : domainError('method_not_allowed', 'this route takes POST only', [
        { field: '(method)', message: 'must be POST' },
      ]);

/** The media types of a structured CloudEvent in JSON (CloudEvents' own, and plain JSON). */
const EVENT_MEDIA_TYPES = ['application/cloudevents+json', 'application/json'];

/** Whether a charset label names UTF-8 (by the Encoding Standard's labels: `utf-8`, `UTF8`, ...). */
const isUtf8Label = (label: string): boolean => {
  try {
    return new TextDecoder(label).encoding === 'utf-8';
  } catch {
    return false;
  }
};

/** What is wrong with the content-type header, if anything; never its value. */
const contentTypeProblem = (header: string | undefined): string | undefined => {
  let media: MIMEType;
  try {
    media = new MIMEType(header ?? '');
  } catch {
    return 'is missing or not a media type: send application/cloudevents+json or application/json';
  }
  if (!EVENT_MEDIA_TYPES.includes(media.essence)) {
    return 'must be application/cloudevents+json or application/json';
  }
  const charset = media.params.get('charset');
  if (charset !== null && !isUtf8Label(charset)) return 'must have no charset, or charset=utf-8';
  return undefined;
};

/** The 415 a request's content-type earns, if any. */
export const contentTypeRefusal = (header: string | undefined): DomainError | undefined => {
  const problem = contentTypeProblem(header);
  return problem
    ? domainError('unsupported_media_type', 'the body must be one CloudEvent in JSON, encoded in UTF-8', [
        { field: 'content-type', message: problem },
      ])
    : undefined;
};

/** A leading byte order mark is kept, so the text is the signed bytes exactly (JSON.parse then refuses it). */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body as text, or undefined when its bytes are not UTF-8 (decoding would replace them silently). */
export const utf8Text = (body: Uint8Array): string | undefined => {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
};

/**
 * Verify, then parse: every check that needs no episode, in the order the wire contract answers them. Those
 * that need no secret come first: 405 method, 404 source, 413 size, 415 content type; then 401 signature;
 * then 400 UTF-8 and JSON, 400 unknown type, 403 type not allowed for the source, 400 id, 400 schema.
 */
export const checkRequest = async (
  ports: { council: CouncilConfig; secrets: SecretSource },
  request: IntakeRequest,
): Promise<{ ok: true; event: PipelineEvent; rawBody: string } | Refused> => {
  const { council, secrets } = ports;
  const { sourceId } = request;
  const wrongMethod = methodRefusal(request.method);
  if (wrongMethod) return refused(wrongMethod);
  // An email source records from its emails' links only: it has no webhook, so no secret to verify one with.
  const source =
    Object.hasOwn(council.sources, sourceId) && !isEmailSource(sourceId)
      ? council.sources[sourceId]
      : undefined;
  if (!source) return refused(domainError('not_found', `this council has no source "${sourceId}"`));
  if (request.body.byteLength > MAX_BODY_BYTES) {
    return refused(domainError('too_large', `the body is over ${MAX_BODY_BYTES} bytes`));
  }
  const unsupported = contentTypeRefusal(request.headers['content-type']);
  if (unsupported) return refused(unsupported);

  let signature = verifySignature(request.body, request.headers, await secrets.secretsFor(sourceId));
  if (!signature.ok && signature.issue.field === 'webhook-signature') {
    // The secret may have rotated since this container cached it.
    signature = verifySignature(
      request.body,
      request.headers,
      await secrets.secretsFor(sourceId, { refresh: true }),
    );
  }
  if (!signature.ok) {
    return refused(domainError('unauthorised', signature.issue.message, [signature.issue]));
  }

  const rawBody = utf8Text(request.body);
  if (rawBody === undefined) {
    return issue('invalid', '(body)', 'is not UTF-8: send the event as JSON encoded in UTF-8');
  }
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return issue('invalid', '(body)', 'is not JSON: send one CloudEvents 1.0 structured JSON event');
  }
  const type = claimedEventType(body);
  if (!type) return issue('invalid', 'type', 'is not an event type of this pipeline');
  if (!source.events.includes(type)) {
    return refused(
      domainError('forbidden', `source "${sourceId}" may not send ${type}`, [
        { field: 'type', message: 'is not allowed for this source' },
      ]),
    );
  }
  if ((body as { id?: unknown }).id !== request.headers['webhook-id']) {
    return issue('invalid', 'id', 'must equal the webhook-id header');
  }
  const parsed = parseEvent(body);
  if (!parsed.ok)
    return refused(domainError('invalid', 'the event does not match its schema', parsed.issues));
  return { ok: true, event: parsed.value, rawBody };
};
