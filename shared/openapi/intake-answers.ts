import * as z from 'zod';

/**
 * The intake's answers as schemas, for the OpenAPI document. The intake builds them in
 * shared/intake/accept-delivery.ts (Accepted) and shared/intake/problem-document.ts (ProblemDocument);
 * the document's examples are made by those very functions and parsed with these schemas in a test.
 */
export const AcceptedAnswer = z.strictObject({
  episodeId: z.string().min(1),
  status: z.enum(['missing', 'absent', 'found', 'closed', 'withdrawn']),
  duplicate: z.boolean(),
});

export const FieldIssueSchema = z.strictObject({
  /** Dotted path to the failing field or header; never its value. */
  field: z.string(),
  message: z.string(),
});

/** An RFC 9457 problem document naming the failing fields. */
export const ProblemDocumentSchema = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string(),
  errors: z.array(FieldIssueSchema),
});

/**
 * What API Gateway itself answers, before the intake function runs: plain `application/json` with one
 * message, not a problem document. The local runtime's front door answers the same bodies.
 */
export const GatewayAnswer = z.strictObject({ message: z.string() });

export const gatewayAnswers = {
  /** A path that is no route of the API. */
  notFound: { status: 404, body: { message: 'Not Found' } },
  /** A body over API Gateway's 10 MB payload limit. */
  tooLarge: { status: 413, body: { message: 'Request Entity Too Large' } },
} as const;
