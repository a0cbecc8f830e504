import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeadlineQueue, ReminderInvocation } from '../ports';
import { sendMessageBatches } from './sqs-message-batches';

/**
 * Deadline notices onto the deadline queue the reminder consumes, with the same ids-only body a schedule
 * puts there (see EventBridgeDeadlineScheduler), in batches of ten.
 */
export class SqsDeadlineQueue implements DeadlineQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  send(invocations: ReminderInvocation[]): Promise<void> {
    const bodies = invocations.map(({ episodeId, noticeKey }) => JSON.stringify({ episodeId, noticeKey }));
    return sendMessageBatches(this.client, this.queueUrl, bodies, 'deadline notice(s)');
  }
}
