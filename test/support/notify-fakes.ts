import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, SQSEvent, SQSRecord } from 'aws-lambda';
import { outboxTableItem } from '../../shared/adapters/dynamo-outbox';
import type { CouncilConfig } from '../../shared/council/council-schema';
import { noticeChanges } from '../../shared/deadlines/deadline-notices';
import { foldEpisode } from '../../shared/episode/fold-episode';
import type { PipelineEvent } from '../../shared/events/event-schemas';
import type { NotifyLog } from '../../shared/notify/send-once';
import type { Clock, IntakeStore, Mailer, MailResult, OutboxItem, OutgoingEmail } from '../../shared/ports';
import { addDays } from '../../shared/time/instant';

/** A mailer that keeps what it sent; `failNext` makes the next sends answer as SES would on failure. */
export class FakeMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  private readonly failures: Extract<MailResult, { ok: false }>[] = [];

  failNext(...results: Extract<MailResult, { ok: false }>[]): void {
    this.failures.push(...results);
  }

  async send(email: OutgoingEmail): Promise<MailResult> {
    const failure = this.failures.shift();
    if (failure) return failure;
    this.sent.push(email);
    return { ok: true, messageId: `msg-${this.sent.length}` };
  }

  /** Who got each email, in order. */
  recipients(): string[] {
    return this.sent.flatMap((email) => email.to);
  }
}

export const settableClock = (start: string): Clock & { set(to: string): void } => {
  let current = new Date(start).toISOString();
  return {
    now: () => current,
    set: (to: string) => {
      current = new Date(to).toISOString();
    },
  };
};

export const recordingLog = (): NotifyLog & {
  entries: { level: string; message: string; attributes: object }[];
} => {
  const entries: { level: string; message: string; attributes: object }[] = [];
  return {
    entries,
    info: (message, attributes) => entries.push({ level: 'info', message, attributes }),
    warn: (message, attributes) => entries.push({ level: 'warn', message, attributes }),
    error: (message, attributes) => entries.push({ level: 'error', message, attributes }),
  };
};

/**
 * Seeds the store through its port, one event per commit as an accepted delivery would leave it, with
 * the notices each event opens and closes. For tests of what comes after intake; intake has its own.
 */
export const commitEvents = async (
  store: IntakeStore,
  council: CouncilConfig,
  episodeId: string,
  events: PipelineEvent[],
  sourceId = Object.keys(council.sources)[0] ?? 'police',
  /** Leave the notices as they were, as if an event's cancellations were lost. */
  options: { keepNotices?: boolean } = {},
): Promise<void> => {
  for (const event of events) {
    const record = await store.getEpisode(episodeId);
    const state = foldEpisode([...(record?.events.map((e) => e.event) ?? []), event], { council });
    if (!state) throw new Error(`event ${event.id} does not make an episode`);
    const outcome = await store.commit({
      delivery: { sourceId, receivedAt: event.time, event },
      episodeId,
      // One child per name and date of birth: these tests commit directly, not through the registry.
      childId:
        record?.childId ??
        `child-${state.child.familyName}-${state.child.givenName}-${state.child.dateOfBirth}`,
      episodeRef: event.data.episodeRef,
      state,
      expectedVersion: record?.version ?? 0,
      otherEpisodes: [],
      notices: options.keepNotices
        ? { create: [], cancel: [] }
        : noticeChanges(record?.state, state, council),
      // What comes after the commit is what these tests drive themselves.
      outbox: [],
      retentionExpiresAt: addDays(event.time, council.retention.days),
    });
    if (outcome !== 'committed') throw new Error(`commit of ${event.id}: ${outcome}`);
  }
};

/** An SQS record as the event source mapping hands it to the notify function. */
export const sqsRecord = (messageId: string, body: string): SQSRecord => ({
  messageId,
  receiptHandle: `${messageId}-handle`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 'intake',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-2:123456789012:routing',
  awsRegion: 'eu-west-2',
});

/** A deadline schedule's payload as the deadline queue hands it to the reminder function. */
export const deadlineQueueEvent = (payload: unknown, messageId = 'd1'): SQSEvent => ({
  Records: [
    {
      ...sqsRecord(messageId, JSON.stringify(payload)),
      eventSourceARN: 'arn:aws:sqs:eu-west-2:123456789012:deadlines',
    },
  ],
});

let sequence = 0;

/** An outbox item as the table's stream hands it to the dispatch function: an INSERT with its new image. */
export const outboxRecord = (item: OutboxItem): DynamoDBRecord => {
  const SequenceNumber = String(++sequence).padStart(21, '0');
  const [sourceId, eventId] =
    item.kind === 'routing' ? [item.message.sourceId, item.message.eventId] : ['source', SequenceNumber];
  const image = outboxTableItem(sourceId, eventId, item, 2_000_000_000);
  return {
    eventID: `event-${SequenceNumber}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-2',
    dynamodb: {
      ApproximateCreationDateTime: 1_790_000_000,
      Keys: marshall({ pk: image.pk, sk: image.sk }) as NonNullable<DynamoDBRecord['dynamodb']>['Keys'],
      NewImage: marshall(image, { removeUndefinedValues: true }) as NonNullable<
        DynamoDBRecord['dynamodb']
      >['NewImage'],
      SequenceNumber,
      SizeBytes: 100,
      StreamViewType: 'NEW_IMAGE',
    },
    eventSourceARN: 'arn:aws:dynamodb:eu-west-2:123456789012:table/episodes/stream/2026-12-01T00:00:00.000',
  };
};
