import type * as z from 'zod/mini';

export interface FieldIssue {
  /** Dotted path to the failing field, e.g. "data.child.dateOfBirth". Never the value. */
  field: string;
  message: string;
}

/** Each zod issue as the field it names and its message: never the value, which may be personal data. */
export const toFieldIssues = (error: z.core.$ZodError): FieldIssue[] =>
  error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
