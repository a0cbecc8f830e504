import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createLocalRoutingQueue } from '../../../infra/local/local-routing-queue';

const message = (n: number) => ({ episodeId: `ep-${n}`, eventId: `evt-${n}`, sourceId: 'met-police' });

describe('the local routing queue', () => {
  it('hands the notify handler SQS records with the message as the JSON body', async () => {
    const batches: SQSEvent[] = [];
    const queue = createLocalRoutingQueue({
      consumer: async (event) => {
        batches.push(event);
        return { batchItemFailures: [] };
      },
    });
    await queue.send([message(1), message(2)]);
    await queue.drained();
    const records = batches.flatMap((b) => b.Records);
    expect(records.map((r) => JSON.parse(r.body))).toEqual([message(1), message(2)]);
    expect(records[0]).toMatchObject({
      eventSource: 'aws:sqs',
      awsRegion: 'eu-west-2',
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(records[0]?.messageId).not.toBe(records[1]?.messageId);
    expect(queue.depth()).toBe(0);
  });

  it('delivers at most the batch size per invocation', async () => {
    const sizes: number[] = [];
    const queue = createLocalRoutingQueue({
      batchSize: 2,
      consumer: async (event) => {
        sizes.push(event.Records.length);
        return { batchItemFailures: [] };
      },
    });
    await queue.send([1, 2, 3, 4, 5].map(message));
    await queue.drained();
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('redelivers only the records the handler reported as failed, counting receives', async () => {
    const received: string[] = [];
    const queue = createLocalRoutingQueue({
      visibilityTimeoutMs: 5,
      consumer: async (event): Promise<SQSBatchResponse> => {
        const failures = event.Records.filter((r) => {
          received.push(`${JSON.parse(r.body).eventId}#${r.attributes.ApproximateReceiveCount}`);
          return JSON.parse(r.body).eventId === 'evt-2' && r.attributes.ApproximateReceiveCount === '1';
        });
        return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
      },
    });
    await queue.send([message(1), message(2)]);
    await queue.drained();
    expect(received).toEqual(['evt-1#1', 'evt-2#1', 'evt-2#2']);
    expect(queue.deadLetters()).toEqual([]);
  });

  it('moves a record that keeps failing to the dead-letter list after five receives', async () => {
    let receives = 0;
    const queue = createLocalRoutingQueue({
      visibilityTimeoutMs: 1,
      consumer: async (event) => {
        receives += event.Records.length;
        throw new Error('SES is down');
      },
    });
    await queue.send([message(1)]);
    await queue.drained();
    expect(receives).toBe(5);
    expect(queue.deadLetters()).toMatchObject([{ receiveCount: 5, body: JSON.stringify(message(1)) }]);
  });

  it('hands out up to five batches at once, and never a message in two batches at once', async () => {
    const open = new Set<string>();
    let mostAtOnce = 0;
    const received: string[] = [];
    const queue = createLocalRoutingQueue({
      batchSize: 10,
      consumer: async (event) => {
        const ids = event.Records.map((r) => r.messageId);
        for (const id of ids) {
          expect(open.has(id)).toBe(false);
          open.add(id);
        }
        received.push(...ids);
        mostAtOnce = Math.max(mostAtOnce, open.size / 10);
        await new Promise((done) => setTimeout(done, 5));
        for (const id of ids) open.delete(id);
        return { batchItemFailures: [] };
      },
    });
    await queue.send(Array.from({ length: 100 }, (_, n) => message(n)));
    await queue.drained();
    expect(mostAtOnce).toBe(5);
    expect(received).toHaveLength(100);
    expect(new Set(received).size).toBe(100);
  });

  it('redelivers a failed record after its visibility timeout while another batch is still running', async () => {
    const received: string[] = [];
    const queue = createLocalRoutingQueue({
      batchSize: 1,
      visibilityTimeoutMs: 5,
      consumer: async (event): Promise<SQSBatchResponse> => {
        const [record] = event.Records;
        const { eventId } = JSON.parse(record?.body ?? '{}');
        received.push(`${eventId}#${record?.attributes.ApproximateReceiveCount}`);
        if (eventId === 'evt-2') {
          await new Promise((done) => setTimeout(done, 200));
          received.push('evt-2 done');
        }
        const failed = eventId === 'evt-1' && record?.attributes.ApproximateReceiveCount === '1';
        return { batchItemFailures: failed && record ? [{ itemIdentifier: record.messageId }] : [] };
      },
    });
    await queue.send([message(1), message(2)]);
    await queue.drained();
    expect(received).toEqual(['evt-1#1', 'evt-2#1', 'evt-1#2', 'evt-2 done']);
  });
});
