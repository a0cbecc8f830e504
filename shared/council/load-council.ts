import { toFieldIssues } from '../validation/field-issues';
import { CouncilConfig } from './council-schema';

export class CouncilConfigError extends Error {
  override name = 'CouncilConfigError';
}

/** Parses a council file, failing loudly with every field that is wrong. */
export const parseCouncil = (raw: unknown, origin = 'council file'): CouncilConfig => {
  const parsed = CouncilConfig.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = toFieldIssues(parsed.error).map((issue) => `  ${issue.field}: ${issue.message}`);
  throw new CouncilConfigError(`${origin} is not a valid council file:\n${lines.join('\n')}`);
};

/** Every inbox still marked as a placeholder, by its path in the council file. */
export const placeholderInboxes = (council: CouncilConfig): string[] => [
  ...Object.entries(council.agencies)
    .filter(([, agency]) => agency.inbox.placeholder)
    .map(([id]) => `agencies.${id}.inbox`),
  ...(council.email.from.placeholder ? ['email.from'] : []),
  ...(council.email.replyTo?.placeholder ? ['email.replyTo'] : []),
];

/** A production build must deliver to real inboxes: it refuses a council file with placeholders. */
export const assertProductionReady = (council: CouncilConfig): CouncilConfig => {
  const placeholders = placeholderInboxes(council);
  if (placeholders.length > 0) {
    throw new CouncilConfigError(
      `council ${council.id} still has placeholder inboxes; set real addresses before a production build:\n  ${placeholders.join('\n  ')}`,
    );
  }
  return council;
};
