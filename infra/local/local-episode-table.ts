import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../../shared/adapters/episode-table';

/** A client for DynamoDB Local: its own endpoint, the council's region, credentials it never checks. */
export const localDynamoDbClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({
    endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

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
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  return 'created';
};
