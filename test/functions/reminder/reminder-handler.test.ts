import { Logger } from '@aws-lambda-powertools/logger';
import { SESClient, SESServiceException, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { createReminderHandler } from '../../../functions/reminder/reminder-handler';
import { SesMailer } from '../../../shared/adapters/ses-mailer';
import { deadlineNotices, noticeKey } from '../../../shared/deadlines/deadline-notices';
import { bathNes as council } from '../../support/councils';
import { fullEpisode } from '../../support/events';
import { MemoryEpisodeStore } from '../../support/memory-episode-store';
import { commitEvents, settableClock } from '../../support/notify-fakes';

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

beforeEach(async () => {
  ses.reset();
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
  });
});

describe('the reminder function', () => {
  test('the overdue escalation fires at 72 hours to the Youth Offending Service, managers and social care', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-id' });
    const { payload, fireAt } = await rhiEscalation();
    clock.set(fireAt);
    expect(await handler(payload)).toEqual({ outcome: 'sent' });
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

  test('fired twice by the Scheduler, it sends once', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-id' });
    const { payload, fireAt } = await rhiEscalation();
    clock.set(fireAt);
    await handler(payload);
    expect(await handler(payload)).toEqual({ outcome: 'already_sent' });
    expect(sentTo()).toHaveLength(3);
  });

  test('throttling throws so the Scheduler retries, and the retry sends only what was missed', async () => {
    ses
      .on(SendEmailCommand)
      .rejectsOnce(new SESServiceException({ name: 'Throttling', $fault: 'client', $metadata: {} }))
      .resolves({ MessageId: 'ses-id' });
    const { payload, fireAt } = await rhiEscalation();
    clock.set(fireAt);
    await expect(handler(payload)).rejects.toThrow(/will retry/);
    expect(await handler(payload)).toEqual({ outcome: 'sent' });
    expect(sentTo()).toEqual([
      'youth-offending-service@bathnes.invalid',
      'missing-managers@bathnes.invalid',
      'childrens-social-care@bathnes.invalid',
      'youth-offending-service@bathnes.invalid',
    ]);
  });

  test('a reminder for an RHI already completed sends nothing', async () => {
    const { payload, fireAt } = await rhiEscalation();
    await commitEvents(store, council, episodeId, events.slice(4), 'youth-offending-service');
    clock.set(fireAt);
    expect(await handler(payload)).toEqual({ outcome: 'cancelled' });
    expect(sentTo()).toHaveLength(0);
  });

  test('a malformed payload is answered and logged, never retried', async () => {
    const error = vi.spyOn(logger, 'error');
    expect(await handler({ episodeId, noticeKey: 'Not A Key!' })).toEqual({ outcome: 'malformed' });
    expect(error).toHaveBeenCalledWith('malformed reminder invocation dropped', { fields: 'noticeKey' });
  });
});
