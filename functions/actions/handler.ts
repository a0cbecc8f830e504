import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod/mini';
import { episodeTableClient } from '../../shared/adapters/dynamo-episode-store';
import { DynamoIntakeStore } from '../../shared/adapters/dynamo-intake-store';
import { SecretsExtensionLinkKeys } from '../../shared/adapters/secrets-extension-link-keys';
import { SecretsExtensionPseudonymKey } from '../../shared/adapters/secrets-extension-pseudonym-key';
import { councilFromEnv } from '../../shared/config/council-from-env';
import { createActionsHandler } from './actions-handler';

const ActionsEnv = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  ACTION_LINK_KEY_SECRET: z.string().check(z.minLength(1)),
  PSEUDONYM_KEY_SECRET: z.string().check(z.minLength(1)),
  ACTION_PAGE_URL: z.url(),
});

/**
 * Built once per container: the parsed environment, the council, the store, the link keys and the registry's
 * key (a step commits through the intake's own path, which reads it for a report only).
 */
const env = ActionsEnv.parse(process.env);
const council = councilFromEnv();

export const handler = createActionsHandler({
  store: new DynamoIntakeStore(episodeTableClient(), env.TABLE_NAME),
  keys: new SecretsExtensionLinkKeys(env.ACTION_LINK_KEY_SECRET),
  pseudonymKey: new SecretsExtensionPseudonymKey(env.PSEUDONYM_KEY_SECRET),
  clock: { now: () => new Date().toISOString() },
  council,
  origin: new URL(env.ACTION_PAGE_URL).origin,
  logger: new Logger({ serviceName: 'actions', persistentKeys: { councilId: council.id } }),
});
