import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  durableTransactions,
  ensureEpisodeTable,
  localDynamoDbClient,
} from '../../infra/local/local-episode-table';
import { episodeTableClient } from '../../shared/adapters/dynamo-episode-store';
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

  it('waits, after each transaction, for a read that DynamoDB Local runs only once the transaction is on disk', async () => {
    const tableName = await tables.createTable();
    const client = durableTransactions(localDynamoDbClient(tables.endpoint()));
    const sent: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'recordRequests' },
    );
    await episodeTableClient(client).send(
      new TransactWriteCommand({
        TransactItems: [{ Put: { TableName: tableName, Item: { pk: 'A', sk: 'B' } } }],
      }),
    );
    expect(sent).toEqual(['TransactWriteItemsCommand', 'GetItemCommand']);
    client.destroy();
  });

  it('answers transactions in a burst with fewer reads, each transaction only after a read sent once it was answered', async () => {
    const tableName = await tables.createTable();
    const client = durableTransactions(localDynamoDbClient(tables.endpoint()));
    const log: string[] = [];
    let reads = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetItemCommand') {
          const read = ++reads;
          log.push(`read ${read} sent`);
          const answer = await next(args);
          log.push(`read ${read} answered`);
          return answer;
        }
        const answer = await next(args);
        log.push(`${(args.input as { ClientRequestToken?: string }).ClientRequestToken} answered`);
        return answer;
      },
      { step: 'initialize', name: 'recordRequests' },
    );
    const doc = episodeTableClient(client);
    const count = 12;
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        await doc.send(
          new TransactWriteCommand({
            ClientRequestToken: `t${i}`,
            TransactItems: [{ Put: { TableName: tableName, Item: { pk: `P${i}`, sk: 'S' } } }],
          }),
        );
        log.push(`t${i} done`);
      }),
    );
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThan(count);
    for (let i = 0; i < count; i++) {
      const answered = log.indexOf(`t${i} answered`);
      const done = log.indexOf(`t${i} done`);
      const covering = log.slice(answered, done).filter((line) => line.endsWith(' sent'));
      expect(covering.length, `t${i}: a read sent after its answer`).toBeGreaterThan(0);
      for (const sentLine of covering.slice(0, 1)) {
        expect(log.indexOf(sentLine.replace('sent', 'answered'))).toBeLessThan(done);
      }
    }
    client.destroy();
  });
});
