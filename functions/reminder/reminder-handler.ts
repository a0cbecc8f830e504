import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { fireNotice } from '../../shared/notify/fire-notice';
import { ReminderInvocationSchema } from '../../shared/notify/notify-messages';
import type { NoticeFiringDeps } from '../notify/notify-handler';
import { parseMessageBody, processQueueBatch } from '../notify/queue-batch';

/**
 * The deadline queue's consumer: each message is a schedule's payload, and fires one deadline notice. A
 * failed send releases the notice and fails the record, which comes back after the visibility timeout
 * (the sweep is there behind it) and, failing every time, ends in the dead-letter queue and its alarm.
 * A notice another holder has leased (`in_progress`) is done with as far as the message goes: it is
 * deleted rather than retried, since that holder sends the notice or, if it died, the sweep does once the
 * lease runs out (the store lists it from then), and a retry could only find it leased again or sent.
 * A malformed payload is logged and dropped, never retried.
 */
export const createReminderHandler = (deps: NoticeFiringDeps) => {
  const { logger } = deps;
  const mail = { ...deps, log: logger };
  const handleRecord = async (record: SQSRecord) => {
    const invocation = ReminderInvocationSchema.safeParse(parseMessageBody(record.body));
    if (!invocation.success) {
      logger.error('malformed reminder invocation dropped', {
        messageId: record.messageId,
        fields: invocation.error.issues.map((i) => i.path.join('.') || '(payload)').join(','),
      });
      return;
    }
    const outcome = await fireNotice(mail, invocation.data);
    logger.info('deadline notice fired', { messageId: record.messageId, ...invocation.data, outcome });
  };
  return (event: SQSEvent): Promise<SQSBatchResponse> => processQueueBatch(event, handleRecord, deps);
};
