import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { RoutingMessage, RoutingQueue } from '../../shared/ports';

/** What the notify function is to a queue: it takes a batch and names the records that failed. */
export type QueueConsumer = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface DeadLetter {
  messageId: string;
  body: string;
  receiveCount: number;
  deadLetteredAt: string;
}

export interface LocalRoutingQueueOptions {
  consumer: QueueConsumer;
  /** As the SQS event source mapping: up to this many records per invocation. */
  batchSize?: number;
  /** How long a failed record stays invisible before it is delivered again (real time). */
  visibilityTimeoutMs?: number;
  /** As the queue's redrive policy: after this many receives a failing record goes to the dead-letter list. */
  maxReceiveCount?: number;
  queueArn?: string;
  onError?: (error: unknown) => void;
}

export interface LocalRoutingQueue extends RoutingQueue {
  /** Messages waiting or in flight. */
  depth(): number;
  deadLetters(): DeadLetter[];
  /** Resolves when every message has been delivered or dead-lettered. */
  drained(): Promise<void>;
  /** Stops delivering; waits for the batch in flight. */
  stop(): Promise<void>;
}

interface Held {
  messageId: string;
  body: string;
  sentAt: number;
  firstReceivedAt?: number;
  receiveCount: number;
  visibleAt: number;
}

/**
 * An in-memory SQS standard queue in front of the notify handler: the same SQSEvent records, partial batch
 * responses honoured, failed records redelivered after the visibility timeout and dead-lettered after
 * maxReceiveCount receives. A handler that throws fails its whole batch, as with Lambda.
 */
export const createLocalRoutingQueue = (options: LocalRoutingQueueOptions): LocalRoutingQueue => {
  const batchSize = options.batchSize ?? 10;
  const visibilityTimeoutMs = options.visibilityTimeoutMs ?? 1_000;
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const queueArn = options.queueArn ?? 'arn:aws:sqs:eu-west-2:000000000000:local-routing';
  const held: Held[] = [];
  const dead: DeadLetter[] = [];
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let waiters: (() => void)[] = [];

  const settleWaiters = () => {
    if (held.length > 0) return;
    for (const done of waiters) done();
    waiters = [];
  };

  const toRecord = (message: Held, now: number): SQSRecord => ({
    messageId: message.messageId,
    receiptHandle: `${message.messageId}#${message.receiveCount}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? now),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(message.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'eu-west-2',
  });

  const deliver = async (batch: Held[]): Promise<void> => {
    const now = Date.now();
    for (const message of batch) {
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilityTimeoutMs;
    }
    let failed: Set<string>;
    try {
      const answer = await options.consumer({ Records: batch.map((m) => toRecord(m, now)) });
      failed = new Set((answer?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      options.onError?.(error);
      failed = new Set(batch.map((m) => m.messageId));
    }
    for (const message of batch) {
      if (failed.has(message.messageId) && message.receiveCount < maxReceiveCount) continue;
      held.splice(held.indexOf(message), 1);
      if (failed.has(message.messageId)) {
        dead.push({
          messageId: message.messageId,
          body: message.body,
          receiveCount: message.receiveCount,
          deadLetteredAt: new Date().toISOString(),
        });
      }
    }
  };

  const pump = () => {
    if (stopped || inFlight) return;
    clearTimeout(timer);
    const now = Date.now();
    const batch = held.filter((m) => m.visibleAt <= now).slice(0, batchSize);
    if (batch.length === 0) {
      settleWaiters();
      const next = Math.min(...held.map((m) => m.visibleAt));
      if (Number.isFinite(next)) timer = setTimeout(pump, Math.max(0, next - now));
      return;
    }
    inFlight = deliver(batch).finally(() => {
      inFlight = undefined;
      pump();
    });
  };

  return {
    async send(messages: RoutingMessage[]) {
      if (stopped) throw new Error('the local routing queue is stopped');
      const now = Date.now();
      for (const message of messages) {
        held.push({
          messageId: randomUUID(),
          body: JSON.stringify(message),
          sentAt: now,
          receiveCount: 0,
          visibleAt: now,
        });
      }
      setImmediate(pump);
    },
    depth: () => held.length,
    deadLetters: () => [...dead],
    drained: () => (held.length === 0 ? Promise.resolve() : new Promise<void>((done) => waiters.push(done))),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      for (const done of waiters) done();
      waiters = [];
    },
  };
};
