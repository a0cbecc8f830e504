import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { type DynamoDbLocalServer, startDynamoDbLocal } from '../../infra/local/dynamodb-local-server';
import { episodeTableClient } from '../../shared/adapters/dynamo-episode-store';
import { createTableInput, timeToLiveInput } from '../../shared/adapters/episode-table';

export interface EpisodeTables {
  doc(): DynamoDBDocumentClient;
  /** A fresh, empty episode table: each test gets its own, so tests share nothing. */
  createTable(): Promise<string>;
}

/** Starts DynamoDB Local for the calling test file (in memory, a free port) and stops it after. */
export const useDynamoDbLocal = (): EpisodeTables => {
  let server: DynamoDbLocalServer | undefined;
  let doc: DynamoDBDocumentClient | undefined;
  beforeAll(async () => {
    server = await startDynamoDbLocal();
    doc = episodeTableClient(
      new DynamoDBClient({
        endpoint: server.endpoint,
        region: 'eu-west-2',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
  });
  afterAll(async () => {
    doc?.destroy();
    await server?.stop();
  });
  const client = () => {
    if (!doc)
      throw new Error('DynamoDB Local is not running: call useDynamoDbLocal() at the top of the file');
    return doc;
  };
  return {
    doc: client,
    async createTable() {
      const name = `episodes-${randomUUID()}`;
      await client().send(new CreateTableCommand(createTableInput(name)));
      await client().send(new UpdateTimeToLiveCommand(timeToLiveInput(name)));
      return name;
    },
  };
};
