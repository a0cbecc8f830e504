import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { DynamoNoticeStore } from '../../shared/adapters/dynamo-notice-store';
import { SqsRequeue } from '../../shared/adapters/sqs-requeue';
import { awsMailDeps } from '../notify/aws-mail-deps';
import { createReminderHandler } from './reminder-handler';

const { DEADLINE_QUEUE_URL } = z.object({ DEADLINE_QUEUE_URL: z.url() }).parse(process.env);

export const handler = createReminderHandler({
  ...awsMailDeps('reminder', DynamoNoticeStore),
  requeue: new SqsRequeue(new SQSClient({}), DEADLINE_QUEUE_URL),
});
