import type { DomainError, DomainErrorKind } from '../domain-error';
import type { FieldIssue } from '../events/parse-event';

/** An RFC 9457 problem document: what went wrong and which fields, never a field's value or a stack. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors: FieldIssue[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_BASE = 'https://missing-pipeline.example/problems/';

/** Each kind's status and title, and any header its answer must carry. */
const problems: Record<DomainErrorKind, { status: number; title: string; headers?: Record<string, string> }> =
  {
    invalid: { status: 400, title: 'Malformed event' },
    unauthorised: { status: 401, title: 'Signature not verified' },
    forbidden: { status: 403, title: 'Event type not allowed for this source' },
    not_found: { status: 404, title: 'Unknown source' },
    conflict: { status: 409, title: 'Conflicts with the episode' },
    unprocessable: { status: 422, title: 'Breaks a domain rule' },
    too_large: { status: 413, title: 'Body too large' },
    unsupported_media_type: { status: 415, title: 'Unsupported content type' },
    // The intake's route takes POST only (RFC 9110: a 405 says which methods the route allows).
    method_not_allowed: { status: 405, title: 'Method not allowed', headers: { allow: 'POST' } },
  };

export const problemDocument = (error: DomainError): ProblemDocument => {
  const { status, title } = problems[error.kind];
  return {
    type: `${PROBLEM_BASE}${error.kind.replace(/_/g, '-')}`,
    title,
    status,
    detail: error.detail,
    errors: error.issues ?? [],
  };
};

/** The headers a refusal's answer carries besides its content type. */
export const problemHeaders = (kind: DomainErrorKind): Record<string, string> => problems[kind].headers ?? {};

/** For a failure of the pipeline itself: the sender should retry the same delivery later. */
export const serverProblem = (): ProblemDocument => ({
  type: 'about:blank',
  title: 'Internal Server Error',
  status: 500,
  detail: 'The event could not be processed completely; send the same delivery again later.',
  errors: [],
});
