import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { DynamoEpisodeStore } from '../../shared/adapters/dynamo-episode-store';
import { SqsRequeue } from '../../shared/adapters/sqs-requeue';
import { awsMailDeps } from './aws-mail-deps';
import { createNotifyHandler } from './notify-handler';

const { ROUTING_QUEUE_URL } = z.object({ ROUTING_QUEUE_URL: z.url() }).parse(process.env);

export const handler = createNotifyHandler({
  ...awsMailDeps('notify', DynamoEpisodeStore),
  requeue: new SqsRequeue(new SQSClient({}), ROUTING_QUEUE_URL),
});
