import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ActionLinks } from '../../shared/actions/action-links';
import type { CouncilConfig } from '../../shared/council/council-schema';
import { deliverRoutingMessage } from '../../shared/notify/deliver-routing-message';
import { RoutingMessageSchema } from '../../shared/notify/notify-messages';
import type { Clock, EpisodeStore, Mailer, NoticeStore, Requeue } from '../../shared/ports';
import { parseMessageBody, processQueueBatch } from './queue-batch';

export interface NotifyDeps {
  store: EpisodeStore;
  mailer: Mailer;
  clock: Clock;
  council: CouncilConfig;
  logger: Logger;
  /** The consumed queue, for throttled messages to come back to later (see processQueueBatch). */
  requeue?: Requeue;
  /** Where the emails' buttons point and what signs them; without it emails carry no buttons. */
  links?: ActionLinks;
}

/** What the reminder and the sweep need: the same, with the store's deadline notices. */
export interface NoticeFiringDeps extends NotifyDeps {
  store: NoticeStore;
}

/**
 * SQS -> emails, with partial batch responses: only the records whose sends failed go back to the queue.
 * A malformed message can never succeed, so it is logged (ids only) and dropped, not retried.
 */
export const createNotifyHandler = (deps: NotifyDeps) => {
  const { logger } = deps;
  const mail = { ...deps, log: logger };
  const handleRecord = async (record: SQSRecord) => {
    const message = RoutingMessageSchema.safeParse(parseMessageBody(record.body));
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
  return (event: SQSEvent): Promise<SQSBatchResponse> => processQueueBatch(event, handleRecord, deps);
};
