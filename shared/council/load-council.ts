import { toFieldIssues } from '../validation/field-issues';
import { CouncilConfig, isPlaceholderPhone } from './council-schema';

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
  ...Object.entries(council.sources)
    .filter(([, source]) => source.safeguardingLead?.placeholder)
    .map(([id]) => `sources.${id}.safeguardingLead`),
  ...(council.email.from.placeholder ? ['email.from'] : []),
  ...(council.email.replyTo?.placeholder ? ['email.replyTo'] : []),
];

/** Every phone number that is still one of Ofcom's drama numbers (never connected), by its path in the council file. */
export const placeholderPhones = (council: CouncilConfig): string[] =>
  Object.entries(council.agencies).flatMap(([id, agency]) =>
    agency.phones.flatMap((phone, i) => (isPlaceholderPhone(phone) ? [`agencies.${id}.phones.${i}`] : [])),
  );

/** A production build must deliver to real inboxes and show real numbers: it refuses a council file with placeholders. */
export const assertProductionReady = (council: CouncilConfig): CouncilConfig => {
  const placeholders = [...placeholderInboxes(council), ...placeholderPhones(council)];
  if (placeholders.length > 0) {
    throw new CouncilConfigError(
      `council ${council.id} still has placeholder inboxes or phone numbers; set real ones before a production build:\n  ${placeholders.join('\n  ')}`,
    );
  }
  return council;
};
