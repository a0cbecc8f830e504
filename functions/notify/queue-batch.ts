import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { THROTTLED_RETRIES_ATTRIBUTE } from '../../shared/adapters/sqs-requeue';
import { ThrottledSendError } from '../../shared/notify/send-once';
import type { Requeue } from '../../shared/ports';

/** A message body as JSON, or undefined when it is not: the caller's schema then names it malformed. */
export const parseMessageBody = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};

/** A throttled message waits 30 s, then twice as long each time it is throttled again, up to SQS's 15 minutes. */
const throttleDelaySeconds = (throttledRetries: number): number => Math.min(900, 30 * 2 ** throttledRetries);

export interface QueueBatchDeps {
  logger: Logger;
  /** Where a throttled message goes back; without one it fails like any other and comes back by visibility. */
  requeue?: Requeue;
}

/**
 * One SQS batch, with partial batch responses: a record that throws comes back after the visibility timeout
 * and counts towards the dead-letter queue's maxReceiveCount, except when only throttling stopped it; then
 * it is sent again as a new, delayed message, so throttling alone never dead-letters it.
 */
export const processQueueBatch = (
  event: SQSEvent,
  handleRecord: (record: SQSRecord) => Promise<void>,
  deps: QueueBatchDeps,
): Promise<SQSBatchResponse> => {
  const { logger, requeue } = deps;
  const handle = async (record: SQSRecord) => {
    try {
      await handleRecord(record);
    } catch (error) {
      if (!(error instanceof ThrottledSendError) || !requeue) throw error;
      const before = Number(record.messageAttributes[THROTTLED_RETRIES_ATTRIBUTE]?.stringValue ?? 0);
      const delaySeconds = throttleDelaySeconds(before);
      await requeue.later(record.body, { delaySeconds, throttledRetries: before + 1 });
      logger.warn('throttled message sent back for later', {
        messageId: record.messageId,
        throttledRetries: before + 1,
        delaySeconds,
      });
    }
  };
  // A processor per batch: it holds the batch's results, and the local runtime may overlap batches.
  return processPartialResponse(event, handle, new BatchProcessor(EventType.SQS));
};
