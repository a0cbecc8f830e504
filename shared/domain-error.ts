import type { FieldIssue } from './events/parse-event';

/**
 * The small set of ways a request can fail. Each is mapped once, at the edge, to an RFC 9457 problem
 * document; none carries a stack trace or personal data.
 */
export type DomainErrorKind =
  | 'invalid'
  | 'unauthorised'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed';

export interface DomainError {
  kind: DomainErrorKind;
  /** A sentence a developer at the sending system can act on; never a child's details. */
  detail: string;
  issues?: FieldIssue[];
}

export const domainError = (kind: DomainErrorKind, detail: string, issues?: FieldIssue[]): DomainError => ({
  kind,
  detail,
  ...(issues ? { issues } : {}),
});
