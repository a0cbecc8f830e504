import type {
  CreateTableCommandInput,
  StreamSpecification,
  UpdateTimeToLiveCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { OutboxItem } from '../ports';

/**
 * The episode table: one DynamoDB table per council, every item keyed by the functions below and nowhere
 * else. The CDK stack imports these constants so the deployed table matches the local one exactly.
 *
 * Items (pk | sk -> what it holds):
 *   EPISODE#<episodeId> | EPISODE                  the episode: childId, episodeRefs, previousEpisodeId, state, version,
 *                                                   otherEpisodes (what its repeat count was folded from) and
 *                                                   holdsOpenPointer (whether CHILD#/OPEN names it)
 *   EPISODE#<episodeId> | EVENT#<sourceId>#<eventId> the audit trail: each accepted event as it came, with source and time
 *   EPISODE#<episodeId> | NOTICE#<noticeKey>        a deadline notice (pending | sent | cancelled); pending ones carry
 *                                                   the sparse pending-notice index keys (from the end of its lease,
 *                                                   leaseUntil, while a holder fires it); an `emailed:<inbox>`
 *                                                   attribute records each email of it sent (or refused)
 *   REF#<episodeRef>    | REF                       which episode an episodeRef names
 *   CHILD#<childId>     | OPEN                      the child's one open episode (missing, absent or found)
 *   CHILD#<childId>     | EPISODE#<episodeId>       one of the child's episodes: kind, status, reportedAt
 *   CHILD#<childId>     | IDENTITY                  the child in the registry: string sets of the pseudonyms of every
 *                                                   identifier recorded for them, by kind (nhs, upn, local, person),
 *                                                   and of their date of birth (born)
 *   ID#<pseudonym>      | ID                        a registry entry: the child one identifier names (childId), and the
 *                                                   episode and ref it was last reported on; the pseudonym is an
 *                                                   HMAC-SHA-256, under the deployment's key, of the normalised value
 *   DELIVERY#<sourceId>#<eventId> | DELIVERY        what a delivery resulted in (episode, status)
 *   OUTBOX#<sourceId>#<eventId>   | ROUTING         the outbox: the routing message the event calls for (ids only)
 *   OUTBOX#<sourceId>#<eventId>   | DEADLINES       the outbox: the schedules it makes and cancels (notice keys, times)
 *   SEND#<sendKey>      | SEND                      an email about an event (or a monthly report) sent or rejected:
 *                                                   nothing is sent twice
 *
 * Access patterns:
 *   what intake knows of a delivery          BatchGetItem DELIVERY#source#id + REF#ref + a report's ID#s (consistent):
 *                                            one request, which also finds the report's child in the registry
 *   an episode with its events               Query pk = EPISODE#id (consistent)
 *   the child's open episode and history     Query pk = CHILD#id (consistent): OPEN, IDENTITY and every EPISODE# item
 *   a child stored before the registry       the same Query on CHILD#<the old plain-hash id> (a report no ID# names)
 *   idempotency on (source, event id)        the BatchGetItem above; commit puts DELIVERY attribute_not_exists
 *   the outbox, after the commit             the table's stream (NEW_IMAGE), filtered to inserts of OUTBOX# items
 *   pending notices by fire time (sweep)     Query index PENDING_NOTICE_INDEX, pendingNotice = PENDING, fireAtKey <= until
 *   one notice (reminder)                    Query pk = EPISODE#id (the notice with its episode); claim: lease it while
 *                                            pending and unleased (or the lease run out), moving its index key to the
 *                                            lease's end, answering with the inboxes recorded as emailed (its old image)
 *   a notice's emails recorded               UpdateItem EPISODE#id / NOTICE#key, emailed:<inbox> if not there yet; the
 *                                            last of them also pending -> sent, index keys and lease removed
 *   has this email been sent (events)        BatchGetItem SEND#key, ...
 *
 * Writes that could race are one TransactWriteItems per accepted event, the only write of a request: the episode
 * put is conditioned on its version, the delivery on its absence, the ref on naming no other episode, and the
 * child's OPEN pointer on being absent or the episode the writer read, each ID# entry a report writes on naming no
 * other child (so two racing first reports of one child make one child); the outbox items go in the same transaction,
 * so what follows from an event is stored exactly when the event is. Retention: every item a commit writes carries
 * the TTL attribute, set to the commit's time plus the council's retention days (the episode item is re-stamped on
 * every commit, so an episode's first items may expire up to the episode's length before it). Send records carry
 * the retention of the episode they belong to.
 */

/** The statuses in which an episode is the child's open one (it holds the CHILD#/OPEN pointer). */
export const isOpenEpisodeStatus = (status: string): boolean =>
  status === 'missing' || status === 'absent' || status === 'found';

export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Pending notices only (the keys are removed when a notice is sent or cancelled): the sweep's work list. */
export const PENDING_NOTICE_INDEX = {
  indexName: 'pending-notices-by-fire-time',
  partitionKey: 'pendingNotice',
  sortKey: 'fireAtKey',
} as const;

/** The one value of the pending-notice index's partition key: a council's notices are few enough for one. */
export const PENDING = 'PENDING';

/** Epoch seconds after which DynamoDB may delete the item (the council's retention period). */
export const TTL_ATTRIBUTE = 'expiresAt';

export interface TableKey {
  pk: string;
  sk: string;
}

export const episodeKey = (episodeId: string): TableKey => ({ pk: `EPISODE#${episodeId}`, sk: 'EPISODE' });
export const episodePartition = (episodeId: string): string => `EPISODE#${episodeId}`;
export const eventKey = (episodeId: string, sourceId: string, eventId: string): TableKey => ({
  pk: episodePartition(episodeId),
  sk: `EVENT#${sourceId}#${eventId}`,
});
export const noticeItemKey = (episodeId: string, noticeKey: string): TableKey => ({
  pk: episodePartition(episodeId),
  sk: `NOTICE#${noticeKey}`,
});
export const refKey = (episodeRef: string): TableKey => ({ pk: `REF#${episodeRef}`, sk: 'REF' });
export const childPartition = (childId: string): string => `CHILD#${childId}`;
export const openEpisodeKey = (childId: string): TableKey => ({ pk: childPartition(childId), sk: 'OPEN' });
export const childEpisodeKey = (childId: string, episodeId: string): TableKey => ({
  pk: childPartition(childId),
  sk: `EPISODE#${episodeId}`,
});
export const childIdentityKey = (childId: string): TableKey => ({
  pk: childPartition(childId),
  sk: 'IDENTITY',
});
export const identifierKey = (pseudonym: string): TableKey => ({ pk: `ID#${pseudonym}`, sk: 'ID' });
export const deliveryKey = (sourceId: string, eventId: string): TableKey => ({
  pk: `DELIVERY#${sourceId}#${eventId}`,
  sk: 'DELIVERY',
});
export const sendKeyOf = (sendKey: string): TableKey => ({ pk: `SEND#${sendKey}`, sk: 'SEND' });

/** When a pending notice's lease runs out: set while a holder fires it (see NoticeStore.claimNotice). */
export const NOTICE_LEASE_ATTRIBUTE = 'leaseUntil';

/** The attributes of a notice item that record its emails, one per inbox. */
export const NOTICE_EMAILED_PREFIX = 'emailed:';
export const noticeEmailedAttribute = (address: string): string =>
  `${NOTICE_EMAILED_PREFIX}${address.toLowerCase()}`;

const OUTBOX_PARTITION_PREFIX = 'OUTBOX#';
/** A sort key for each kind of outbox item (the routing message, the deadline schedules): one per kind. */
const outboxSortKeys: Record<OutboxItem['kind'], string> = { routing: 'ROUTING', deadlines: 'DEADLINES' };
export const outboxKey = (sourceId: string, eventId: string, kind: OutboxItem['kind']): TableKey => ({
  pk: `${OUTBOX_PARTITION_PREFIX}${sourceId}#${eventId}`,
  sk: outboxSortKeys[kind],
});

/**
 * The stream records the dispatcher is given: outbox items as they are inserted (never updated or removed).
 * A Lambda event filter pattern; the local runtime applies the same pattern to DynamoDB Local's stream.
 */
export const OUTBOX_INSERT_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { Keys: { [TABLE_KEYS.partitionKey]: { S: [{ prefix: OUTBOX_PARTITION_PREFIX }] } } },
} as const;

