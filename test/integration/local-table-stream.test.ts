import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ensureEpisodeTable,
  localDynamoDbClient,
  localStreamsClient,
} from '../../infra/local/local-episode-table';
import {
  createLocalTableStream,
  type LocalTableStream,
  matchesFilter,
  type StreamConsumer,
} from '../../infra/local/local-table-stream';
import { DynamoIntakeStore } from '../../shared/adapters/dynamo-intake-store';
import { outboxItemOf } from '../../shared/adapters/dynamo-outbox';
import { OUTBOX_INSERT_FILTER } from '../../shared/adapters/episode-table';
import { outboxItems } from '../../shared/dispatch/outbox-item';
import { foldEpisode } from '../../shared/episode/fold-episode';
import type { OutboxItem } from '../../shared/ports';
import { towerHamlets } from '../support/councils';
import { useDynamoDbLocal } from '../support/dynamodb-local';
import { parsedEvent, reportData } from '../support/events';

const tables = useDynamoDbLocal();
let endpoint: string;
let streams: DynamoDBStreamsClient;
const folders: string[] = [];
const readers: LocalTableStream[] = [];

beforeAll(() => {
  endpoint = tables.endpoint();
  streams = localStreamsClient(endpoint);
});
afterEach(async () => {
  for (const reader of readers.splice(0)) await reader.stop();
});
afterAll(() => {
  streams.destroy();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A fresh episode table with its stream, a store on it, and a checkpoint file of its own. */
const freshTable = async () => {
  const tableName = await tables.createTable();
  const { streamArn } = await ensureEpisodeTable(localDynamoDbClient(endpoint), tableName);
  const folder = mkdtempSync(join(tmpdir(), 'stream-'));
  folders.push(folder);
  const checkpointFile = join(folder, 'outbox-stream.json');
  return {
    store: new DynamoIntakeStore(tables.doc(), tableName),
    streamArn,
    /** A reader of this table's stream, started and poked, keeping its position in the table's checkpoint. */
    read: (consumer: StreamConsumer, options: { maximumRetryAttempts?: number } = {}) =>
      start({
        client: streams,
        streamArn,
        consumer,
        filter: OUTBOX_INSERT_FILTER,
        checkpointFile,
        ...options,
      }),
  };
};

/** Commits a new episode's report, with its outbox item, as intake would. */
const commitReport = async (store: DynamoIntakeStore, n: number) => {
  const event = parsedEvent('missing.reported', reportData(`MPS-S-${n}`), { id: `evt-${n}` });
  const state = foldEpisode([event], { council: towerHamlets });
  if (!state) throw new Error('a state');
  const episodeId = `ep-${n}`;
  const outcome = await store.commit({
    delivery: { sourceId: 'met-police', receivedAt: '2026-10-22T18:05:00.000Z', event },
    episodeId,
    childId: `child-${n}`,
    episodeRef: event.data.episodeRef,
    state,
    expectedVersion: 0,
    otherEpisodes: [],
    notices: { create: [], cancel: [] },
    outbox: outboxItems(
      { sourceId: 'met-police', eventId: event.id, episodeId },
      { create: [], cancel: [] },
      '2026-10-22T18:05:00.000Z',
    ),
    retentionExpiresAt: '2033-10-22T18:05:00.000Z',
  });
  expect(outcome).toBe('committed');
};

const eventIdOf = (record: DynamoDBRecord) =>
  (outboxItemOf(record) as OutboxItem & { kind: 'routing' }).message.eventId;

/** A consumer that records what it is given and answers as `answer` says. */
const recorder = (
  answer: (event: DynamoDBStreamEvent) => DynamoDBBatchResponse = () => ({ batchItemFailures: [] }),
) => {
  const delivered: DynamoDBRecord[][] = [];
  return {
    delivered,
    consumer: async (event: DynamoDBStreamEvent) => {
      delivered.push(event.Records);
      return answer(event);
    },
  };
};

const until = async (condition: () => boolean, what: string) => {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
};

const start = (options: Parameters<typeof createLocalTableStream>[0]) => {
  const reader = createLocalTableStream({ idleMs: 50, retryDelayMs: 5, ...options });
  readers.push(reader);
  reader.start();
  reader.poke();
  return reader;
};

describe("the local outbox stream, on DynamoDB Local's stream", () => {
  it('hands the consumer the outbox inserts only, as Lambda records, and says when it has caught up', async () => {
    const { store, streamArn, read } = await freshTable();
    await commitReport(store, 1);
    const { delivered, consumer } = recorder();
    const reader = read(consumer);
    await until(() => reader.caughtUp(), 'the reader to catch up');
    const records = delivered.flat();
    expect(records.map(eventIdOf)).toEqual(['evt-1']);
    expect(records[0]).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: streamArn,
      dynamodb: { StreamViewType: 'NEW_IMAGE', ApproximateCreationDateTime: expect.any(Number) },
    });
    // A commit writes seven items; six of them are not the dispatcher's.
    expect(records.every((r) => matchesFilter(OUTBOX_INSERT_FILTER, r))).toBe(true);
  });

  it('resumes after its checkpoint when started again: nothing given twice, nothing skipped', async () => {
    const { store, read } = await freshTable();
    await commitReport(store, 1);
    const first = recorder();
    const reader = read(first.consumer);
    await until(() => reader.caughtUp(), 'the first reader to catch up');
    await reader.stop();
    await commitReport(store, 2);
    await commitReport(store, 3);
    const second = recorder();
    const again = read(second.consumer);
    await until(() => again.caughtUp(), 'the second reader to catch up');
    expect(first.delivered.flat().map(eventIdOf)).toEqual(['evt-1']);
    expect(second.delivered.flat().map(eventIdOf)).toEqual(['evt-2', 'evt-3']);
  });

  it('gives a failed record again, with those after it, as Lambda does with partial batch responses', async () => {
    const { store, read } = await freshTable();
    for (const n of [1, 2, 3]) await commitReport(store, n);
    let failures = 2;
    const { delivered, consumer } = recorder((event) => {
      const failing = event.Records.find((r) => eventIdOf(r) === 'evt-2');
      return {
        batchItemFailures:
          failing && failures-- > 0 ? [{ itemIdentifier: failing.dynamodb?.SequenceNumber ?? '' }] : [],
      };
    });
    const reader = read(consumer);
    await until(() => reader.caughtUp(), 'the reader to catch up');
    expect(delivered.map((batch) => batch.map(eventIdOf))).toEqual([
      ['evt-1', 'evt-2', 'evt-3'],
      ['evt-2', 'evt-3'],
      ['evt-2', 'evt-3'],
    ]);
    expect(reader.deadLetters()).toEqual([]);
  });

  it('dead-letters a record that fails every retry, and goes on with the rest', async () => {
    const { store, read } = await freshTable();
    for (const n of [1, 2]) await commitReport(store, n);
    const { delivered, consumer } = recorder((event) => ({
      batchItemFailures: event.Records.filter((r) => eventIdOf(r) === 'evt-1').map((r) => ({
        itemIdentifier: r.dynamodb?.SequenceNumber ?? '',
      })),
    }));
    const reader = read(consumer, { maximumRetryAttempts: 2 });
    await until(() => reader.caughtUp(), 'the reader to catch up');
    expect(delivered).toHaveLength(3);
    expect(reader.deadLetters()).toEqual([
      expect.objectContaining({ attempts: 3, keys: expect.objectContaining({ sk: { S: 'ROUTING' } }) }),
    ]);
    await commitReport(store, 3);
    reader.poke();
    await until(() => delivered.flat().some((r) => eventIdOf(r) === 'evt-3'), 'the next commit');
  });

  it('keeps reading when the wall clock jumps ahead while it reads (a clock set, or faked in a test)', async () => {
    const { store, read } = await freshTable();
    await commitReport(store, 1);
    const { delivered, consumer } = recorder();
    const reader = read(consumer);
    await until(() => reader.caughtUp(), 'the reader to catch up');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 8 * 3_600_000 });
    try {
      await commitReport(store, 2);
      reader.poke();
      await until(() => reader.caughtUp(), 'the reader to catch up on the faked clock');
    } finally {
      vi.useRealTimers();
    }
    await commitReport(store, 3);
    reader.poke();
    await until(() => delivered.flat().some((r) => eventIdOf(r) === 'evt-3'), 'the commit after the jump');
  });
});
