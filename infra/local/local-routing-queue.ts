import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import type { RoutingMessage, RoutingQueue } from '../../shared/ports';
import { appendJsonLines, readJsonLines, rewriteJsonLines } from './json-lines';

/** What the notify function is to a queue: it takes a batch and names the records that failed. */
export type QueueConsumer = (event: SQSEvent) => Promise<SQSBatchResponse>;

const DeadLetter = z.object({
  messageId: z.string(),
  body: z.string(),
  receiveCount: z.number(),
  deadLetteredAt: z.string(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

/** One line of the queue's journal: a message sent, a message deleted, a message dead-lettered. */
const JournalLine = z.union([
  z.object({ sent: z.object({ messageId: z.string(), body: z.string(), sentAt: z.number() }) }),
  z.object({ done: z.string() }),
  z.object({ dead: DeadLetter }),
]);
type JournalLine = z.infer<typeof JournalLine>;

export interface LocalRoutingQueueOptions {
  consumer: QueueConsumer;
  /** As the SQS event source mapping: up to this many records per invocation. */
  batchSize?: number;
  /**
   * Batches handed to the consumer at once. Lambda's SQS poller runs several concurrent batches (5 pollers
   * to start with), so 5 here.
   */
  concurrentBatches?: number;
  /** How long a failed record stays invisible before it is delivered again (real time). */
  visibilityTimeoutMs?: number;
  /** As the queue's redrive policy: after this many receives a failing record goes to the dead-letter list. */
  maxReceiveCount?: number;
  queueArn?: string;
  onError?: (error: unknown) => void;
  /**
   * A file that keeps the queue across restarts, as SQS keeps a message once SendMessage has answered: every
   * message is appended to it before `send` returns, and its deletion or dead-lettering after. A queue
   * started on the same file delivers again what was not deleted. In memory only when undefined.
   */
  journal?: string;
}

export interface LocalRoutingQueue extends RoutingQueue {
  /** Messages waiting or in flight. */
  depth(): number;
  deadLetters(): DeadLetter[];
  /** Resolves when every message has been delivered or dead-lettered. */
  drained(): Promise<void>;
  /** Stops delivering; waits for the batches in flight. */
  stop(): Promise<void>;
}

interface Held {
  messageId: string;
  body: string;
  sentAt: number;
  firstReceivedAt?: number;
  receiveCount: number;
  visibleAt: number;
  /** In a batch the consumer has not answered yet: never handed out twice at once. */
  delivering: boolean;
}

/**
 * A message as SQS hands it to Lambda in a batch, on its `receiveCount`th receive: the attributes, a receipt
 * handle of that receive and the body's digest, as the consumer would find them.
 */
export const sqsRecord = (
  message: Pick<Held, 'messageId' | 'body' | 'sentAt' | 'receiveCount' | 'firstReceivedAt'>,
  queueArn: string,
  now: number,
): SQSRecord => ({
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

/**
 * An in-memory SQS standard queue in front of the notify handler: the same SQSEvent records, partial batch
 * responses honoured, failed records redelivered after the visibility timeout and dead-lettered after
 * maxReceiveCount receives. A handler that throws fails its whole batch, as with Lambda. With a journal,
 * a message sent is never lost to a crash: it is delivered (again) after the restart, at least once.
 */
export const createLocalRoutingQueue = (options: LocalRoutingQueueOptions): LocalRoutingQueue => {
  const batchSize = options.batchSize ?? 10;
  const concurrentBatches = options.concurrentBatches ?? 5;
  const visibilityTimeoutMs = options.visibilityTimeoutMs ?? 1_000;
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const queueArn = options.queueArn ?? 'arn:aws:sqs:eu-west-2:000000000000:local-routing';
  const held: Held[] = [];
  const dead: DeadLetter[] = [];
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let waiters: (() => void)[] = [];
  const record = (lines: JournalLine[]) => {
    if (options.journal) appendJsonLines(options.journal, lines);
  };
  if (options.journal) {
    // What an earlier run left: messages sent and neither deleted nor dead, in the order they were sent.
    const sent = new Map<string, Held>();
    for (const line of readJsonLines(options.journal).map((l) => JournalLine.parse(l))) {
      if ('sent' in line) {
        sent.set(line.sent.messageId, {
          ...line.sent,
          receiveCount: 0,
          visibleAt: Date.now(),
          delivering: false,
        });
      } else if ('done' in line) sent.delete(line.done);
      else {
        sent.delete(line.dead.messageId);
        dead.push(line.dead);
      }
    }
    held.push(...sent.values());
    // Only what is still owed is kept, so the journal does not grow from one run to the next.
    rewriteJsonLines(options.journal, [
      ...dead.map((letter) => ({ dead: letter })),
      ...held.map(({ messageId, body, sentAt }) => ({ sent: { messageId, body, sentAt } })),
    ]);
    if (held.length > 0) setImmediate(() => pump());
  }

  const settleWaiters = () => {
    if (held.length > 0) return;
    for (const done of waiters) done();
    waiters = [];
  };

  const deliver = async (batch: Held[]): Promise<void> => {
    const now = Date.now();
    for (const message of batch) {
      message.delivering = true;
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilityTimeoutMs;
    }
    let failed: Set<string>;
    try {
      const answer = await options.consumer({ Records: batch.map((m) => sqsRecord(m, queueArn, now)) });
      failed = new Set((answer?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      options.onError?.(error);
      failed = new Set(batch.map((m) => m.messageId));
    }
    const settled: JournalLine[] = [];
    for (const message of batch) {
      message.delivering = false;
      if (failed.has(message.messageId) && message.receiveCount < maxReceiveCount) continue;
      held.splice(held.indexOf(message), 1);
      if (failed.has(message.messageId)) {
        const letter = {
          messageId: message.messageId,
          body: message.body,
          receiveCount: message.receiveCount,
          deadLetteredAt: new Date().toISOString(),
        };
        dead.push(letter);
        settled.push({ dead: letter });
      } else settled.push({ done: message.messageId });
    }
    record(settled);
  };

  const pump = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = undefined;
    const now = Date.now();
    const waiting = held.filter((m) => !m.delivering);
    const visible = waiting.filter((m) => m.visibleAt <= now);
    while (inFlight.size < concurrentBatches && visible.length > 0) {
      const delivery = deliver(visible.splice(0, batchSize)).finally(() => {
        inFlight.delete(delivery);
        pump();
      });
      inFlight.add(delivery);
    }
    settleWaiters();
    // A failed record waits out its visibility timeout; a batch that ends pumps again in any case.
    const next = waiting.reduce(
      (soonest, m) => (m.visibleAt > now ? Math.min(soonest, m.visibleAt) : soonest),
      Infinity,
    );
    if (Number.isFinite(next)) timer = setTimeout(pump, next - now);
  };

  return {
    async send(messages: RoutingMessage[]) {
      if (stopped) throw new Error('the local routing queue is stopped');
      const now = Date.now();
      const sent = messages.map((message) => ({
        messageId: randomUUID(),
        body: JSON.stringify(message),
        sentAt: now,
      }));
      // Kept before the send answers: from here on a crash cannot lose them.
      record(sent.map((message) => ({ sent: message })));
      for (const message of sent) {
        held.push({ ...message, receiveCount: 0, visibleAt: now, delivering: false });
      }
      setImmediate(pump);
    },
    depth: () => held.length,
    deadLetters: () => [...dead],
    drained: () => (held.length === 0 ? Promise.resolve() : new Promise<void>((done) => waiters.push(done))),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all(inFlight);
      for (const done of waiters) done();
      waiters = [];
    },
  };
};
