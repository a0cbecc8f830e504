import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type DeadlineNotice, noticeKey } from '../deadlines/deadline-notices';
import type { EpisodeState } from '../episode/episode-state';
import type { EpisodeReport } from '../episode/fold-episode';
import type {
  AcceptedDelivery,
  EpisodeCommit,
  EpisodeRecord,
  EpisodeStore,
  NoticeRecord,
  SendRecord,
  StoredEvent,
} from '../ports';
import { compareInstants } from '../time/instant';
import {
  childEpisodeKey,
  childPartition,
  deliveryKey,
  episodeKey,
  episodePartition,
  eventKey,
  isOpenEpisodeStatus,
  noticeItemKey,
  openEpisodeKey,
  PENDING,
  PENDING_NOTICE_INDEX,
  pendingNoticeKeys,
  pendingNoticeUpperBound,
  refKey,
  sendKeyOf,
  TTL_ATTRIBUTE,
  ttlSeconds,
} from './episode-table';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The document client every function uses; locally the SDK reads AWS_ENDPOINT_URL_DYNAMODB. */
export const episodeTableClient = (client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

const errorName = (error: unknown) => (error as { name?: string } | undefined)?.name;

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

const noticeFields = (episodeId: string, notice: DeadlineNotice) => ({
  episodeId,
  noticeKey: noticeKey(notice),
  deadlineKind: notice.deadlineKind,
  notice: notice.notice,
  hoursBefore: notice.hoursBefore,
  fireAt: notice.fireAt,
  dueAt: notice.dueAt,
});

/** The EpisodeStore port on the single table described in episode-table.ts. */
export class DynamoEpisodeStore implements EpisodeStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async get(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return Item;
  }

  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>, limit = Number.POSITIVE_INFINITY) {
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

  /** An update that applies only when the item exists; false when it did not (or the condition failed). */
  private async updateIf(input: {
    key: { pk: string; sk: string };
    update: string;
    condition: string;
    names?: Record<string, string>;
    values: Item;
  }): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: input.key,
          UpdateExpression: input.update,
          ConditionExpression: input.condition,
          ...(input.names ? { ExpressionAttributeNames: input.names } : {}),
          ExpressionAttributeValues: input.values,
        }),
      );
      return true;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async findDelivery(sourceId: string, eventId: string): Promise<AcceptedDelivery | undefined> {
    const item = await this.get(deliveryKey(sourceId, eventId));
    return (
      item && {
        sourceId: item.sourceId as string,
        eventId: item.eventId as string,
        episodeId: item.episodeId as string,
        status: item.status as AcceptedDelivery['status'],
        effectsDone: item.effectsDone === true,
      }
    );
  }

  async markEffectsDone(sourceId: string, eventId: string): Promise<void> {
    await this.updateIf({
      key: deliveryKey(sourceId, eventId),
      update: 'SET effectsDone = :done',
      condition: 'attribute_exists(pk)',
      values: { ':done': true },
    });
  }

  async getEpisode(episodeId: string): Promise<EpisodeRecord | undefined> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': episodePartition(episodeId) },
      ConsistentRead: true,
    });
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
    };
  }

  async findEpisodeIdByRef(episodeRef: string): Promise<string | undefined> {
    return (await this.get(refKey(episodeRef)))?.episodeId as string | undefined;
  }

  async findOpenEpisodeId(childId: string): Promise<string | undefined> {
    return (await this.get(openEpisodeKey(childId)))?.episodeId as string | undefined;
  }

  async childEpisodeReports(childId: string, exceptEpisodeId?: string): Promise<EpisodeReport[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :episode)',
      ExpressionAttributeValues: { ':pk': childPartition(childId), ':episode': 'EPISODE#' },
      ConsistentRead: true,
    });
    return items
      .filter((item) => item.episodeId !== exceptEpisodeId && item.status !== 'withdrawn')
      .map((item) => ({ reportedAt: item.reportedAt as string, kind: item.kind as EpisodeReport['kind'] }))
      .sort((a, b) => compareInstants(a.reportedAt, b.reportedAt));
  }

  async commit(change: EpisodeCommit): Promise<'committed' | 'duplicate' | 'conflict'> {
    const { delivery, episodeId, childId, state } = change;
    const TableName = this.tableName;
    const expiresAt = ttlSeconds(change.retentionExpiresAt);
    const isNew = change.expectedVersion === 0;

    const episodeUpdate: TransactItem = {
      Update: {
        TableName,
        Key: episodeKey(episodeId),
        UpdateExpression: `SET #state = :state, #version = :next, childId = :childId, #ttl = :ttl${
          change.previousEpisodeId ? ', previousEpisodeId = if_not_exists(previousEpisodeId, :previous)' : ''
        } ADD episodeRefs :refs`,
        ConditionExpression: isNew ? 'attribute_not_exists(pk)' : '#version = :expected',
        ExpressionAttributeNames: { '#state': 'state', '#version': 'version', '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':state': state,
          ':next': change.expectedVersion + 1,
          ':childId': childId,
          ':ttl': expiresAt,
          ':refs': new Set([change.episodeRef]),
          ...(isNew ? {} : { ':expected': change.expectedVersion }),
          ...(change.previousEpisodeId ? { ':previous': change.previousEpisodeId } : {}),
        },
      },
    };
    const deliveryPut: TransactItem = {
      Put: {
        TableName,
        Item: {
          ...deliveryKey(delivery.sourceId, delivery.event.id),
          sourceId: delivery.sourceId,
          eventId: delivery.event.id,
          episodeId,
          status: state.status,
          effectsDone: false,
          [TTL_ATTRIBUTE]: expiresAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    const items: TransactItem[] = [
      episodeUpdate,
      deliveryPut,
      {
        Put: {
          TableName,
          Item: {
            ...eventKey(episodeId, delivery.sourceId, delivery.event.id),
            ...delivery,
            [TTL_ATTRIBUTE]: expiresAt,
          },
        },
      },
      {
        Put: {
          TableName,
          Item: { ...refKey(change.episodeRef), episodeId, [TTL_ATTRIBUTE]: expiresAt },
          ConditionExpression: 'attribute_not_exists(pk) OR episodeId = :episodeId',
          ExpressionAttributeValues: { ':episodeId': episodeId },
        },
      },
      {
        Put: {
          TableName,
          Item: {
            ...childEpisodeKey(childId, episodeId),
            episodeId,
            kind: state.kind,
            status: state.status,
            reportedAt: state.reportedAt,
            [TTL_ATTRIBUTE]: expiresAt,
          },
        },
      },
      ...(await this.openEpisodeWrite(change, isNew, expiresAt)),
      ...change.notices.create.map(
        (notice): TransactItem => ({
          Put: {
            TableName,
            Item: {
              ...noticeItemKey(episodeId, noticeKey(notice)),
              ...noticeFields(episodeId, notice),
              state: 'pending',
              ...pendingNoticeKeys(notice.fireAt, episodeId, noticeKey(notice)),
              [TTL_ATTRIBUTE]: expiresAt,
            },
          },
        }),
      ),
      ...change.notices.cancel.map((notice): TransactItem => {
        const fields = { ...noticeFields(episodeId, notice), state: 'cancelled', [TTL_ATTRIBUTE]: expiresAt };
        const defined = Object.entries(fields).filter(([, value]) => value !== undefined);
        return {
          Update: {
            TableName,
            Key: noticeItemKey(episodeId, noticeKey(notice)),
            // Sets every field, so a notice never stored still becomes a whole (cancelled) record.
            UpdateExpression: `SET ${defined.map((_, i) => `#f${i} = :f${i}`).join(', ')} REMOVE ${
              PENDING_NOTICE_INDEX.partitionKey
            }, ${PENDING_NOTICE_INDEX.sortKey}`,
            ExpressionAttributeNames: Object.fromEntries(defined.map(([name], i) => [`#f${i}`, name])),
            ExpressionAttributeValues: Object.fromEntries(defined.map(([, value], i) => [`:f${i}`, value])),
          },
        };
      }),
    ];

    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return 'committed';
    } catch (error) {
      if (errorName(error) !== 'TransactionCanceledException') throw error;
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if (reasons?.[1]?.Code === 'ConditionalCheckFailed') return 'duplicate';
      if (!reasons && (await this.findDelivery(delivery.sourceId, delivery.event.id))) return 'duplicate';
      return 'conflict';
    }
  }

  /**
   * The child's OPEN pointer: a new episode takes it only when it is free or held by the episode it follows
   * (one open episode per child); an episode that closes gives it up only if it still holds it.
   */
  private async openEpisodeWrite(
    change: EpisodeCommit,
    isNew: boolean,
    expiresAt: number,
  ): Promise<TransactItem[]> {
    const TableName = this.tableName;
    const Key = openEpisodeKey(change.childId);
    const open = isOpenEpisodeStatus(change.state.status);
    if (isNew) {
      const condition = {
        ConditionExpression: change.previousEpisodeId
          ? 'attribute_not_exists(pk) OR episodeId = :previous'
          : 'attribute_not_exists(pk)',
        ...(change.previousEpisodeId
          ? { ExpressionAttributeValues: { ':previous': change.previousEpisodeId } }
          : {}),
      };
      return open
        ? [
            {
              Put: {
                TableName,
                Item: { ...Key, episodeId: change.episodeId, [TTL_ATTRIBUTE]: expiresAt },
                ...condition,
              },
            },
          ]
        : [{ ConditionCheck: { TableName, Key, ...condition } }];
    }
    if (open) return [];
    const pointer = await this.get(Key);
    return pointer?.episodeId === change.episodeId
      ? [
          {
            Delete: {
              TableName,
              Key,
              ConditionExpression: 'episodeId = :episodeId',
              ExpressionAttributeValues: { ':episodeId': change.episodeId },
            },
          },
        ]
      : [];
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

  async claimNotice(episodeId: string, key: string, sentAt: string): Promise<boolean> {
    return this.updateIf({
      key: noticeItemKey(episodeId, key),
      update: `SET #state = :sent, sentAt = :sentAt REMOVE ${PENDING_NOTICE_INDEX.partitionKey}, ${PENDING_NOTICE_INDEX.sortKey}`,
      condition: '#state = :pending',
      names: { '#state': 'state' },
      values: { ':sent': 'sent', ':sentAt': sentAt, ':pending': 'pending' },
    });
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

  async hasSent(sendKey: string): Promise<boolean> {
    return (await this.get(sendKeyOf(sendKey))) !== undefined;
  }

  async recordSend(send: SendRecord): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...sendKeyOf(send.sendKey), ...send, [TTL_ATTRIBUTE]: ttlSeconds(send.retentionExpiresAt) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      // Already recorded: the first record stands.
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
    }
  }
}
