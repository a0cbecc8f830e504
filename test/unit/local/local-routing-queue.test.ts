import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  describe('with a journal', () => {
    const journal = () => join(mkdtempSync(join(tmpdir(), 'queue-')), 'routing-queue.jsonl');
    const bodies = (events: SQSEvent[]) => events.flatMap((e) => e.Records.map((r) => JSON.parse(r.body)));
    /** A consumer that never answers: the process is killed with its batch in hand. */
    const killedMidBatch = () => new Promise<SQSBatchResponse>(() => {});

    it('delivers after a restart what a crash left undelivered, and nothing it had delivered', async () => {
      const file = journal();
      const delivered: SQSEvent[] = [];
      const first = createLocalRoutingQueue({
        journal: file,
        batchSize: 1,
        concurrentBatches: 1,
        consumer: async (event) => {
          if (JSON.parse(event.Records[0]?.body ?? '{}').eventId === 'evt-1') {
            delivered.push(event);
            return { batchItemFailures: [] };
          }
          return killedMidBatch();
        },
      });
      await first.send([message(1), message(2), message(3)]);
      await new Promise((done) => setTimeout(done, 50));
      expect(bodies(delivered)).toEqual([message(1)]);

      // The process dies here: no stop(). Another queue on the same journal is the restarted runtime's.
      const again: SQSEvent[] = [];
      const second = createLocalRoutingQueue({
        journal: file,
        consumer: async (event) => {
          again.push(event);
          return { batchItemFailures: [] };
        },
      });
      await new Promise((done) => setTimeout(done, 10));
      await second.drained();
      expect(bodies(again)).toEqual([message(2), message(3)]);

      const third: SQSEvent[] = [];
      const later = createLocalRoutingQueue({
        journal: file,
        consumer: async (event) => {
          third.push(event);
          return { batchItemFailures: [] };
        },
      });
      await new Promise((done) => setTimeout(done, 10));
      expect(later.depth()).toBe(0);
      expect(third).toEqual([]);
    });

    it('keeps its dead letters across a restart, and compacts the journal to what is still owed', async () => {
      const file = journal();
      const failing = createLocalRoutingQueue({
        journal: file,
        visibilityTimeoutMs: 1,
        maxReceiveCount: 2,
        consumer: async () => {
          throw new Error('SES is down');
        },
      });
      await failing.send([message(1)]);
      await failing.drained();
      await failing.send([message(2)]);
      await failing.stop();
      // A line a crash cut short is dropped.
      appendFileSync(file, '{"sent":{"messa');

      const restarted = createLocalRoutingQueue({
        journal: file,
        consumer: async () => killedMidBatch(),
      });
      expect(restarted.deadLetters()).toMatchObject([{ body: JSON.stringify(message(1)), receiveCount: 2 }]);
      expect(restarted.depth()).toBe(1);
      const lines = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines.map((line) => Object.keys(line)[0])).toEqual(['dead', 'sent']);
    });
  });
});
