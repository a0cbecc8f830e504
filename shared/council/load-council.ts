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

/** The stages a stack is deployed as; both send email through SES (the local runtime sends nowhere). */
export const sendingStages = ['staging', 'production'] as const;
export type SendingStage = (typeof sendingStages)[number];

/**
 * What a stage cannot send without, by its path in the council file. Both stages send from the council's
 * own domain, which a placeholder can never be; staging sends every email to the operators' test inbox;
 * production delivers to the agencies themselves and shows their numbers, so none may be a placeholder.
 */
export const missingForStage = (council: CouncilConfig, stage: SendingStage): string[] => {
  if (stage === 'production') return [...placeholderInboxes(council), ...placeholderPhones(council)];
  const { from, testInbox } = council.email;
  return [
    ...(from.placeholder ? ['email.from (a placeholder sending domain)'] : []),
    ...(testInbox === undefined ? ['email.testInbox (not set)'] : []),
    ...(testInbox?.placeholder ? ['email.testInbox (a placeholder)'] : []),
  ];
};

const whyRefused: Record<SendingStage, (id: string) => string> = {
  production: (id) =>
    `council ${id} still has placeholder inboxes or phone numbers; set real ones before a production build:`,
  staging: (id) =>
    `council ${id} cannot send from a staging stack yet: staging sends every email from the council's own domain to the operators' test inbox; set:`,
};

/** A stack that sends refuses a council file it could not send from; the local runtime needs none of this. */
export const assertReadyToSend = (council: CouncilConfig, stage: SendingStage): CouncilConfig => {
  const missing = missingForStage(council, stage);
  if (missing.length > 0) {
    throw new CouncilConfigError(`${whyRefused[stage](council.id)}\n  ${missing.join('\n  ')}`);
  }
  return council;
};
