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
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { EpisodeState } from '../episode/episode-state';
import type { EpisodeReport } from '../episode/fold-episode';
import type {
  EpisodeRecord,
  EpisodeStore,
  NoticeClaim,
  NoticeRecord,
  SendRecord,
  StoredEvent,
} from '../ports';
import {
  episodePartition,
  NOTICE_EMAILED_PREFIX,
  noticeEmailedAttribute,
  noticeItemKey,
  PENDING,
  PENDING_NOTICE_INDEX,
  pendingNoticeKeys,
  pendingNoticeUpperBound,
  sendKeyOf,
  type TableKey,
  TTL_ATTRIBUTE,
  ttlSeconds,
} from './episode-table';

type Item = Record<string, unknown>;

/** The document client every function uses; locally the SDK reads AWS_ENDPOINT_URL_DYNAMODB. */
export const episodeTableClient = (client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

/** The name the SDK gives a failed request (ConditionalCheckFailedException, ...): what the stores branch on. */
export const errorName = (error: unknown) => (error as { name?: string } | undefined)?.name;

const toNoticeRecord = (item: Item): NoticeRecord => ({
  episodeId: item.episodeId as string,
  noticeKey: item.noticeKey as string,
  deadlineKind: item.deadlineKind as NoticeRecord['deadlineKind'],
  notice: item.notice as NoticeRecord['notice'],
  ...(item.hoursBefore !== undefined ? { hoursBefore: item.hoursBefore as number } : {}),
  fireAt: item.fireAt as string,
  dueAt: item.dueAt as string,
  state: item.state as NoticeRecord['state'],
  ...(item.sentAt !== undefined ? { sentAt: item.sentAt as string } : {}),
});

/** An episode record from the items of its partition; undefined when it has no episode item. */
const episodeOf = (episodeId: string, items: Item[]): EpisodeRecord | undefined => {
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
 * The EpisodeStore port on the single table described in episode-table.ts: what the mail functions read and
 * write. Intake's commit path extends it in dynamo-intake-store.ts, so their bundles leave that out.
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

  /**
   * An update that applies only when its condition holds: undefined when it did not (or the item did not
   * exist), else the item as it was before when `returnOld` asks for it (an empty item when not).
   */
  private async updateIf(input: {
    key: { pk: string; sk: string };
    update: string;
    condition: string;
    names?: Record<string, string>;
    values: Item;
    returnOld?: boolean;
  }): Promise<Item | undefined> {
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: input.key,
          UpdateExpression: input.update,
          ConditionExpression: input.condition,
          ...(input.names ? { ExpressionAttributeNames: input.names } : {}),
          ExpressionAttributeValues: input.values,
          ReturnValues: input.returnOld ? 'ALL_OLD' : 'NONE',
        }),
      );
      return Attributes ?? {};
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
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
  private episodeItems(episodeId: string): Promise<Item[]> {
    return this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': episodePartition(episodeId) },
      ConsistentRead: true,
    });
  }

  async getEpisode(episodeId: string): Promise<EpisodeRecord | undefined> {
    return episodeOf(episodeId, await this.episodeItems(episodeId));
  }

  async getNoticeWithEpisode(
    episodeId: string,
    key: string,
  ): Promise<{ notice?: NoticeRecord; episode?: EpisodeRecord }> {
    const items = await this.episodeItems(episodeId);
    const notice = items.find((item) => item.sk === noticeItemKey(episodeId, key).sk);
    const episode = episodeOf(episodeId, items);
    return { ...(notice ? { notice: toNoticeRecord(notice) } : {}), ...(episode ? { episode } : {}) };
  }

  async dueNotices(until: string, limit: number): Promise<NoticeRecord[]> {
    const items = await this.queryAll(
      {
        IndexName: PENDING_NOTICE_INDEX.indexName,
        KeyConditionExpression: '#p = :pending AND #s <= :until',
        ExpressionAttributeNames: {
          '#p': PENDING_NOTICE_INDEX.partitionKey,
          '#s': PENDING_NOTICE_INDEX.sortKey,
        },
        ExpressionAttributeValues: { ':pending': PENDING, ':until': pendingNoticeUpperBound(until) },
      },
      limit,
    );
    // The index is eventually consistent: a notice claimed a moment ago may still be listed.
    return items.map(toNoticeRecord).filter((notice) => notice.state === 'pending');
  }

  async getNotice(episodeId: string, key: string): Promise<NoticeRecord | undefined> {
    const item = await this.get(noticeItemKey(episodeId, key));
    return item && toNoticeRecord(item);
  }

  async claimNotice(episodeId: string, key: string, sentAt: string): Promise<NoticeClaim> {
    const before = await this.updateIf({
      key: noticeItemKey(episodeId, key),
      update: `SET #state = :sent, sentAt = :sentAt REMOVE ${PENDING_NOTICE_INDEX.partitionKey}, ${PENDING_NOTICE_INDEX.sortKey}`,
      condition: '#state = :pending',
      names: { '#state': 'state' },
      values: { ':sent': 'sent', ':sentAt': sentAt, ':pending': 'pending' },
      returnOld: true,
    });
    if (!before) return { claimed: false };
    const emailed = Object.keys(before)
      .filter((name) => name.startsWith(NOTICE_EMAILED_PREFIX))
      .map((name) => name.slice(NOTICE_EMAILED_PREFIX.length));
    return { claimed: true, emailed };
  }

  async releaseNotice(episodeId: string, key: string): Promise<void> {
    const notice = await this.getNotice(episodeId, key);
    if (notice?.state !== 'sent') return;
    const index = pendingNoticeKeys(notice.fireAt, episodeId, key);
    await this.updateIf({
      key: noticeItemKey(episodeId, key),
      update: 'SET #state = :pending, #p = :p, #s = :s REMOVE sentAt',
      condition: '#state = :sent',
      names: {
        '#state': 'state',
        '#p': PENDING_NOTICE_INDEX.partitionKey,
        '#s': PENDING_NOTICE_INDEX.sortKey,
      },
      values: {
        ':pending': 'pending',
        ':sent': 'sent',
        ':p': index[PENDING_NOTICE_INDEX.partitionKey],
        ':s': index[PENDING_NOTICE_INDEX.sortKey],
      },
    });
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

  async recordNoticeSends(episodeId: string, key: string, sends: SendRecord[]): Promise<void> {
    if (sends.length === 0) return;
    const names: Record<string, string> = {};
    const values: Item = {};
    const sets = sends.map((send, i) => {
      names[`#e${i}`] = noticeEmailedAttribute(send.address);
      values[`:e${i}`] = {
        recipientRef: send.recipientRef,
        address: send.address,
        ...(send.messageId ? { messageId: send.messageId } : {}),
        outcome: send.outcome,
        at: send.at,
      };
      // Already recorded (a repeat): the first record stands.
      return `#e${i} = if_not_exists(#e${i}, :e${i})`;
    });
    // On the notice the commit wrote, never a new item; it expires with the episode's other items.
    await this.updateIf({
      key: noticeItemKey(episodeId, key),
      update: `SET ${sets.join(', ')}`,
      condition: 'attribute_exists(pk)',
      names,
      values,
    });
  }

  private async putUnlessRecorded(put: PutCommandInput): Promise<void> {
    try {
      await this.doc.send(new PutCommand(put));
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
    }
  }
}
