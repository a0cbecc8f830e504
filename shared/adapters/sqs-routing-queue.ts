import type { SQSClient } from '@aws-sdk/client-sqs';
import type { RoutingMessage, RoutingQueue } from '../ports';
import { sendMessageBatches } from './sqs-message-batches';

/** Routing messages to SQS: ids only (a review for the managers with them), in batches of ten, retrying the entries a batch reports as failed. */
export class SqsRoutingQueue implements RoutingQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  send(messages: RoutingMessage[]): Promise<void> {
    // Only the ids (and a review's ids and kinds of identifier), in a fixed shape: never the event or the child.
    const bodies = messages.map(({ episodeId, eventId, sourceId, review }) =>
      JSON.stringify({ episodeId, eventId, sourceId, ...(review ? { review } : {}) }),
    );
    return sendMessageBatches(this.client, this.queueUrl, bodies, 'routing message(s)');
  }
}
