import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EpisodeRecord, NoticeClaim, NoticeRecord, NoticeStore, SendRecord } from '../ports';
import { toUtc } from '../time/instant';
import { DynamoEpisodeStore, episodeOf, errorName } from './dynamo-episode-store';
import {
  NOTICE_EMAILED_PREFIX,
  NOTICE_LEASE_ATTRIBUTE,
  noticeEmailedAttribute,
  noticeItemKey,
  PENDING,
  PENDING_NOTICE_INDEX,
  pendingNoticeKeys,
  pendingNoticeUpperBound,
} from './episode-table';

type Item = Record<string, unknown>;

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
  ...(item[NOTICE_LEASE_ATTRIBUTE] !== undefined
    ? { leaseUntil: item[NOTICE_LEASE_ATTRIBUTE] as string }
    : {}),
});

/**
 * What takes a notice off the pending list (sent or cancelled): the index keys, and with them any lease, so a
 * notice that is no longer pending is never listed and never held. Here rather than in episode-table.ts, as
 * esbuild keeps a module-level template string in every bundle that imports its module (notify, dispatch).
 */
export const REMOVE_FROM_PENDING_LIST = `REMOVE ${PENDING_NOTICE_INDEX.partitionKey}, ${PENDING_NOTICE_INDEX.sortKey}, ${NOTICE_LEASE_ATTRIBUTE}`;

/**
 * pending -> sent: off the pending list and its lease gone. Conditioned on still being pending, so a notice
 * a commit cancelled meanwhile (its deadline met) stays cancelled; a failed condition means nothing is owed.
 */
const finishing = (at: string) => ({
  set: '#state = :sent, sentAt = :sentAt',
  remove: REMOVE_FROM_PENDING_LIST,
  condition: '#state = :pending',
  names: { '#state': 'state' },
  values: { ':sent': 'sent', ':sentAt': at, ':pending': 'pending' },
});

/**
 * The NoticeStore port on the single table: the episode store and the deadline notices the reminder and the
 * sweep fire (the pending-notice index, the claim, the emails recorded on a notice). Notify and the monthly
 * report keep to DynamoEpisodeStore, so their bundles leave this out.
 */
export class DynamoNoticeStore extends DynamoEpisodeStore implements NoticeStore {
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
    // The index is eventually consistent: a notice finished a moment ago may still be listed.
    return items.map(toNoticeRecord).filter((notice) => notice.state === 'pending');
  }

  async getNotice(episodeId: string, key: string): Promise<NoticeRecord | undefined> {
    const item = await this.get(noticeItemKey(episodeId, key));
    return item && toNoticeRecord(item);
  }

  async claimNotice(episodeId: string, key: string, now: string, leaseUntil: string): Promise<NoticeClaim> {
    const index = pendingNoticeKeys(leaseUntil, episodeId, key);
    const before = await this.updateIf({
      key: noticeItemKey(episodeId, key),
      // Still pending, listed from the lease's end: found again by the sweep if this holder dies.
      update: `SET ${NOTICE_LEASE_ATTRIBUTE} = :lease, #s = :s`,
      condition: `#state = :pending AND (attribute_not_exists(${NOTICE_LEASE_ATTRIBUTE}) OR ${NOTICE_LEASE_ATTRIBUTE} <= :now)`,
      names: { '#state': 'state', '#s': PENDING_NOTICE_INDEX.sortKey },
      values: {
        ':lease': toUtc(leaseUntil),
        ':s': index[PENDING_NOTICE_INDEX.sortKey],
        ':pending': 'pending',
        ':now': toUtc(now),
      },
      returnOld: true,
    });
    if (!before) return { claimed: false };
    const emailed = Object.keys(before)
      .filter((name) => name.startsWith(NOTICE_EMAILED_PREFIX))
      .map((name) => name.slice(NOTICE_EMAILED_PREFIX.length));
    return { claimed: true, emailed };
  }

  async releaseNotice(episodeId: string, key: string, leaseUntil: string): Promise<void> {
    const notice = await this.getNotice(episodeId, key);
    if (!notice) return;
    const index = pendingNoticeKeys(notice.fireAt, episodeId, key);
    await this.updateIf({
      key: noticeItemKey(episodeId, key),
      update: `SET #p = :p, #s = :s REMOVE ${NOTICE_LEASE_ATTRIBUTE}`,
      // Only the caller's own lease: never one a later holder took.
      condition: `#state = :pending AND ${NOTICE_LEASE_ATTRIBUTE} = :lease`,
      names: {
        '#state': 'state',
        '#p': PENDING_NOTICE_INDEX.partitionKey,
        '#s': PENDING_NOTICE_INDEX.sortKey,
      },
      values: {
        ':pending': 'pending',
        ':lease': toUtc(leaseUntil),
        ':p': index[PENDING_NOTICE_INDEX.partitionKey],
        ':s': index[PENDING_NOTICE_INDEX.sortKey],
      },
    });
  }

  async finishNotice(episodeId: string, key: string, at: string): Promise<void> {
    const finish = finishing(at);
    const { condition, names, values } = finish;
    const update = `SET ${finish.set} ${finish.remove}`;
    await this.updateIf({ key: noticeItemKey(episodeId, key), update, condition, names, values });
  }

  async recordNoticeSends(
    episodeId: string,
    key: string,
    sends: SendRecord[],
    finishedAt?: string,
  ): Promise<void> {
    if (sends.length === 0) {
      if (finishedAt) await this.finishNotice(episodeId, key, finishedAt);
      return;
    }
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
    const record = { key: noticeItemKey(episodeId, key), update: `SET ${sets.join(', ')}`, names, values };
    if (finishedAt) {
      const finish = finishing(finishedAt);
      const finished = await this.updateIf({
        ...record,
        update: `${record.update}, ${finish.set} ${finish.remove}`,
        condition: finish.condition,
        names: { ...names, ...finish.names },
        values: { ...values, ...finish.values },
      });
      // Cancelled meanwhile by a commit: it stays cancelled, and its emails are still recorded below.
      if (finished) return;
    }
    // On the notice the commit wrote, never a new item; it expires with the episode's other items.
    await this.updateIf({ ...record, condition: 'attribute_exists(pk)' });
  }
}
