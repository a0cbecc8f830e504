import { Logger } from '@aws-lambda-powertools/logger';
import { SESClient } from '@aws-sdk/client-ses';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { episodeTableClient } from '../../shared/adapters/dynamo-episode-store';
import { SecretsExtensionLinkKeys } from '../../shared/adapters/secrets-extension-link-keys';
import { SesMailer } from '../../shared/adapters/ses-mailer';
import { councilFromEnv } from '../../shared/config/council-from-env';
import { mailerForStage } from '../../shared/email/redirected-email';
import type { EpisodeStore } from '../../shared/ports';

const MailEnv = z.object({
  STAGE: z.optional(z.string()),
  TABLE_NAME: z.string().check(z.minLength(1)),
  SES_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
  /** This function's share of SES's sending rate, per container (the stack divides it by concurrency). */
  SES_MAX_SENDS_PER_SECOND: z.optional(z.string().check(z.regex(/^\d+(\.\d+)?$/, 'a number'))),
  /** The action-link key secret and the page its links open: without them emails carry no buttons. */
  ACTION_LINK_KEY_SECRET: z.optional(z.string().check(z.minLength(1))),
  ACTION_PAGE_URL: z.optional(z.url()),
});

/** A store on the episode table: DynamoEpisodeStore, or DynamoNoticeStore where notices are fired. */
type StoreOnTable<Store extends EpisodeStore> = new (doc: DynamoDBDocumentClient, tableName: string) => Store;

/**
 * What the notify, reminder, sweep and monthly-report Lambdas share, built once per container from the
 * environment: the DynamoDB store (of the kind the function passes, so its bundle carries no other), the
 * SES mailer sending as the council (in a staging stack, to the operators' test inbox only), the system
 * clock, the council, a logger, and the action links the emails' buttons carry.
 */
export const awsMailDeps = <Store extends EpisodeStore>(
  serviceName: string,
  Store: StoreOnTable<Store>,
  env: NodeJS.ProcessEnv = process.env,
) => {
  const { STAGE, TABLE_NAME, SES_CONFIGURATION_SET, SES_MAX_SENDS_PER_SECOND, ...links } = MailEnv.parse(env);
  const council = councilFromEnv(env);
  // Adaptive retries slow the client down when SES throttles, before a send has to be retried later.
  const ses = new SesMailer(new SESClient({ retryMode: 'adaptive' }), {
    from: council.email.from.address,
    ...(council.email.replyTo ? { replyTo: council.email.replyTo.address } : {}),
    ...(SES_CONFIGURATION_SET ? { configurationSet: SES_CONFIGURATION_SET } : {}),
    ...(SES_MAX_SENDS_PER_SECOND ? { maxSendsPerSecond: Number(SES_MAX_SENDS_PER_SECOND) } : {}),
  });
  return {
    store: new Store(episodeTableClient(), TABLE_NAME),
    mailer: mailerForStage(ses, STAGE, council),
    clock: { now: () => new Date().toISOString() },
    council,
    ...(links.ACTION_LINK_KEY_SECRET && links.ACTION_PAGE_URL
      ? {
          links: {
            pageUrl: links.ACTION_PAGE_URL,
            keys: new SecretsExtensionLinkKeys(links.ACTION_LINK_KEY_SECRET, env),
          },
        }
      : {}),
    logger: new Logger({ serviceName, persistentKeys: { councilId: council.id } }),
  };
};
