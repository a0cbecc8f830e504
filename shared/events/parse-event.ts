import type * as z from 'zod/mini';
import { EventType, PipelineEvent } from './event-schemas';

export interface FieldIssue {
  /** Dotted path to the failing field, e.g. "data.child.dateOfBirth". Never the value. */
  field: string;
  message: string;
}

export const toFieldIssues = (error: z.core.$ZodError): FieldIssue[] =>
  error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

/** The event type a body claims, read before full validation so the source's permission can be checked first. */
export const claimedEventType = (body: unknown): EventType | undefined => {
  const type = typeof body === 'object' && body !== null ? (body as { type?: unknown }).type : undefined;
  const parsed = EventType.safeParse(type);
  return parsed.success ? parsed.data : undefined;
};

export const parseEvent = (body: unknown): ParseResult<PipelineEvent> => {
  const parsed = PipelineEvent.safeParse(body);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, issues: toFieldIssues(parsed.error) };
};
