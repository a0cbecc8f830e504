import { z } from 'zod';
import type { DomainErrorKind } from '../domain-error';

/** What intake answers when it accepts an event (202), or recognises a repeated delivery (200). */
export const AcceptedAnswer = z.strictObject({
  episodeId: z.string().min(1),
  status: z.enum(['missing', 'absent', 'found', 'closed', 'withdrawn']),
  duplicate: z.boolean(),
});
export type AcceptedAnswer = z.infer<typeof AcceptedAnswer>;

export const FieldIssueSchema = z.strictObject({
  /** Dotted path to the failing field; never its value. */
  field: z.string(),
  message: z.string(),
});

/** An RFC 9457 problem document naming the failing fields. */
export const ProblemDocument = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string(),
  errors: z.array(FieldIssueSchema).optional(),
});
export type ProblemDocument = z.infer<typeof ProblemDocument>;

/** The HTTP status each domain failure is answered with. */
export const problemStatus: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthorised: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unprocessable: 422,
};
