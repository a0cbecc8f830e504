import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { RoutingMessage, RoutingQueue } from '../ports';

/** SendMessageBatch takes at most ten entries. */
const BATCH_SIZE = 10;
/** Entries that failed are sent again this many times before the send gives up. */
const RETRIES = 2;

/** Routing messages to SQS: ids only, in batches of ten, retrying the entries a batch reports as failed. */
export class SqsRoutingQueue implements RoutingQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(messages: RoutingMessage[]): Promise<void> {
    for (let start = 0; start < messages.length; start += BATCH_SIZE) {
      await this.sendBatch(messages.slice(start, start + BATCH_SIZE));
    }
  }

  private async sendBatch(messages: RoutingMessage[]): Promise<void> {
    let entries: SendMessageBatchRequestEntry[] = messages.map((message, i) => ({
      Id: String(i),
      // Only the ids, in a fixed shape: never the event or the child.
      MessageBody: JSON.stringify({
        episodeId: message.episodeId,
        eventId: message.eventId,
        sourceId: message.sourceId,
      }),
    }));
    for (let attempt = 0; entries.length > 0; attempt++) {
      const { Failed = [] } = await this.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
      );
      if (Failed.length === 0) return;
      if (attempt === RETRIES) {
        const codes = [...new Set(Failed.map((f) => f.Code))].join(', ');
        throw new Error(
          `${Failed.length} routing message(s) not queued after ${RETRIES + 1} attempts: ${codes}`,
        );
      }
      const failedIds = new Set(Failed.map((f) => f.Id));
      entries = entries.filter((entry) => failedIds.has(entry.Id));
    }
  }
}
