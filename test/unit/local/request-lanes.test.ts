import { Readable } from 'node:stream';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createRequestLanes } from '../../../infra/local/request-lanes';

/** A DynamoDB endpoint that answers only when told to, and says which requests reached it, in order. */
const heldEndpoint = () => {
  const reached: string[] = [];
  const held: (() => void)[] = [];
  const requestHandler = {
    handle: async (request: { body?: string }) => {
      const { Key } = JSON.parse(request.body ?? '{}') as { Key: { pk: { S: string } } };
      reached.push(Key.pk.S);
      await new Promise<void>((done) => held.push(done));
      return {
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from('{}')]),
        },
      };
    },
  };
  const client = () =>
    new DynamoDBClient({
      region: 'eu-west-2',
      endpoint: 'http://127.0.0.1:1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler,
    });
  /** Lets the oldest request still held answer, then gives the lanes a moment to send the next. */
  const answerOne = async () => {
    held.shift()?.();
    await new Promise((done) => setTimeout(done, 20));
  };
  return { reached, client, answerOne, held: () => held.length };
};

const get = (client: DynamoDBClient, pk: string) =>
  client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: pk }, sk: { S: 's' } } }));

describe('the local request lanes', () => {
  it('keep at most their number of requests at DynamoDB Local, and give a freed place to follow-up work first', async () => {
    const endpoint = heldEndpoint();
    const lanes = createRequestLanes(2);
    const intake = lanes.route(endpoint.client(), 'intake');
    const followUp = lanes.route(endpoint.client(), 'follow-up');
    const answers = [
      get(intake, 'commit-1'),
      get(intake, 'commit-2'),
      get(intake, 'commit-3'),
      get(intake, 'commit-4'),
    ];
    await new Promise((done) => setTimeout(done, 20));
    answers.push(get(followUp, 'notify-1'), get(followUp, 'notify-2'));
    await new Promise((done) => setTimeout(done, 20));
    expect(endpoint.reached).toEqual(['commit-1', 'commit-2']);
    expect(endpoint.held()).toBe(2);
    while (endpoint.held() > 0) await endpoint.answerOne();
    await Promise.all(answers);
    // Waiting longer than the follow-ups, the commits still went in their own order.
    expect(endpoint.reached).toEqual([
      'commit-1',
      'commit-2',
      'notify-1',
      'notify-2',
      'commit-3',
      'commit-4',
    ]);
  });

  it('free the place of a request that fails', async () => {
    const lanes = createRequestLanes(1);
    const failing = lanes.route(
      new DynamoDBClient({
        region: 'eu-west-2',
        endpoint: 'http://127.0.0.1:1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
        requestHandler: {
          handle: async () => {
            throw Object.assign(new Error('connection refused'), { name: 'NetworkError' });
          },
        },
      }),
      'follow-up',
    );
    await expect(get(failing, 'a')).rejects.toThrow('connection refused');
    await expect(get(failing, 'b')).rejects.toThrow('connection refused');
  });
});
