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
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type DeadlineNotice, noticeKey } from '../deadlines/deadline-notices';
import type { EpisodeState } from '../episode/episode-state';
import type { EpisodeReport } from '../episode/fold-episode';
import type {
  AcceptedDelivery,
  ChildRecord,
  DeliveryKeys,
  DeliveryLookup,
  EpisodeCommit,
  EpisodeRecord,
  EpisodeStore,
  NoticeClaim,
  NoticeRecord,
  SendRecord,
  StoredEvent,
} from '../ports';
import { childIdentityOf, registryEntryOf, registryTransactItems } from './dynamo-child-registry';
import { outboxTableItem } from './dynamo-outbox';
import {
  childEpisodeKey,
  childIdentityKey,
  childPartition,
  deliveryKey,
  episodeKey,
  episodePartition,
  eventKey,
  identifierKey,
  isOpenEpisodeStatus,
  NOTICE_EMAILED_PREFIX,
  noticeEmailedAttribute,
  noticeItemKey,
  openEpisodeKey,
  PENDING,
  PENDING_NOTICE_INDEX,
  pendingNoticeKeys,
  pendingNoticeUpperBound,
  refKey,
  sendKeyOf,
  type TableKey,
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

  async lookUpDelivery(keys: DeliveryKeys): Promise<DeliveryLookup> {
    const wanted = {
      delivery: deliveryKey(keys.sourceId, keys.eventId),
      ref: refKey(keys.episodeRef),
    };
    const identifiers = keys.identifierKeys ?? [];
    const found = await this.batchGet([...Object.values(wanted), ...identifiers.map(identifierKey)]);
    const item = (key: TableKey) => found.get(`${key.pk}|${key.sk}`);
    const delivery = item(wanted.delivery);
    const refEpisodeId = item(wanted.ref)?.episodeId as string | undefined;
    const entries = identifiers.flatMap((pseudonym) => {
      const entry = item(identifierKey(pseudonym));
      return entry ? [[pseudonym, registryEntryOf(entry)] as const] : [];
    });
    return {
      ...(identifiers.length > 0 ? { identifiers: Object.fromEntries(entries) } : {}),
      ...(delivery
        ? {
            delivery: {
              sourceId: delivery.sourceId as string,
              eventId: delivery.eventId as string,
              episodeId: delivery.episodeId as string,
              status: delivery.status as AcceptedDelivery['status'],
            },
          }
        : {}),
      ...(refEpisodeId ? { refEpisodeId } : {}),
    };
  }

  /** Consistent reads of a few items in one request (again for any the server left unprocessed), by "pk|sk". */
  private async batchGet(keys: TableKey[]): Promise<Map<string, Item>> {
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

  async getChild(childId: string): Promise<ChildRecord> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': childPartition(childId) },
      ConsistentRead: true,
    });
    const openEpisodeId = items.find((item) => item.sk === openEpisodeKey(childId).sk)?.episodeId as
      | string
      | undefined;
    const identity = items.find((item) => item.sk === childIdentityKey(childId).sk);
    return {
      ...(openEpisodeId ? { openEpisodeId } : {}),
      ...(identity ? { identity: childIdentityOf(identity) } : {}),
      episodes: items
        .filter((item) => (item.sk as string).startsWith('EPISODE#'))
        .map((item) => ({
          episodeId: item.episodeId as string,
          kind: item.kind as EpisodeState['kind'],
          status: item.status as EpisodeState['status'],
          reportedAt: item.reportedAt as string,
        })),
    };
  }

  async commit(change: EpisodeCommit): Promise<'committed' | 'duplicate' | 'conflict'> {
    const { delivery, episodeId, childId, state } = change;
    const TableName = this.tableName;
    const expiresAt = ttlSeconds(change.retentionExpiresAt);
    const isNew = change.expectedVersion === 0;
    const pointer = await this.openPointerWrites(change, isNew, expiresAt);

    const episodeUpdate: TransactItem = {
      Update: {
        TableName,
        Key: episodeKey(episodeId),
        UpdateExpression: `SET #state = :state, #version = :next, childId = :childId, #ttl = :ttl, otherEpisodes = :others${
          pointer.holds === undefined ? '' : ', holdsOpenPointer = :holds'
        }${
          change.previousEpisodeId ? ', previousEpisodeId = if_not_exists(previousEpisodeId, :previous)' : ''
        } ADD episodeRefs :refs`,
        ConditionExpression: isNew ? 'attribute_not_exists(pk)' : '#version = :expected',
        ExpressionAttributeNames: { '#state': 'state', '#version': 'version', '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':state': state,
          ':next': change.expectedVersion + 1,
          ':childId': childId,
          ':ttl': expiresAt,
          ':others': change.otherEpisodes,
          ':refs': new Set([change.episodeRef]),
          ...(pointer.holds === undefined ? {} : { ':holds': pointer.holds }),
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
      ...pointer.writes,
      ...registryTransactItems(TableName, change, expiresAt),
      ...change.outbox.map(
        (item): TransactItem => ({
          Put: { TableName, Item: outboxTableItem(delivery.sourceId, delivery.event.id, item, expiresAt) },
        }),
      ),
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
      if (!reasons && (await this.get(deliveryKey(delivery.sourceId, delivery.event.id)))) return 'duplicate';
      return 'conflict';
    }
  }

  /**
   * The child's OPEN pointer, and whether the episode holds it after the commit (undefined: unchanged). A new
   * episode takes it only when it is free or held by the episode it follows (one open episode per child), and
   * marks that one as no longer holding it; an episode that closes frees it only if it still holds it, which
   * its own item says (a pointer taken from under it fails the condition, and the retry reads it again).
   */
  private async openPointerWrites(
    change: EpisodeCommit,
    isNew: boolean,
    expiresAt: number,
  ): Promise<{ writes: TransactItem[]; holds?: boolean }> {
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
      if (!open) return { writes: [{ ConditionCheck: { TableName, Key, ...condition } }], holds: false };
      const takeOver: TransactItem[] = change.previousEpisodeId
        ? [
            {
              Update: {
                TableName,
                Key: episodeKey(change.previousEpisodeId),
                UpdateExpression: 'SET holdsOpenPointer = :false',
                // The episode outlives its pointer (its TTL is re-stamped on every commit), so it is there.
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':false': false },
              },
            },
          ]
        : [];
      return {
        writes: [
          {
            Put: {
              TableName,
              Item: { ...Key, episodeId: change.episodeId, [TTL_ATTRIBUTE]: expiresAt },
              ...condition,
            },
          },
          ...takeOver,
        ],
        holds: true,
      };
    }
    if (open) return { writes: [] };
    // Stored before episodes said whether they hold the pointer: read it, as this store once always did.
    const holds = change.heldOpenPointer ?? (await this.get(Key))?.episodeId === change.episodeId;
    if (!holds) return { writes: [], holds: false };
    return {
      writes: [
        {
          Delete: {
            TableName,
            Key,
            ConditionExpression: 'episodeId = :episodeId',
            ExpressionAttributeValues: { ':episodeId': change.episodeId },
          },
        },
      ],
      holds: false,
    };
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
