import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoIntakeStore } from '../../shared/adapters/dynamo-intake-store';
import { TTL_ATTRIBUTE, ttlSeconds } from '../../shared/adapters/episode-table';
import { deadlineNotices } from '../../shared/deadlines/deadline-notices';
import { outboxItems } from '../../shared/dispatch/outbox-item';
import { foldEpisode } from '../../shared/episode/fold-episode';
import type { PipelineEvent } from '../../shared/events/event-schemas';
import { towerHamlets } from '../support/councils';
import { useDynamoDbLocal } from '../support/dynamodb-local';
import { fullEpisode } from '../support/events';

const tables = useDynamoDbLocal();

describe('the episode table', () => {
  it('puts the retention TTL on every item an accepted event and its emails write, and the table expires them', async () => {
    const tableName = await tables.createTable();
    const store = new DynamoIntakeStore(tables.doc(), tableName);
    const [report, , found] = fullEpisode('MPS-1') as [PipelineEvent, PipelineEvent, PipelineEvent];
    const retentionExpiresAt = '2032-10-22T18:05:00.000Z';
    const commit = (event: PipelineEvent, events: PipelineEvent[], expectedVersion: number) => {
      const state = foldEpisode(events, { council: towerHamlets });
      if (!state) throw new Error('no report');
      const notices = { create: deadlineNotices(state, towerHamlets), cancel: [] };
      const receivedAt = '2026-10-24T10:00:00.000Z';
      return store.commit({
        delivery: { sourceId: 'met-police', receivedAt, event, rawBody: '{}' },
        episodeId: 'ep-1',
        childId: 'child-1',
        episodeRef: 'MPS-1',
        state,
        expectedVersion,
        otherEpisodes: [],
        notices,
        outbox: outboxItems(
          { sourceId: 'met-police', eventId: event.id, episodeId: 'ep-1' },
          notices,
          receivedAt,
        ),
        retentionExpiresAt,
      });
    };
    expect(await commit(report, [report], 0)).toBe('committed');
    expect(await commit(found, [report, found], 1)).toBe('committed');
    await store.recordSends([
      {
        sendKey: `met-police:${found.id}:police@example.org`,
        episodeId: 'ep-1',
        recipientRef: 'met-police',
        address: 'police@example.org',
        outcome: 'sent',
        at: '2026-10-24T10:01:00.000Z',
        retentionExpiresAt,
      },
    ]);

    const { Items = [] } = await tables.doc().send(new ScanCommand({ TableName: tableName }));
    const prefix = (key: unknown) => String(key).split('#')[0];
    const kinds = new Set(Items.map((item) => `${prefix(item.pk)}/${prefix(item.sk)}`));
    expect([...kinds].sort()).toEqual([
      'CHILD/EPISODE',
      'CHILD/OPEN',
      'DELIVERY/DELIVERY',
      'EPISODE/EPISODE',
      'EPISODE/EVENT',
      'EPISODE/NOTICE',
      'OUTBOX/DEADLINES',
      'OUTBOX/ROUTING',
      'REF/REF',
      'SEND/SEND',
    ]);
    expect(Items.every((item) => item[TTL_ATTRIBUTE] === ttlSeconds(retentionExpiresAt))).toBe(true);
    const ttl = await tables.doc().send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: TTL_ATTRIBUTE,
      TimeToLiveStatus: 'ENABLED',
    });
  });
});
