import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { createTableInput, STREAM_SPECIFICATION, timeToLiveInput } from '../../shared/adapters/episode-table';

/** A client for DynamoDB Local: its own endpoint, the council's region, credentials it never checks. */
export const localDynamoDbClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({
    endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

/** A client for DynamoDB Local's streams, configured as the table's. */
export const localStreamsClient = (endpoint: string): DynamoDBStreamsClient =>
  new DynamoDBStreamsClient({
    endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

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
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
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
