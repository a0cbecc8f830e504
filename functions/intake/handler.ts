import { Logger } from '@aws-lambda-powertools/logger';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { DynamoEpisodeStore, episodeTableClient } from '../../shared/adapters/dynamo-episode-store';
import { EventBridgeDeadlineScheduler } from '../../shared/adapters/eventbridge-deadline-scheduler';
import { SecretsManagerSecretSource } from '../../shared/adapters/secrets-manager-secret-source';
import { SqsRoutingQueue } from '../../shared/adapters/sqs-routing-queue';
import { councilFromEnv } from '../../shared/config/council-from-env';
import { createIntakeHandler } from './intake-handler';

const IntakeEnv = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  ROUTING_QUEUE_URL: z.url(),
  SCHEDULE_GROUP: z.string().check(z.minLength(1)),
  DEADLINE_QUEUE_ARN: z.string().check(z.startsWith('arn:')),
  SCHEDULER_ROLE_ARN: z.string().check(z.startsWith('arn:')),
  SCHEDULER_DLQ_ARN: z.string().check(z.startsWith('arn:')),
  SOURCE_SECRET_PREFIX: z.string().check(z.minLength(1)),
});

/** Built once per container: the parsed environment, the council, the clients and the secrets cache. */
const env = IntakeEnv.parse(process.env);
const council = councilFromEnv();

export const handler = createIntakeHandler({
  store: new DynamoEpisodeStore(episodeTableClient(), env.TABLE_NAME),
  queue: new SqsRoutingQueue(new SQSClient({}), env.ROUTING_QUEUE_URL),
  scheduler: new EventBridgeDeadlineScheduler(new SchedulerClient({}), {
    groupName: env.SCHEDULE_GROUP,
    targetArn: env.DEADLINE_QUEUE_ARN,
    roleArn: env.SCHEDULER_ROLE_ARN,
    deadLetterArn: env.SCHEDULER_DLQ_ARN,
  }),
  secrets: new SecretsManagerSecretSource(new SecretsManagerClient({}), env.SOURCE_SECRET_PREFIX),
  clock: { now: () => new Date().toISOString() },
  council,
  logger: new Logger({ serviceName: 'intake', persistentKeys: { councilId: council.id } }),
});
