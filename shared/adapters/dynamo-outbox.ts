import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { OutboxItem } from '../ports';
import { outboxKey, TTL_ATTRIBUTE } from './episode-table';

/** An outbox item as the commit writes it to the table: its key, the item itself, the retention TTL. */
export const outboxTableItem = (sourceId: string, eventId: string, item: OutboxItem, expiresAt: number) => ({
  ...outboxKey(sourceId, eventId, item.kind),
  item,
  [TTL_ATTRIBUTE]: expiresAt,
});

/**
 * The outbox item a stream record carries, as the commit wrote it, for the dispatcher to parse at its
 * boundary; undefined when the record has no new image. The stream's filter (OUTBOX_INSERT_FILTER) hands
 * the dispatcher nothing but outbox inserts.
 */
export const outboxItemOf = (record: DynamoDBRecord): unknown => {
  const image = record.dynamodb?.NewImage;
  // aws-lambda's AttributeValue and the SDK's describe the same JSON; the SDK's type is a tagged union.
  return image ? unmarshall(image as Record<string, AttributeValue>).item : undefined;
};
