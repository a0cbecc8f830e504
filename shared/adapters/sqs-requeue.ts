import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Requeue } from '../ports';

/** The message attribute that counts how often a message came back for throttling alone. */
export const THROTTLED_RETRIES_ATTRIBUTE = 'throttledRetries';

/** A queue's own message sent to it again, delayed, as a new message whose receive count starts over. */
export class SqsRequeue implements Requeue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async later(body: string, options: { delaySeconds: number; throttledRetries: number }): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        DelaySeconds: options.delaySeconds,
        MessageAttributes: {
          [THROTTLED_RETRIES_ATTRIBUTE]: {
            DataType: 'Number',
            StringValue: String(options.throttledRetries),
          },
        },
      }),
    );
  }
}
