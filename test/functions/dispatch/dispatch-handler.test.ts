import { Logger } from '@aws-lambda-powertools/logger';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createDispatchHandler } from '../../../functions/dispatch/dispatch-handler';
import { EventBridgeDeadlineScheduler } from '../../../shared/adapters/eventbridge-deadline-scheduler';
import { SqsDeadlineQueue } from '../../../shared/adapters/sqs-deadline-queue';
import { SqsRoutingQueue } from '../../../shared/adapters/sqs-routing-queue';
import { deadlineNotices, noticeChanges } from '../../../shared/deadlines/deadline-notices';
import { outboxItems } from '../../../shared/dispatch/outbox-item';
import { foldEpisode } from '../../../shared/episode/fold-episode';
import { RoutingMessageSchema } from '../../../shared/notify/notify-messages';
import type { OutboxItem, RecordReview } from '../../../shared/ports';
import { towerHamlets } from '../../support/councils';
import { fullEpisode } from '../../support/events';
import { outboxRecord, settableClock } from '../../support/notify-fakes';

const sqs = mockClient(SQSClient);
const scheduler = mockClient(SchedulerClient);

const QUEUE_URL = 'https://sqs.eu-west-2.amazonaws.com/123456789012/routing';
const DEADLINE_QUEUE_URL = 'https://sqs.eu-west-2.amazonaws.com/123456789012/deadlines';
const target = {
  groupName: 'tower-hamlets',
  targetArn: 'arn:aws:lambda:eu-west-2:123456789012:function:reminder',
  roleArn: 'arn:aws:iam::123456789012:role/scheduler',
  deadLetterArn: 'arn:aws:sqs:eu-west-2:123456789012:scheduler-dlq',
};

const episodeId = 'ep-dispatch-1';
const [report, , found, interview] = fullEpisode('MPS-1');
if (!report || !found || !interview) throw new Error('a full episode');
const foundState = foldEpisode([report, found], { council: towerHamlets });
if (!foundState) throw new Error('a state');
const routing = (eventId: string): OutboxItem => ({
  kind: 'routing',
  committedAt: '2026-10-24T09:35:00.000Z',
  message: { episodeId, eventId, sourceId: 'met-police' },
});
/** The return's deadlines item: the five notices of its two deadlines. */
const returnDeadlines = outboxItems(
  { episodeId, eventId: found.id, sourceId: 'met-police' },
  { create: deadlineNotices(foundState, towerHamlets), cancel: [] },
  '2026-10-24T09:35:00.000Z',
)[1] as OutboxItem;

let clock: ReturnType<typeof settableClock>;
let handle: ReturnType<typeof createDispatchHandler>;
let logger: Logger;

const queuedBodies = (queueUrl = QUEUE_URL) =>
  sqs
    .commandCalls(SendMessageBatchCommand)
    .filter((call) => call.args[0].input.QueueUrl === queueUrl)
    .flatMap((call) => call.args[0].input.Entries?.map((e) => e.MessageBody));
const createdSchedules = () =>
  scheduler.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input);
const sequenceOf = (record: DynamoDBRecord) => record.dynamodb?.SequenceNumber;

beforeEach(async () => {
  sqs.reset();
  scheduler.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
  scheduler.on(DeleteScheduleCommand).resolves({});
  clock = settableClock('2026-10-24T09:40:00Z');
  logger = new Logger({ serviceName: 'dispatch-test', logLevel: 'SILENT' });
  const client = new SQSClient({ region: 'eu-west-2' });
  handle = createDispatchHandler({
    clock,
    logger,
    queue: new SqsRoutingQueue(client, QUEUE_URL),
    deadlineQueue: new SqsDeadlineQueue(client, DEADLINE_QUEUE_URL),
    scheduler: new EventBridgeDeadlineScheduler(new SchedulerClient({ region: 'eu-west-2' }), target),
  });
});

