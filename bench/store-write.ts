import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Figure } from './bench-report';
import type { EpisodeTableServer } from './episode-table-server';
import { type LoadRun, runInFlight } from './in-flight';
import { summarise } from './stats';

/** About the size of an episode item: the figure is the server's limit for writes like intake's. */
const PAYLOAD = 'x'.repeat(512);

export interface StoreLoad {
  /** How many requests are measured. */
  requests: number;
  inFlight: number;
  /** Unmeasured requests first: DynamoDB Local is a JVM, and its first few hundred run interpreted. */
  warmUp: number;
}

export interface StoreRun {
  run: LoadRun;
  figures: Figure[];
}

const measure = async (
  hop: string,
  unit: string,
  options: StoreLoad,
  write: (key: string) => Promise<unknown>,
): Promise<StoreRun> => {
  await runInFlight(options.warmUp, options.inFlight, (i) => write(`WARM#${i}`).then(() => undefined));
  const run = await runInFlight(options.requests, options.inFlight, (i) =>
    write(`BENCH#${i}`).then(() => undefined),
  );
  const latency = summarise(run.latenciesMs);
  return {
    run,
    figures: [
      {
        hop,
        name: 'throughput',
        value: run.perSecond,
        unit,
        note: `${options.inFlight} in flight, ${options.requests} requests`,
      },
      { hop, name: 'latency p50', value: latency.p50, unit: 'ms' },
      { hop, name: 'latency p99', value: latency.p99, unit: 'ms' },
    ],
  };
};

/**
 * The local store's own limit: single PutItems at a fixed concurrency into a fresh episode table (with its
 * pending-notice index), nothing else in the way. Intake's throughput is read against this.
 */
export const measureStoreWrites = async (server: EpisodeTableServer, options: StoreLoad) => {
  const table = await server.createTable();
  return measure('store: raw PutItem', 'writes/s', options, (key) =>
    server.doc.send(new PutCommand({ TableName: table, Item: { pk: key, sk: 'BENCH', payload: PAYLOAD } })),
  );
};

/** The same server's limit for transactions as large as intake's commit, to show where intake's time goes. */
export const measureStoreTransactions = async (
  server: EpisodeTableServer,
  options: StoreLoad & { itemsPerTransaction: number },
) => {
  const table = await server.createTable();
  const { itemsPerTransaction } = options;
  return measure(
    `store: raw ${itemsPerTransaction}-item TransactWriteItems`,
    'transactions/s',
    options,
    (key) =>
      server.doc.send(
        new TransactWriteCommand({
          TransactItems: Array.from({ length: itemsPerTransaction }, (_, i) => ({
            Put: {
              TableName: table,
              Item: { pk: `${key}#${i}`, sk: 'BENCH', payload: PAYLOAD },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          })),
        }),
      ),
  );
};
