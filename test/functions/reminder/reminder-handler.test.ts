import { Logger } from '@aws-lambda-powertools/logger';
import { SESClient, SESServiceException, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { createReminderHandler } from '../../../functions/reminder/reminder-handler';
import { SesMailer } from '../../../shared/adapters/ses-mailer';
import { deadlineNotices, noticeKey } from '../../../shared/deadlines/deadline-notices';
import { NOTICE_LEASE_MS } from '../../../shared/notify/fire-notice';
import { bathNes as council } from '../../support/councils';
import { fullEpisode } from '../../support/events';
import { MemoryEpisodeStore } from '../../support/memory-episode-store';
import { commitEvents, deadlineQueueEvent, settableClock } from '../../support/notify-fakes';

const ses = mockClient(SESClient);
const episodeId = 'ep-reminder';
const events = fullEpisode('ASP-2026-0400');

let store: MemoryEpisodeStore;
let clock: ReturnType<typeof settableClock>;
let logger: Logger;
let handler: ReturnType<typeof createReminderHandler>;
const sentTo = () =>
  ses.commandCalls(SendEmailCommand).flatMap((c) => c.args[0].input.Destination?.ToAddresses);

const rhiEscalation = async () => {
  const state = (await store.getEpisode(episodeId))?.state;
  const notice =
    state &&
    deadlineNotices(state, council).find(
      (n) => n.deadlineKind === 'return_home_interview' && n.notice === 'escalation',
    );
  if (!notice) throw new Error('no RHI escalation');
  return { payload: { episodeId, noticeKey: noticeKey(notice) }, fireAt: notice.fireAt };
};

const requeued: { body: string; delaySeconds: number; throttledRetries: number }[] = [];

const throttled = () =>
  new SESServiceException({
    name: 'Throttling',
    $fault: 'client',
    message: 'Maximum sending rate exceeded.',
    $metadata: {},
  });

beforeEach(async () => {
  ses.reset();
  requeued.length = 0;
  store = new MemoryEpisodeStore();
  await commitEvents(store, council, episodeId, events.slice(0, 4), 'avon-somerset-police');
  clock = settableClock('2026-10-24T09:00:00Z');
  logger = new Logger({ serviceName: 'reminder-test', logLevel: 'SILENT' });
  handler = createReminderHandler({
    store,
    mailer: new SesMailer(new SESClient({ region: 'eu-west-2', maxAttempts: 1 }), {
      from: 'from@example.org',
    }),
    clock,
    council,
    logger,
    requeue: { later: async (body, options) => void requeued.push({ body, ...options }) },
  });
});

const fire = (payload: unknown, messageId = 'd1') => handler(deadlineQueueEvent(payload, messageId));

describe('the reminder function, consuming the deadline queue', () => {
  test('the overdue escalation fires at 72 hours to the Youth Offending Service, managers and social care', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-id' });
    const { payload, fireAt } = await rhiEscalation();
    clock.set(fireAt);
    expect(await fire(payload)).toEqual({ batchItemFailures: [] });
    expect(sentTo()).toEqual([
      'youth-offending-service@bathnes.invalid',
      'missing-managers@bathnes.invalid',
      'childrens-social-care@bathnes.invalid',
    ]);
    const subject = ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Message?.Subject?.Data;
    expect(subject).toBe(
      '[B&NES] OVERDUE: Return Home Interview was due Tue 27 Oct 2026, 08:30 GMT (ref ASP-2026-0400)',
    );
  });

  test('delivered twice by the queue, it sends once', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-id' });
    const { payload, fireAt } = await rhiEscalation();
    clock.set(fireAt);
    await fire(payload);
    expect(await fire(payload)).toEqual({ batchItemFailures: [] });
    expect(sentTo()).toHaveLength(3);
  });

  test('a message for a notice another reminder holds the lease on is deleted, sending nothing: that reminder or, once the lease runs out, the sweep sends it', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-id' });
    const { payload, fireAt } = await rhiEscalation();
    clock.set(fireAt);
    const leaseUntil = new Date(Date.parse(fireAt) + NOTICE_LEASE_MS).toISOString();
    await store.claimNotice(episodeId, payload.noticeKey, fireAt, leaseUntil);
    const info = vi.spyOn(logger, 'info');
    expect(await fire(payload)).toEqual({ batchItemFailures: [] });
    expect(sentTo()).toEqual([]);
    expect(info).toHaveBeenCalledWith(
      'deadline notice fired',
      expect.objectContaining({ outcome: 'in_progress' }),
    );
    expect(requeued).toEqual([]);
    expect((await store.getNotice(episodeId, payload.noticeKey))?.state).toBe('pending');
  });

  test('throttling sends the message back for later as a new one, with a growing delay, and never fails it', async () => {
    ses.on(SendEmailCommand).rejectsOnce(throttled()).resolves({ MessageId: 'ses-id' });
    const { payload, fireAt } = await rhiEscalation();
    clock.set(fireAt);
    expect(await fire(payload)).toEqual({ batchItemFailures: [] });
    expect(requeued).toEqual([{ body: JSON.stringify(payload), delaySeconds: 30, throttledRetries: 1 }]);
    expect(sentTo()).toEqual([
      'youth-offending-service@bathnes.invalid',
      'missing-managers@bathnes.invalid',
      'childrens-social-care@bathnes.invalid',
    ]);
    expect((await store.getNotice(episodeId, payload.noticeKey))?.state).toBe('pending');

    ses.reset();
    ses.on(SendEmailCommand).rejects(throttled());
    const again = deadlineQueueEvent(payload, 'd2');
    again.Records[0]!.messageAttributes = { throttledRetries: { stringValue: '1', dataType: 'Number' } };
    expect(await handler(again)).toEqual({ batchItemFailures: [] });
    expect(requeued[1]).toMatchObject({ delaySeconds: 60, throttledRetries: 2 });

    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-id' });
    expect(await fire(payload, 'd3')).toEqual({ batchItemFailures: [] });
    // The first try sent the other two after the throttled one; the last one sends only what was missed.
    expect(sentTo()).toEqual(['youth-offending-service@bathnes.invalid']);
  });

  test('blocked sending fails the record, so the queue retries it and then dead-letters it; the notice stays pending', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(
        new SESServiceException({ name: 'AccountSendingPausedException', $fault: 'client', $metadata: {} }),
      );
    const { payload, fireAt } = await rhiEscalation();
    clock.set(fireAt);
    const answer = await handler({
      Records: [
        ...deadlineQueueEvent(payload, 'd1').Records,
        ...deadlineQueueEvent({ episodeId, noticeKey: 'Not A Key!' }, 'd2').Records,
      ],
    });
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'd1' }] });
    expect(requeued).toEqual([]);
    expect((await store.getNotice(episodeId, payload.noticeKey))?.state).toBe('pending');
  });

  test('a reminder for an RHI already completed sends nothing', async () => {
    const { payload, fireAt } = await rhiEscalation();
    await commitEvents(store, council, episodeId, events.slice(4), 'youth-offending-service');
    clock.set(fireAt);
    expect(await fire(payload)).toEqual({ batchItemFailures: [] });
    expect(sentTo()).toHaveLength(0);
  });

  test('a malformed payload is logged and dropped, never retried', async () => {
    const error = vi.spyOn(logger, 'error');
    expect(await fire({ episodeId, noticeKey: 'Not A Key!' })).toEqual({ batchItemFailures: [] });
    expect(error).toHaveBeenCalledWith('malformed reminder invocation dropped', {
      messageId: 'd1',
      fields: 'noticeKey',
    });
  });
});
