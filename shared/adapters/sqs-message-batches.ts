import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** SendMessageBatch takes at most ten entries. */
const BATCH_SIZE = 10;
/** Entries that failed are sent again this many times before the send gives up. */
const RETRIES = 2;

/**
 * Sends message bodies to one queue in batches of ten, sending again the entries a batch reports as failed;
 * throws, naming `what` was not queued and SQS's codes, once they have failed every attempt.
 */
export const sendMessageBatches = async (
  client: SQSClient,
  queueUrl: string,
  bodies: string[],
  what: string,
): Promise<void> => {
  for (let start = 0; start < bodies.length; start += BATCH_SIZE) {
    let entries: SendMessageBatchRequestEntry[] = bodies
      .slice(start, start + BATCH_SIZE)
      .map((MessageBody, i) => ({ Id: String(i), MessageBody }));
    for (let attempt = 0; entries.length > 0; attempt++) {
      const { Failed = [] } = await client.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
      );
      if (Failed.length === 0) break;
      if (attempt === RETRIES) {
        const codes = [...new Set(Failed.map((f) => f.Code))].join(', ');
        throw new Error(`${Failed.length} ${what} not queued after ${RETRIES + 1} attempts: ${codes}`);
      }
      const failedIds = new Set(Failed.map((f) => f.Id));
      entries = entries.filter((entry) => failedIds.has(entry.Id));
    }
  }
};
