import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { type DynamoDbLocalServer, startDynamoDbLocal } from '../../infra/local/dynamodb-local-server';
import { createEpisodeTable, localDynamoDbClient } from '../../infra/local/local-episode-table';
import { episodeTableClient } from '../../shared/adapters/dynamo-episode-store';

export interface EpisodeTables {
  /** Where DynamoDB Local listens (AWS_ENDPOINT_URL_DYNAMODB for code that builds its own client). */
  endpoint(): string;
  doc(): DynamoDBDocumentClient;
  /** A fresh, empty episode table: each test gets its own, so tests share nothing. */
  createTable(): Promise<string>;
}

/** Starts DynamoDB Local for the calling test file (in memory, a free port) and stops it after. */
export const useDynamoDbLocal = (): EpisodeTables => {
  let server: DynamoDbLocalServer | undefined;
  let raw: DynamoDBClient | undefined;
  let doc: DynamoDBDocumentClient | undefined;
  beforeAll(async () => {
    server = await startDynamoDbLocal();
    raw = localDynamoDbClient(server.endpoint);
    doc = episodeTableClient(raw);
  });
  afterAll(async () => {
    doc?.destroy();
    await server?.stop();
  });
  const clients = () => {
    if (!doc || !raw)
      throw new Error('DynamoDB Local is not running: call useDynamoDbLocal() at the top of the file');
    return { doc, raw };
  };
  return {
    endpoint: () => {
      if (!server)
        throw new Error('DynamoDB Local is not running: call useDynamoDbLocal() at the top of the file');
      return server.endpoint;
    },
    doc: () => clients().doc,
    async createTable() {
      const name = `episodes-${randomUUID()}`;
      await createEpisodeTable(clients().raw, name);
      return name;
    },
  };
};
