import { existsSync, readFileSync } from 'node:fs';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import { errorName } from '../../shared/adapters/dynamo-episode-store';
import { rewriteJsonLines } from './json-lines';

/** What the dispatch function is to a stream: it takes a batch and names the records that failed. */
export type StreamConsumer = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

export interface StreamDeadLetter {
  sequenceNumber: string;
  /** The item's keys: ids only. */
  keys: unknown;
  attempts: number;
  deadLetteredAt: string;
}

export interface LocalTableStreamOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  consumer: StreamConsumer;
  /** A Lambda event filter pattern: records that do not match are skipped, as the event source mapping does. */
  filter: unknown;
  /** Where the position reached is kept, so a restart resumes after the last record delivered. */
  checkpointFile: string;
  /** Records per invocation, at most. */
  batchSize?: number;
  /** Tries after the first before a failing record is dead-lettered. */
  maximumRetryAttempts?: number;
  /** Real time before the first retry, doubled each time. */
  retryDelayMs?: number;
  /** How long to wait for new records when the stream has none, unless poked sooner. */
  idleMs?: number;
  /**
   * The least time between two reads, pokes or not: each read takes DynamoDB Local's one database thread,
   * which the writes being read wait for too (Lambda reads a shard at most four times a second).
   */
  minReadIntervalMs?: number;
  onError?: (error: unknown) => void;
}

export interface LocalTableStream {
  /** Reads and delivers from where the checkpoint says, until stop(). */
  start(): void;
  /** Something was just written: look at the stream now rather than after the idle wait. */
  poke(): void;
  /** True once a read that began after the last poke found nothing more and no batch is being delivered. */
  caughtUp(): boolean;
  deadLetters(): StreamDeadLetter[];
  /** Stops reading; resolves once the batch being delivered (if any) is done and checkpointed. */
  stop(): Promise<void>;
}

/** Rules of a Lambda filter pattern the outbox uses: a list of exact values or `{ prefix }`, in nested objects. */
export const matchesFilter = (pattern: unknown, value: unknown): boolean => {
  if (Array.isArray(pattern)) {
    return pattern.some((rule) =>
      typeof rule === 'object' && rule !== null && 'prefix' in rule
        ? typeof value === 'string' && value.startsWith(String(rule.prefix))
        : rule === value,
    );
  }
  if (typeof pattern !== 'object' || pattern === null) return false;
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(pattern).every(([key, inner]) =>
    matchesFilter(inner, (value as Record<string, unknown>)[key]),
  );
};

const Checkpoint = z.object({
  streamArn: z.string(),
  /** Per shard: the sequence number of the last record delivered (or skipped), or that it is finished. */
  shards: z.record(z.string(), z.object({ after: z.string().optional(), done: z.boolean().optional() })),
});
type Checkpoint = z.infer<typeof Checkpoint>;

const readCheckpoint = (file: string, streamArn: string): Checkpoint => {
  if (existsSync(file)) {
    const saved = Checkpoint.parse(JSON.parse(readFileSync(file, 'utf8')));
    // Another stream (the table was made again): its positions mean nothing here.
    if (saved.streamArn === streamArn) return saved;
  }
  return { streamArn, shards: {} };
};

/** A record as Lambda's event source mapping hands it over (creation time in epoch seconds, the stream's ARN). */
const lambdaRecord = (record: StreamRecord, streamArn: string): DynamoDBRecord =>
  ({
    ...record,
    dynamodb: {
      ...record.dynamodb,
      ApproximateCreationDateTime: Math.floor(
        (record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Date.now()) / 1000,
      ),
    },
    eventSourceARN: streamArn,
  }) as DynamoDBRecord;

/**
 * Lambda's DynamoDB Streams event source mapping, over DynamoDB Local's stream: records read in order, shard
 * by shard (parents first), filtered by the same pattern, handed to the consumer in batches with the same
 * event shape; a batch's failures are retried from the first failed record, as with ReportBatchItemFailures,
 * and a record still failing after the retries is dead-lettered. The position reached is checkpointed to a
 * file after each page is delivered, and DynamoDB Local keeps the stream's sequence numbers across restarts on
 * the same data folder, so a restart resumes where the last run stopped: a record is delivered at least once,
 * and again only if the runtime died before its page was checkpointed.
 */
