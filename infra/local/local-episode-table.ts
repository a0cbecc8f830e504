import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, timeToLiveInput } from '../../shared/adapters/episode-table';

/** A client for DynamoDB Local: its own endpoint, the council's region, credentials it never checks. */
export const localDynamoDbClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({
    endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

/** Creates the episode table as the stack declares it, retention TTL included (CreateTable cannot set TTL). */
export const createEpisodeTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(tableName)));
};

/** Creates the episode table the first time a data folder is used; a later run finds it there. */
export const ensureEpisodeTable = async (
  client: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'found'> => {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return 'found';
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
  await createEpisodeTable(client, tableName);
  return 'created';
};
