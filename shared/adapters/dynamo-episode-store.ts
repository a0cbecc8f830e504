import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { EpisodeState } from '../episode/episode-state';
import type { EpisodeReport } from '../episode/fold-episode';
import type { EpisodeRecord, EpisodeStore, SendRecord, StoredEvent } from '../ports';
import { episodePartition, sendKeyOf, type TableKey, TTL_ATTRIBUTE, ttlSeconds } from './episode-table';

type Item = Record<string, unknown>;

/** The document client every function uses; locally the SDK reads AWS_ENDPOINT_URL_DYNAMODB. */
export const episodeTableClient = (client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

/** The name the SDK gives a failed request (ConditionalCheckFailedException, ...): what stores branch on. */
export const errorName = (error: unknown) => (error as { name?: string } | undefined)?.name;

/** An episode record from the items of its partition; undefined when it has no episode item. */
export const episodeOf = (episodeId: string, items: Item[]): EpisodeRecord | undefined => {
  const episode = items.find((item) => item.sk === 'EPISODE');
  if (!episode) return undefined;
  const events = items
    .filter((item) => (item.sk as string).startsWith('EVENT#'))
    .map(
      (item): StoredEvent => ({
        sourceId: item.sourceId as string,
        receivedAt: item.receivedAt as string,
        event: item.event as StoredEvent['event'],
        ...(typeof item.rawBody === 'string' ? { rawBody: item.rawBody } : {}),
        ...(item.recordedVia ? { recordedVia: item.recordedVia as StoredEvent['recordedVia'] } : {}),
      }),
    )
    .sort((a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt));
  return {
    episodeId,
    childId: episode.childId as string,
    episodeRefs: [...(episode.episodeRefs as Set<string>)].sort(),
    ...(episode.previousEpisodeId ? { previousEpisodeId: episode.previousEpisodeId as string } : {}),
    state: episode.state as EpisodeState,
    events,
    version: episode.version as number,
    ...(Array.isArray(episode.otherEpisodes)
      ? { otherEpisodes: episode.otherEpisodes as EpisodeReport[] }
      : {}),
    ...(typeof episode.holdsOpenPointer === 'boolean' ? { holdsOpenPointer: episode.holdsOpenPointer } : {}),
  };
};

/**
 * The EpisodeStore port on the single table described in episode-table.ts: episodes and the records of
 * emails sent, all that notify and the monthly report use, and the reads the stores extending it share. The
 * deadline notices (dynamo-notice-store.ts) and intake's commit path (dynamo-intake-store.ts) extend it in
 * modules of their own, so a bundle carries only the store its function uses: esbuild keeps every method of
 * a class it keeps.
 */
export class DynamoEpisodeStore implements EpisodeStore {
  constructor(
    protected readonly doc: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  protected async get(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return Item;
  }

  protected async queryAll(input: Omit<QueryCommandInput, 'TableName'>, limit = Number.POSITIVE_INFINITY) {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          ...input,
          TableName: this.tableName,
          ...(start ? { ExclusiveStartKey: start } : {}),
          ...(Number.isFinite(limit) ? { Limit: limit - items.length } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start && items.length < limit);
    return items;
  }

  /** Consistent reads of a few items in one request (again for any the server left unprocessed), by "pk|sk". */
  protected async batchGet(keys: TableKey[]): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    let pending: Item[] | undefined = keys.map((key) => ({ ...key }));
    while (pending && pending.length > 0) {
      const answer: BatchGetCommandOutput = await this.doc.send(
        new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      for (const item of answer.Responses?.[this.tableName] ?? []) found.set(`${item.pk}|${item.sk}`, item);
      pending = answer.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return found;
  }

  /** Every item of the episode's partition: the episode, its events and its notices. */
  protected episodeItems(episodeId: string): Promise<Item[]> {
    return this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': episodePartition(episodeId) },
      ConsistentRead: true,
    });
  }

  async getEpisode(episodeId: string): Promise<EpisodeRecord | undefined> {
    return episodeOf(episodeId, await this.episodeItems(episodeId));
  }

  async alreadySent(sendKeys: string[]): Promise<Set<string>> {
    if (sendKeys.length === 0) return new Set();
    const found = await this.batchGet([...new Set(sendKeys)].map(sendKeyOf));
    return new Set([...found.values()].map((item) => item.sendKey as string));
  }

  async recordSends(sends: SendRecord[]): Promise<void> {
    const puts = sends.map((send) => ({
      TableName: this.tableName,
      Item: { ...sendKeyOf(send.sendKey), ...send, [TTL_ATTRIBUTE]: ttlSeconds(send.retentionExpiresAt) },
      // Already recorded (a repeat): the first record stands.
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
    const [only] = puts;
    if (puts.length === 1 && only) return this.putUnlessRecorded(only);
    try {
      // One write for all of a message's sends (locally, one turn of DynamoDB Local's single writer).
      await this.doc.send(new TransactWriteCommand({ TransactItems: puts.map((Put) => ({ Put })) }));
    } catch (error) {
      if (errorName(error) !== 'TransactionCanceledException') throw error;
      // One of them was recorded already: record the others one by one.
      for (const put of puts) await this.putUnlessRecorded(put);
    }
  }

  private async putUnlessRecorded(put: PutCommandInput): Promise<void> {
    try {
      await this.doc.send(new PutCommand(put));
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
    }
  }
}