describe('the dispatch function', () => {
  it('queues each routing item as a message of ids only', async () => {
    const answer = await handle({
      Records: [outboxRecord(routing(report.id)), outboxRecord(routing(found.id))],
    });
    expect(answer.batchItemFailures).toEqual([]);
    expect(queuedBodies()).toEqual([
      JSON.stringify({ episodeId, eventId: report.id, sourceId: 'met-police' }),
      JSON.stringify({ episodeId, eventId: found.id, sourceId: 'met-police' }),
    ]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.QueueUrl).toBe(QUEUE_URL);
  });

  it("queues a report's review for the managers with its message, as notify reads it", async () => {
    const review: RecordReview = {
      reason: 'two-children',
      decidedBy: 'nhs',
      conflicting: ['person'],
      other: { episodeId: 'ep-other', episodeRef: 'MPS-OTHER' },
      key: 'child-a:child-b',
    };
    const item = routing(report.id);
    if (item.kind !== 'routing') throw new Error('a routing item');
    const answer = await handle({
      Records: [outboxRecord({ ...item, message: { ...item.message, review } })],
    });
    expect(answer.batchItemFailures).toEqual([]);
    const [body, ...more] = queuedBodies();
    expect(more).toEqual([]);
    expect(RoutingMessageSchema.parse(JSON.parse(body ?? ''))).toEqual({
      episodeId,
      eventId: report.id,
      sourceId: 'met-police',
      review,
    });
  });

  it('schedules each notice once, by a deterministic name, to fire the reminder with ids only', async () => {
    expect((await handle({ Records: [outboxRecord(returnDeadlines)] })).batchItemFailures).toEqual([]);
    const schedules = createdSchedules();
    // Prevention Interview: a reminder and an escalation; RHI: two reminders and an escalation.
    expect(schedules).toHaveLength(5);
    for (const schedule of schedules) {
      expect(schedule.Name).toMatch(new RegExp(`^${episodeId}-(pi|rhi)-(r\\d+|esc)-[0-9a-z]+$`));
      expect(schedule.Name?.length).toBeLessThanOrEqual(64);
      expect(schedule).toMatchObject({
        GroupName: 'tower-hamlets',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: target.targetArn,
          RoleArn: target.roleArn,
          DeadLetterConfig: { Arn: target.deadLetterArn },
          RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: expect.any(Number) }),
        },
      });
      expect(Object.keys(JSON.parse(schedule.Target?.Input ?? '{}')).sort()).toEqual([
        'episodeId',
        'noticeKey',
      ]);
    }
    expect(schedules.map((s) => s.ScheduleExpression)).toContain('at(2026-10-27T08:30:00)');
    expect(queuedBodies()).toEqual([]);
  });

  it('puts a notice already due on the deadline queue at once, ids only as a schedule would, and schedules only the rest', async () => {
    clock.set('2026-10-26T10:30:00Z');
    expect((await handle({ Records: [outboxRecord(returnDeadlines)] })).batchItemFailures).toEqual([]);
    // The 24-hours-before reminders of both interviews fell due at 08:30 on 26 October.
    expect(createdSchedules()).toHaveLength(3);
    const due = queuedBodies(DEADLINE_QUEUE_URL).map((body) => JSON.parse(body ?? '{}'));
    expect(due.map((invocation) => Object.keys(invocation).sort())).toEqual([
      ['episodeId', 'noticeKey'],
      ['episodeId', 'noticeKey'],
    ]);
    expect(due.map((invocation) => invocation.noticeKey.split('-').slice(0, 2).join('-')).sort()).toEqual([
      'pi-r24',
      'rhi-r24',
    ]);
    // What a schedule of the same notice would have put there.
    const scheduledInputs = createdSchedules().map((s) => JSON.parse(s.Target?.Input ?? '{}').noticeKey);
    expect(scheduledInputs.filter((key) => due.some((d) => d.noticeKey === key))).toEqual([]);
    expect(queuedBodies()).toEqual([]);
  });

  it('a deadline queue that fails fails the deadlines item, and its retry queues the due notices again', async () => {
    clock.set('2026-10-26T10:30:00Z');
    sqs
      .on(SendMessageBatchCommand, { QueueUrl: DEADLINE_QUEUE_URL })
      .rejectsOnce(new Error('SQS unavailable'))
      .resolves({ Successful: [], Failed: [] });
    const deadlines = outboxRecord(returnDeadlines);
    const first = await handle({ Records: [outboxRecord(routing(found.id)), deadlines] });
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: sequenceOf(deadlines) }]);
    expect((await handle({ Records: [deadlines] })).batchItemFailures).toEqual([]);
    expect(queuedBodies(DEADLINE_QUEUE_URL)).toHaveLength(4);
    expect(queuedBodies()).toHaveLength(1);
  });

  it('cancels the schedules of a deadline met, treating one already gone as cancelled', async () => {
    const afterInterview = foldEpisode([report, found, interview], { council: towerHamlets });
    if (!afterInterview) throw new Error('a state');
    const cancelling = outboxItems(
      { episodeId, eventId: interview.id, sourceId: 'met-police' },
      noticeChanges(foundState, afterInterview, towerHamlets),
      '2026-10-24T14:05:00.000Z',
    )[1] as OutboxItem;
    scheduler
      .on(DeleteScheduleCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }));
    expect((await handle({ Records: [outboxRecord(cancelling)] })).batchItemFailures).toEqual([]);
    const deleted = scheduler.commandCalls(DeleteScheduleCommand).map((call) => call.args[0].input.Name);
    expect(deleted).toHaveLength(2);
    expect(deleted.every((name) => name?.startsWith(`${episodeId}-pi-`))).toBe(true);
  });

  it('reports only the record SQS failed, so the stream gives that one again', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .rejectsOnce(new Error('SQS unavailable'))
      .resolves({ Successful: [], Failed: [] });
    const warn = vi.spyOn(logger, 'warn');
    const failing = outboxRecord(routing(report.id));
    const answer = await handle({ Records: [failing, outboxRecord(routing(found.id))] });
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: sequenceOf(failing) }]);
    expect(queuedBodies()).toHaveLength(2);
    // What an operator needs to redrive it: which item, ids only.
    expect(warn).toHaveBeenCalledWith('outbox item not dispatched, the stream gives it again', {
      sequenceNumber: sequenceOf(failing),
      kind: 'routing',
      episodeId,
      eventId: report.id,
      sourceId: 'met-police',
      error: 'Error',
    });
  });

  it('a throttled Scheduler fails the deadlines item alone; its retry makes every schedule and queues nothing', async () => {
    // A fake Scheduler: the second create is throttled; a name made before answers ConflictException.
    const made = new Set<string>();
    let creates = 0;
    scheduler.on(CreateScheduleCommand).callsFake((input: { Name: string }) => {
      creates++;
      if (creates === 2) throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
      if (made.has(input.Name)) throw Object.assign(new Error('exists'), { name: 'ConflictException' });
      made.add(input.Name);
      return { ScheduleArn: `arn:${input.Name}` };
    });
    const deadlines = outboxRecord(returnDeadlines);
    const first = await handle({ Records: [outboxRecord(routing(found.id)), deadlines] });
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: sequenceOf(deadlines) }]);
    expect(made.size).toBe(4);
    expect((await handle({ Records: [deadlines] })).batchItemFailures).toEqual([]);
    expect(made.size).toBe(5);
    expect(queuedBodies()).toHaveLength(1);
  });

  it('drops a malformed item rather than retrying it for ever', async () => {
    const record = outboxRecord(routing(report.id));
    const image = record.dynamodb?.NewImage as Record<string, unknown>;
    image.item = { M: { kind: { S: 'routing' }, message: { M: { episodeId: { S: 'ep' } } } } };
    expect((await handle({ Records: [record] })).batchItemFailures).toEqual([]);
    expect(queuedBodies()).toEqual([]);
  });
});
