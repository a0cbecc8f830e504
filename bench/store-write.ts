import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Figure } from './bench-report';
import type { EpisodeTableServer } from './episode-table-server';
import { type LoadRun, runInFlight } from './in-flight';
import { summarise } from './stats';

export const STORE_HOP = 'store: raw PutItem';

/** About the size of an episode item: the figure is the server's limit for writes like intake's. */
const PAYLOAD = 'x'.repeat(512);

/**
 * The local store's own limit: single PutItems at a fixed concurrency into a fresh episode table (with its
 * pending-notice index), nothing else in the way. Intake's throughput is read against this.
 */
export const measureStoreWrites = async (
  server: EpisodeTableServer,
  options: { items: number; inFlight: number; warmUp: number },
): Promise<{ run: LoadRun; figures: Figure[] }> => {
  const table = await server.createTable();
  const put = (key: string) =>
    server.doc.send(new PutCommand({ TableName: table, Item: { pk: key, sk: 'BENCH', payload: PAYLOAD } }));
  // DynamoDB Local is a JVM: its first few hundred requests run interpreted, so they are not counted.
  await runInFlight(options.warmUp, options.inFlight, (i) => put(`WARM#${i}`).then(() => undefined));
  const run = await runInFlight(options.items, options.inFlight, (i) =>
    put(`BENCH#${i}`).then(() => undefined),
  );
  const latency = summarise(run.latenciesMs);
  const hop = STORE_HOP;
  const inFlight = `${options.inFlight} in flight, ${options.items} items`;
  return {
    run,
    figures: [
      { hop, name: 'throughput', value: run.perSecond, unit: 'writes/s', note: inFlight },
      { hop, name: 'latency p50', value: latency.p50, unit: 'ms' },
      { hop, name: 'latency p99', value: latency.p99, unit: 'ms' },
    ],
  };
};
