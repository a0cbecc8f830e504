import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { EventBridgeDeadlineScheduler } from '../../shared/adapters/eventbridge-deadline-scheduler';
import { SqsRoutingQueue } from '../../shared/adapters/sqs-routing-queue';
import { awsMailDeps } from '../notify/aws-mail-deps';
import { createDispatchHandler } from './dispatch-handler';

const DispatchEnv = z.object({
  ROUTING_QUEUE_URL: z.url(),
  SCHEDULE_GROUP: z.string().check(z.minLength(1)),
  DEADLINE_QUEUE_ARN: z.string().check(z.startsWith('arn:')),
  SCHEDULER_ROLE_ARN: z.string().check(z.startsWith('arn:')),
  SCHEDULER_DLQ_ARN: z.string().check(z.startsWith('arn:')),
});

/** Built once per container: the store, mailer and council (to fire a notice already due), the queue, the Scheduler. */
const env = DispatchEnv.parse(process.env);

export const handler = createDispatchHandler({
  ...awsMailDeps('dispatch'),
  queue: new SqsRoutingQueue(new SQSClient({}), env.ROUTING_QUEUE_URL),
  scheduler: new EventBridgeDeadlineScheduler(new SchedulerClient({}), {
    groupName: env.SCHEDULE_GROUP,
    targetArn: env.DEADLINE_QUEUE_ARN,
    roleArn: env.SCHEDULER_ROLE_ARN,
    deadLetterArn: env.SCHEDULER_DLQ_ARN,
  }),
});
