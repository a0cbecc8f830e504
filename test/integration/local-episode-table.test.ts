import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { ensureEpisodeTable, localDynamoDbClient } from '../../infra/local/local-episode-table';
import { createTableInput } from '../../shared/adapters/episode-table';
import { useDynamoDbLocal } from '../support/dynamodb-local';

const tables = useDynamoDbLocal();

describe("the local runtime's episode table", () => {
  it('gives a table made before the outbox its stream', async () => {
    const client = localDynamoDbClient(tables.endpoint());
    const { StreamSpecification: _stream, ...withoutStream } = createTableInput(`old-${Date.now()}`);
    await client.send(new CreateTableCommand(withoutStream));
    const tableName = withoutStream.TableName ?? '';
    const upgraded = await ensureEpisodeTable(client, tableName);
    expect(upgraded.table).toBe('found, stream added');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    expect(upgraded.streamArn).toBe(Table?.LatestStreamArn);
    expect(await ensureEpisodeTable(client, tableName)).toEqual({
      table: 'found',
      streamArn: upgraded.streamArn,
    });
  });
});
