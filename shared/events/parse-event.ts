import { type FieldIssue, toFieldIssues } from '../validation/field-issues';
import { EventType, PipelineEvent } from './event-schemas';

export { type FieldIssue, toFieldIssues };

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
