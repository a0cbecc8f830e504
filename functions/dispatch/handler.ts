import { Logger } from '@aws-lambda-powertools/logger';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { EventBridgeDeadlineScheduler } from '../../shared/adapters/eventbridge-deadline-scheduler';
import { SqsDeadlineQueue } from '../../shared/adapters/sqs-deadline-queue';
import { SqsRoutingQueue } from '../../shared/adapters/sqs-routing-queue';
import { createDispatchHandler } from './dispatch-handler';

const DispatchEnv = z.object({
  ROUTING_QUEUE_URL: z.url(),
  DEADLINE_QUEUE_URL: z.url(),
  SCHEDULE_GROUP: z.string().check(z.minLength(1)),
  DEADLINE_QUEUE_ARN: z.string().check(z.startsWith('arn:')),
  SCHEDULER_ROLE_ARN: z.string().check(z.startsWith('arn:')),
  SCHEDULER_DLQ_ARN: z.string().check(z.startsWith('arn:')),
});

/**
 * Built once per container: the routing queue, the Scheduler and the deadline queue (for a notice already
 * due), and the system clock. No table, no email: the reminder fires a due notice, as it fires a schedule's.
 */
const env = DispatchEnv.parse(process.env);
const sqs = new SQSClient({});

export const handler = createDispatchHandler({
  queue: new SqsRoutingQueue(sqs, env.ROUTING_QUEUE_URL),
  deadlineQueue: new SqsDeadlineQueue(sqs, env.DEADLINE_QUEUE_URL),
  scheduler: new EventBridgeDeadlineScheduler(new SchedulerClient({}), {
    groupName: env.SCHEDULE_GROUP,
    targetArn: env.DEADLINE_QUEUE_ARN,
    roleArn: env.SCHEDULER_ROLE_ARN,
    deadLetterArn: env.SCHEDULER_DLQ_ARN,
  }),
  clock: { now: () => new Date().toISOString() },
  logger: new Logger({ serviceName: 'dispatch' }),
});
