import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { expect, test } from 'vitest';
import { SqsRequeue } from '../../../shared/adapters/sqs-requeue';

const sqs = mockClient(SQSClient);

test('a message sent back for later is the same body, delayed, counting its throttled retries', async () => {
  sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });
  const url = 'https://sqs.eu-west-2.amazonaws.com/123456789012/routing';
  await new SqsRequeue(new SQSClient({ region: 'eu-west-2' }), url).later('{"episodeId":"e"}', {
    delaySeconds: 60,
    throttledRetries: 2,
  });
  expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
    QueueUrl: url,
    MessageBody: '{"episodeId":"e"}',
    DelaySeconds: 60,
    MessageAttributes: { throttledRetries: { DataType: 'Number', StringValue: '2' } },
  });
});
