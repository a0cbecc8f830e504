import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { episodeTableClient } from '../../shared/adapters/dynamo-episode-store';
import { DynamoIntakeStore } from '../../shared/adapters/dynamo-intake-store';
import { SecretsManagerPseudonymKey } from '../../shared/adapters/secrets-manager-pseudonym-key';
import { SecretsManagerSecretSource } from '../../shared/adapters/secrets-manager-secret-source';
import { councilFromEnv } from '../../shared/config/council-from-env';
import { createIntakeHandler } from './intake-handler';

const IntakeEnv = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  SOURCE_SECRET_PREFIX: z.string().check(z.minLength(1)),
  PSEUDONYM_KEY_SECRET: z.string().check(z.minLength(1)),
});

/** Built once per container: the parsed environment, the council, the clients and the secrets cache. */
const env = IntakeEnv.parse(process.env);
const council = councilFromEnv();
const secretsManager = new SecretsManagerClient({});

export const handler = createIntakeHandler({
  store: new DynamoIntakeStore(episodeTableClient(), env.TABLE_NAME),
  secrets: new SecretsManagerSecretSource(secretsManager, env.SOURCE_SECRET_PREFIX),
  pseudonymKey: new SecretsManagerPseudonymKey(secretsManager, env.PSEUDONYM_KEY_SECRET),
  clock: { now: () => new Date().toISOString() },
  council,
  logger: new Logger({ serviceName: 'intake', persistentKeys: { councilId: council.id } }),
});
