import { Logger } from '@aws-lambda-powertools/logger';
import { MessageRejected, SESClient, SESServiceException, SendEmailCommand } from '@aws-sdk/client-ses';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { createNotifyHandler, type NotifyDeps } from '../../../functions/notify/notify-handler';
import { SesMailer } from '../../../shared/adapters/ses-mailer';
import type { RoutingMessage } from '../../../shared/ports';
import { bathNes as council } from '../../support/councils';
import { fullEpisode } from '../../support/events';
import { MemoryEpisodeStore } from '../../support/memory-episode-store';
import { commitEvents, settableClock, sqsRecord } from '../../support/notify-fakes';

const ses = mockClient(SESClient);
const throttled = () =>
  new SESServiceException({
    name: 'Throttling',
    $fault: 'client',
    message: 'Maximum sending rate exceeded.',
    $metadata: { httpStatusCode: 400 },
  });

const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const message = (m: RoutingMessage) => JSON.stringify(m);

const episodeId = 'ep-notify';
const events = fullEpisode('ASP-2026-0300');
const [report, , found] = events;
if (!report || !found) throw new Error('the full episode has a report and a return');
const reportMessage = { episodeId, eventId: report.id, sourceId: 'avon-somerset-police' };
const foundMessage = { episodeId, eventId: found.id, sourceId: 'avon-somerset-police' };

let logger: Logger;
let deps: NotifyDeps;
let handler: ReturnType<typeof createNotifyHandler>;
const sentTo = () =>
  ses.commandCalls(SendEmailCommand).flatMap((c) => c.args[0].input.Destination?.ToAddresses);

beforeEach(async () => {
  ses.reset();
  const store = new MemoryEpisodeStore();
  await commitEvents(store, council, episodeId, events.slice(0, 3), 'avon-somerset-police');
  logger = new Logger({ serviceName: 'notify-test', logLevel: 'SILENT' });
  deps = {
    store,
    mailer: new SesMailer(new SESClient({ region: 'eu-west-2', maxAttempts: 1 }), {
      from: 'from@example.org',
    }),
    clock: settableClock('2026-10-24T09:00:00Z'),
    council,
    logger,
  };
  handler = createNotifyHandler(deps);
});

