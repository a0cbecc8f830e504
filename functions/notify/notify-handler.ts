import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { CouncilConfig } from '../../shared/council/council-schema';
import { deliverRoutingMessage } from '../../shared/notify/deliver-routing-message';
import { RoutingMessageSchema } from '../../shared/notify/notify-messages';
import type { Clock, EpisodeStore, Mailer } from '../../shared/ports';

export interface NotifyDeps {
  store: EpisodeStore;
  mailer: Mailer;
  clock: Clock;
  council: CouncilConfig;
  logger: Logger;
}

const parseBody = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};

/**
 * SQS -> emails, with partial batch responses: only the records whose sends failed transiently go back to
 * the queue. A malformed message can never succeed, so it is logged (ids only) and dropped, not retried.
 */
export const createNotifyHandler = (deps: NotifyDeps) => {
  const { logger } = deps;
  const mail = { ...deps, log: logger };
  const handleRecord = async (record: SQSRecord) => {
    const message = RoutingMessageSchema.safeParse(parseBody(record.body));
    if (!message.success) {
      logger.error('malformed routing message dropped', {
        messageId: record.messageId,
        fields: message.error.issues.map((i) => i.path.join('.') || '(body)').join(','),
      });
      return;
    }
    const sent = await deliverRoutingMessage(mail, message.data);
    logger.info('routing message delivered', { messageId: record.messageId, ...message.data, ...sent });
  };
  return (event: SQSEvent): Promise<SQSBatchResponse> =>
    // A processor per batch: it holds the batch's results, and the local runtime may overlap batches.
    processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS));
};