/** The table's stream: new images only, as the dispatcher reads what a commit inserted. */
export const STREAM_SPECIFICATION = {
  StreamEnabled: true,
  StreamViewType: 'NEW_IMAGE',
} as const satisfies StreamSpecification;

/** Sorts by fire time (UTC ISO-8601 sorts as text), then names the notice so keys never collide. */
export const pendingNoticeKeys = (fireAt: string, episodeId: string, noticeKey: string) => ({
  [PENDING_NOTICE_INDEX.partitionKey]: PENDING,
  [PENDING_NOTICE_INDEX.sortKey]: `${new Date(fireAt).toISOString()}#${episodeId}#${noticeKey}`,
});

/** Every pending notice firing at or before `until` sorts before this. */
export const pendingNoticeUpperBound = (until: string): string => `${new Date(until).toISOString()}#\uffff`;

export const ttlSeconds = (retentionExpiresAt: string): number =>
  Math.floor(Date.parse(retentionExpiresAt) / 1000);

/** The table as DynamoDB Local and the integration tests create it; the CDK stack declares the same. */
export const createTableInput = (tableName: string): CreateTableCommandInput => ({
  TableName: tableName,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
    { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
    { AttributeName: PENDING_NOTICE_INDEX.partitionKey, AttributeType: 'S' },
    { AttributeName: PENDING_NOTICE_INDEX.sortKey, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
    { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: PENDING_NOTICE_INDEX.indexName,
      KeySchema: [
        { AttributeName: PENDING_NOTICE_INDEX.partitionKey, KeyType: 'HASH' },
        { AttributeName: PENDING_NOTICE_INDEX.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  StreamSpecification: STREAM_SPECIFICATION,
});

/** CreateTable cannot turn on TTL; this call after it does (DynamoDB Local honours it too). */
export const timeToLiveInput = (tableName: string): UpdateTimeToLiveCommandInput => ({
  TableName: tableName,
  TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
});