export const createLocalTableStream = (options: LocalTableStreamOptions): LocalTableStream => {
  const { client, streamArn } = options;
  const batchSize = options.batchSize ?? 100;
  const maximumRetryAttempts = options.maximumRetryAttempts ?? 4;
  const retryDelayMs = options.retryDelayMs ?? 100;
  const idleMs = options.idleMs ?? 250;
  const minReadIntervalMs = options.minReadIntervalMs ?? 50;
  const checkpoint = readCheckpoint(options.checkpointFile, streamArn);
  const dead: StreamDeadLetter[] = [];
  let stopped = false;
  let running: Promise<void> | undefined;
  let pokes = 0;
  /** The poke count when the last read that found nothing began; -1 before any such read. */
  let quietSince = -1;
  let delivering = false;
  let wake: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((done) => {
      const timer = setTimeout(finish, ms);
      function finish() {
        clearTimeout(timer);
        wake = undefined;
        done();
      }
      wake = finish;
    });

  /** Delivers one batch until it succeeds or its failing records are dead-lettered. */
  const deliver = async (batch: DynamoDBRecord[]) => {
    let remaining = batch;
    for (let attempt = 0; remaining.length > 0; attempt++) {
      if (attempt > 0) await pause(retryDelayMs * 2 ** (attempt - 1));
      let failed: Set<string>;
      try {
        const answer = await options.consumer({ Records: remaining });
        failed = new Set((answer?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch (error) {
        options.onError?.(error);
        failed = new Set(remaining.map((r) => r.dynamodb?.SequenceNumber ?? ''));
      }
      const first = remaining.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
      if (first < 0) return;
      if (attempt === maximumRetryAttempts) {
        for (const record of remaining.filter((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''))) {
          dead.push({
            sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
            keys: record.dynamodb?.Keys,
            attempts: attempt + 1,
            deadLetteredAt: new Date().toISOString(),
          });
        }
        return;
      }
      // As Lambda does with partial batch responses: again from the first failed record on.
      remaining = remaining.slice(first);
    }
  };

  /** The next shard to read: not finished, and its parent (if still listed) finished first. */
  const nextShard = async (): Promise<string | undefined> => {
    const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const shards = StreamDescription?.Shards ?? [];
    const unfinished = new Set(
      shards.map((s) => s.ShardId ?? '').filter((id) => !checkpoint.shards[id]?.done),
    );
    return shards.find(
      (s) => unfinished.has(s.ShardId ?? '') && !(s.ParentShardId && unfinished.has(s.ParentShardId)),
    )?.ShardId;
  };

  const iteratorFor = async (shardId: string): Promise<string | undefined> => {
    const after = checkpoint.shards[shardId]?.after;
    const ask = (type: 'AFTER_SEQUENCE_NUMBER' | 'TRIM_HORIZON') =>
      client.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: type,
          ...(type === 'AFTER_SEQUENCE_NUMBER' ? { SequenceNumber: after } : {}),
        }),
      );
    try {
      return (await ask(after ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON')).ShardIterator;
    } catch (error) {
      // The position is older than the stream keeps: start from the oldest record it still has.
      if (errorName(error) !== 'TrimmedDataAccessException') throw error;
      return (await ask('TRIM_HORIZON')).ShardIterator;
    }
  };

  // A monotonic clock: the wall clock may be set (or faked in a test) without stalling the reader.
  let lastRead = Number.NEGATIVE_INFINITY;
  const readShard = async (shardId: string) => {
    let iterator = await iteratorFor(shardId);
    while (!stopped && iterator) {
      const early = lastRead + minReadIntervalMs - performance.now();
      if (early > 0) await new Promise((done) => setTimeout(done, early));
      lastRead = performance.now();
      const pokedAt = pokes;
      let page: GetRecordsCommandOutput;
      try {
        page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      } catch (error) {
        if (errorName(error) !== 'ExpiredIteratorException') throw error;
        iterator = await iteratorFor(shardId);
        continue;
      }
      iterator = page.NextShardIterator;
      const records = page.Records ?? [];
      const last = records.at(-1)?.dynamodb?.SequenceNumber;
      if (records.length > 0) {
        delivering = true;
        const wanted = records
          .map((r) => lambdaRecord(r, streamArn))
          .filter((r) => matchesFilter(options.filter, r));
        for (let start = 0; start < wanted.length; start += batchSize) {
          await deliver(wanted.slice(start, start + batchSize));
        }
      }
      if (last || !iterator) {
        checkpoint.shards[shardId] = { ...(last ? { after: last } : checkpoint.shards[shardId]) };
        if (!iterator) checkpoint.shards[shardId] = { ...checkpoint.shards[shardId], done: true };
        // One JSON line, replaced whole: a kill leaves the old checkpoint or the new one.
        rewriteJsonLines(options.checkpointFile, [checkpoint]);
      }
      delivering = false;
      if (records.length === 0) {
        quietSince = pokedAt;
        if (pokes === pokedAt && iterator && !stopped) await pause(idleMs);
      }
    }
  };

  const run = async () => {
    while (!stopped) {
      try {
        const shardId = await nextShard();
        if (shardId) await readShard(shardId);
        else await pause(idleMs);
      } catch (error) {
        delivering = false;
        if (stopped) return;
        options.onError?.(error);
        await pause(idleMs);
      }
    }
  };

  return {
    start() {
      running ??= run();
    },
    poke() {
      pokes += 1;
      wake?.();
    },
    caughtUp: () => !delivering && quietSince === pokes,
    deadLetters: () => [...dead],
    async stop() {
      stopped = true;
      wake?.();
      await running;
    },
  };
};