describe('the notify function', () => {
  test('sends the routed emails for each message and reports no failures', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-id' });
    const answer = await handler(batch(sqsRecord('m1', message(reportMessage))));
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(sentTo()).toEqual([
      'missing-persons@avon-somerset-police.invalid',
      'childrens-social-care@bathnes.invalid',
    ]);
  });

  test('a redelivered SQS message sends nothing twice', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-id' });
    await handler(batch(sqsRecord('m1', message(reportMessage))));
    await handler(batch(sqsRecord('m1', message(reportMessage))));
    expect(sentTo()).toHaveLength(2);
  });

  test('with the queue to send it back to, a throttled message comes back later as a new message, not as a failure', async () => {
    const requeued: unknown[] = [];
    const withRequeue = createNotifyHandler({
      ...deps,
      requeue: { later: async (body, options) => void requeued.push({ body, ...options }) },
    });
    ses.on(SendEmailCommand).rejectsOnce(throttled()).resolves({ MessageId: 'ses-id' });
    const answer = await withRequeue(
      batch(sqsRecord('m-found', message(foundMessage)), sqsRecord('m-report', message(reportMessage))),
    );
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(requeued).toEqual([{ body: message(foundMessage), delaySeconds: 30, throttledRetries: 1 }]);
  });

  test('a throttled message the queue cannot take back fails like any other, and comes back by visibility', async () => {
    const withRequeue = createNotifyHandler({
      ...deps,
      requeue: {
        later: async () => {
          throw new Error('SQS unavailable');
        },
      },
    });
    ses.on(SendEmailCommand).rejectsOnce(throttled()).resolves({ MessageId: 'ses-id' });
    const answer = await withRequeue(
      batch(sqsRecord('m-found', message(foundMessage)), sqsRecord('m-report', message(reportMessage))),
    );
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-found' }] });
  });

  test('without a queue to send it back to, throttling returns only the failed record, and its retry sends what was missed', async () => {
    ses.on(SendEmailCommand).rejectsOnce(throttled()).resolves({ MessageId: 'ses-id' });
    const answer = await handler(
      batch(sqsRecord('m-found', message(foundMessage)), sqsRecord('m-report', message(reportMessage))),
    );
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-found' }] });
    // The found message's four emails (one throttled) and the report's two.
    expect(sentTo()).toHaveLength(4 + 2);

    const retry = await handler(batch(sqsRecord('m-found', message(foundMessage))));
    expect(retry).toEqual({ batchItemFailures: [] });
    const tries = sentTo();
    expect(tries).toHaveLength(4 + 2 + 1);
    expect(tries[0]).toBe('youth-offending-service@bathnes.invalid');
    expect(tries.at(-1)).toBe('youth-offending-service@bathnes.invalid');
  });

  test('an unverified sending identity fails the message for a retry and alarms; once fixed, the redrive sends', async () => {
    const error = vi.spyOn(logger, 'error');
    ses.on(SendEmailCommand).rejects(
      new SESServiceException({
        name: 'MessageRejected',
        $fault: 'client',
        message:
          'Email address is not verified. The following identities failed the check in region EU-WEST-2: from@example.org',
        $metadata: {},
      }),
    );
    // A batch that fails whole fails the invocation: Lambda returns every message to the queue.
    await expect(handler(batch(sqsRecord('m1', message(reportMessage))))).rejects.toThrow(
      /All records failed/,
    );
    expect(error).toHaveBeenCalledWith('email sending blocked, will retry', {
      emailSendingBlocked: true,
      episodeId,
      councilId: 'bath-ne-somerset',
      recipientRef: 'avon-somerset-police',
      reason: 'MessageRejected',
    });
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-id' });
    expect(await handler(batch(sqsRecord('m1', message(reportMessage))))).toEqual({ batchItemFailures: [] });
    expect(sentTo()).toHaveLength(2);
  });

  test("a refused recipient goes to the council's fallback inbox, is logged for the operators alarm, and the record succeeds", async () => {
    const error = vi.spyOn(logger, 'error');
    ses
      .on(SendEmailCommand)
      .rejectsOnce(new MessageRejected({ message: 'Address blacklisted.', $metadata: {} }))
      .resolves({ MessageId: 'ses-id' });
    const answer = await handler(batch(sqsRecord('m1', message(reportMessage))));
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(sentTo()).toEqual([
      'missing-persons@avon-somerset-police.invalid',
      'duty-and-assessment@bathnes.invalid',
      'childrens-social-care@bathnes.invalid',
    ]);
    expect(error).toHaveBeenCalledWith('email rejected', {
      emailRejected: true,
      episodeId,
      councilId: 'bath-ne-somerset',
      recipientRef: 'avon-somerset-police',
      reason: 'MessageRejected',
      fallback: 'sent',
    });
    await handler(batch(sqsRecord('m1', message(reportMessage))));
    expect(sentTo()).toHaveLength(3);
  });

  test.each([
    ['not JSON', '{episodeId'],
    ['missing ids', JSON.stringify({ episodeId })],
    ['carrying personal data', JSON.stringify({ ...reportMessage, child: 'Alex Example' })],
  ])('a malformed message (%s) is dropped with an error log, never retried', async (_why, body) => {
    const error = vi.spyOn(logger, 'error');
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-id' });
    const answer = await handler(batch(sqsRecord('bad', body), sqsRecord('m1', message(reportMessage))));
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(error).toHaveBeenCalledWith(
      'malformed routing message dropped',
      expect.objectContaining({ messageId: 'bad' }),
    );
    expect(JSON.stringify(error.mock.calls)).not.toContain('Alex');
  });
});
