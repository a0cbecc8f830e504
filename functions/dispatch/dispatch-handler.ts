import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { outboxItemOf } from '../../shared/adapters/dynamo-outbox';
import {
  type DispatchDeps,
  type Dispatched,
  dispatchOutboxItem,
} from '../../shared/dispatch/dispatch-outbox';
import { OutboxItemSchema } from '../../shared/dispatch/outbox-item';

/** The queues and the Scheduler it hands items to, the clock and a logger: no store, no mailer. */
export interface DispatchHandlerDeps extends DispatchDeps {
  logger: Logger;
}

/**
 * The table's stream (outbox inserts only) -> routing messages and deadline schedules, with partial batch
 * responses: a record whose delivery failed is reported, and the stream gives it (and those after it) again.
 * A malformed item can never succeed, so it is logged (ids only) and dropped, not retried.
 */
export const createDispatchHandler = (deps: DispatchHandlerDeps) => {
  const { logger } = deps;
  const handleRecord = async (record: DynamoDBRecord) => {
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
    const parsed = OutboxItemSchema.safeParse(outboxItemOf(record));
    if (!parsed.success) {
      logger.error('malformed outbox item dropped', {
        sequenceNumber,
        fields: parsed.error.issues.map((i) => i.path.join('.') || '(item)').join(','),
      });
      return;
    }
    const item = parsed.data;
    const ids = {
      sequenceNumber,
      kind: item.kind,
      ...(item.kind === 'routing' ? item.message : { episodeId: item.episodeId }),
    };
    let done: Dispatched;
    try {
      done = await dispatchOutboxItem(deps, item);
    } catch (error) {
      // What an operator reading a dead letter needs: which item, and the error's name (never a body).
      logger.warn('outbox item not dispatched, the stream gives it again', {
        ...ids,
        error: error instanceof Error ? error.name : 'unknown',
      });
      throw error;
    }
    logger.info('outbox item dispatched', {
      ...ids,
      // How long after its commit the item went out: the outbox's lag.
      lagMs: Date.parse(deps.clock.now()) - Date.parse(item.committedAt),
      ...done,
    });
  };
  return (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
    // A processor per batch: it holds the batch's results.
    processPartialResponse(event, handleRecord, new BatchProcessor(EventType.DynamoDBStreams));
};
