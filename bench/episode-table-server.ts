import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local-server';
import { episodeTableClient } from '../shared/adapters/dynamo-episode-store';
import { createTableInput } from '../shared/adapters/episode-table';

export interface EpisodeTableServer {
  doc: DynamoDBDocumentClient;
  /** A client of its own (the caller destroys it), configured as the functions configure theirs. */
  newDocClient(): DynamoDBDocumentClient;
  /** A fresh episode table, shaped exactly as the stack and the local runtime create it. */
  createTable(): Promise<string>;
  stop(): Promise<void>;
}

/** A DynamoDB Local in memory, on a free port, for one measurement; the caller stops it. */
export const startEpisodeTableServer = async (): Promise<EpisodeTableServer> => {
  const server = await startDynamoDbLocal();
  const newDocClient = () =>
    episodeTableClient(
      new DynamoDBClient({
        endpoint: server.endpoint,
        region: 'eu-west-2',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
  const doc = newDocClient();
  return {
    doc,
    newDocClient,
    async createTable() {
      const name = `bench-${randomUUID()}`;
      await doc.send(new CreateTableCommand(createTableInput(name)));
      return name;
    },
    async stop() {
      doc.destroy();
      await server.stop();
    },
  };
};
