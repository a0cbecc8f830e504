import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  type TableDescription,
  type TransactWriteItemsInput,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { errorName } from '../../shared/adapters/dynamo-episode-store';
import { createTableInput, STREAM_SPECIFICATION, timeToLiveInput } from '../../shared/adapters/episode-table';

/**
 * DynamoDB Local wants an Authorization header but checks no signature: a fixed one spares the runtime
 * signing every request (about a fifth of the SDK's own work per request, measured on a GetItem).
 */
const LOCAL_AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=local/20260101/eu-west-2/dynamodb/aws4_request, SignedHeaders=host, Signature=0';

/** The endpoint, the council's region, and credentials and a signer for a server that checks neither. */
const localClientConfig = (endpoint: string) => ({
  endpoint,
  region: 'eu-west-2',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  signer: {
    sign: async <R extends { headers: Record<string, string> }>(request: R): Promise<R> => {
      request.headers.authorization = LOCAL_AUTHORIZATION;
      return request;
    },
  },
});

/** A client for DynamoDB Local: its own endpoint, the council's region, credentials it never checks. */
export const localDynamoDbClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient(localClientConfig(endpoint));

/** The key no item has: what the read after a transaction asks for. */
const BARRIER_KEY = { pk: { S: 'LOCAL#BARRIER' }, sk: { S: 'LOCAL#BARRIER' } };

/**
 * Makes the client's transactions on disk when they answer, as DynamoDB's are. DynamoDB Local answers
 * TransactWriteItems once it has queued the COMMIT on its one database thread, not once the COMMIT has run,
 * so a kill in between loses a transaction already acknowledged (and intake's 202 with it). A read queued
 * after it runs after the COMMIT: the client waits for one after every transaction. One read serves every
 * transaction answered before it was sent (a read already under way was sent too early for the ones answered
 * since, which wait for the next), so a burst of commits costs DynamoDB Local a read per turn, not one each.
 * The local runtime's client only: tests and the bench measure the store's own requests.
 */
export const durableTransactions = (
  client: DynamoDBClient,
  /** Where the read is sent: the client itself unless another should carry it (see request-lanes). */
  barrier: DynamoDBClient = client,
): DynamoDBClient => {
  const reads = new Map<string, { underWay?: Promise<unknown>; next?: Promise<unknown> }>();
  /** A read sent after this moment: the next one, which this caller joins if it is not sent yet. */
  const readAfterNow = (TableName: string): Promise<unknown> => {
    const state = reads.get(TableName) ?? {};
    reads.set(TableName, state);
    state.next ??= (state.underWay ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => {
        const read = barrier.send(new GetItemCommand({ TableName, Key: BARRIER_KEY, ConsistentRead: true }));
        state.next = undefined;
        state.underWay = read;
        return read.finally(() => {
          if (state.underWay === read) state.underWay = undefined;
        });
      });
    return state.next;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'TransactWriteItemsCommand') {
        const [first] = (args.input as TransactWriteItemsInput).TransactItems ?? [];
        const TableName = Object.values(first ?? {})[0]?.TableName;
        if (TableName) await readAfterNow(TableName);
      }
      return result;
    },
    { step: 'initialize', name: 'localDurableTransactions' },
  );
  return client;
};

/** A client for DynamoDB Local's streams, configured as the table's. */
export const localStreamsClient = (endpoint: string): DynamoDBStreamsClient =>
  new DynamoDBStreamsClient(localClientConfig(endpoint));

/** Creates the episode table as the stack declares it, retention TTL included (CreateTable cannot set TTL). */
export const createEpisodeTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(tableName)));
};

export interface EpisodeTable {
  /** Made now, found as an earlier run left it, or found and given the stream it lacked. */
  table: 'created' | 'found' | 'found, stream added';
  /** The table's stream, which the dispatcher reads. */
  streamArn: string;
}

const describe = async (client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> => {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw error;
    return undefined;
  }
};

const streamOf = (table: TableDescription | undefined): string => {
  if (!table?.LatestStreamArn) throw new Error(`table ${table?.TableName} has no stream`);
  return table.LatestStreamArn;
};

/**
 * Creates the episode table the first time a data folder is used; a later run finds it there. A table made
 * before the outbox had no stream: it is given one, from which the dispatcher reads what is committed after.
 */
export const ensureEpisodeTable = async (
  client: DynamoDBClient,
  tableName: string,
): Promise<EpisodeTable> => {
  const found = await describe(client, tableName);
  if (!found) {
    await createEpisodeTable(client, tableName);
    return { table: 'created', streamArn: streamOf(await describe(client, tableName)) };
  }
  if (found.StreamSpecification?.StreamEnabled) return { table: 'found', streamArn: streamOf(found) };
  await client.send(
    new UpdateTableCommand({ TableName: tableName, StreamSpecification: STREAM_SPECIFICATION }),
  );
  return { table: 'found, stream added', streamArn: streamOf(await describe(client, tableName)) };
};
