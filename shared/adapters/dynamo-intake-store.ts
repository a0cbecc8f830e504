import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { type DeadlineNotice, noticeKey } from '../deadlines/deadline-notices';
import type { EpisodeState } from '../episode/episode-state';
import type {
  AcceptedDelivery,
  ChildRecord,
  DeliveryKeys,
  DeliveryLookup,
  EpisodeCommit,
  IntakeStore,
  NoticeStore,
} from '../ports';
import { childIdentityOf, registryEntryOf, registryTransactItems } from './dynamo-child-registry';
import { errorName } from './dynamo-episode-store';
import { DynamoNoticeStore, REMOVE_FROM_PENDING_LIST } from './dynamo-notice-store';
import { outboxTableItem } from './dynamo-outbox';
import {
  childEpisodeKey,
  childIdentityKey,
  childPartition,
  deliveryKey,
  episodeKey,
  eventKey,
  identifierKey,
  isOpenEpisodeStatus,
  noticeItemKey,
  openEpisodeKey,
  pendingNoticeKeys,
  refKey,
  type TableKey,
  TTL_ATTRIBUTE,
  ttlSeconds,
} from './episode-table';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const noticeFields = (episodeId: string, notice: DeadlineNotice) => ({
  episodeId,
  noticeKey: noticeKey(notice),
  deadlineKind: notice.deadlineKind,
  notice: notice.notice,
  hoursBefore: notice.hoursBefore,
  fireAt: notice.fireAt,
  dueAt: notice.dueAt,
});

/**
 * The IntakeStore port on the single table: intake's commit path (the delivery and ref lookup, the child's
 * read, the one transaction per accepted event). Only intake, the action pages and the local runtime import
 * it. It extends the notice store, so the whole table is one store where that is wanted (the local runtime,
 * the store's contract tests); the mail functions' bundles keep to the stores it extends.
 */
export class DynamoIntakeStore extends DynamoNoticeStore implements IntakeStore, NoticeStore {
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
            UpdateExpression: `SET ${defined.map((_, i) => `#f${i} = :f${i}`).join(', ')} ${REMOVE_FROM_PENDING_LIST}`,
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
}
