import { MessageRejected, SESClient, SESServiceException, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, onTestFinished, test, vi } from 'vitest';
import { SesMailer } from '../../../shared/adapters/ses-mailer';

const ses = mockClient(SESClient);
const email = { to: ['duty@example.org'], cc: [], subject: 'Subject', text: 'Text', html: '<p>Html</p>' };
const mailer = new SesMailer(new SESClient({ region: 'eu-west-2', maxAttempts: 1 }), {
  from: 'missing-episodes@example.org',
  replyTo: 'advice@example.org',
  configurationSet: 'council-emails',
});

const sesError = (name: string, fault: 'client' | 'server' = 'client', message = name) =>
  new SESServiceException({
    name,
    message,
    $fault: fault,
    $metadata: { httpStatusCode: fault === 'client' ? 400 : 503 },
  });

beforeEach(() => {
  ses.reset();
});

describe('the SES mailer', () => {
  test('sends plain text and HTML from the council address through the configuration set', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    expect(await mailer.send(email)).toEqual({ ok: true, messageId: 'ses-1' });
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Source: 'missing-episodes@example.org',
      ReplyToAddresses: ['advice@example.org'],
      ConfigurationSetName: 'council-emails',
      Destination: { ToAddresses: ['duty@example.org'], CcAddresses: [] },
      Message: {
        Subject: { Data: 'Subject' },
        Body: { Text: { Data: 'Text' }, Html: { Data: '<p>Html</p>' } },
      },
    });
  });

  test.each([
    ['Throttling', 'Maximum sending rate exceeded.', 'throttled'],
    ['Throttling', 'Daily message quota exceeded.', 'sending-blocked'],
    [
      'MessageRejected',
      'Email address is not verified. The following identities failed the check in region EU-WEST-2: missing-episodes@example.org',
      'sending-blocked',
    ],
    [
      'MessageRejected',
      'Email address is not verified. The following identities failed the check in region EU-WEST-2: duty@example.org',
      'sending-blocked',
    ],
    ['MessageRejected', 'Sending paused for this account.', 'sending-blocked'],
    ['AccountSendingPausedException', 'Account sending paused', 'sending-blocked'],
    [
      'ConfigurationSetSendingPausedException',
      'Sending paused for this configuration set',
      'sending-blocked',
    ],
    [
      'ConfigurationSetDoesNotExistException',
      'Configuration set <council-emails> does not exist.',
      'sending-blocked',
    ],
    ['MailFromDomainNotVerifiedException', 'MAIL FROM domain not verified', 'sending-blocked'],
    ['AccessDenied', 'not authorized to perform: ses:SendEmail', 'sending-blocked'],
    ['MessageRejected', 'Address blacklisted.', 'recipient-rejected'],
    ['InvalidParameterValue', "Missing final '@domain'", 'recipient-rejected'],
    ['InvalidParameterValue', 'Local address contains control or whitespace', 'recipient-rejected'],
    ['InvalidParameterValue', 'Message length exceeds limit', 'sending-blocked'],
  ] as const)('%s "%s" is %s', async (name, message, failure) => {
    ses.on(SendEmailCommand).rejects(sesError(name, 'client', message));
    expect(await mailer.send(email)).toEqual({ ok: false, failure, reason: name });
  });

  test('a fault of the service is transient', async () => {
    ses.on(SendEmailCommand).rejects(sesError('ServiceUnavailable', 'server'));
    expect(await mailer.send(email)).toEqual({
      ok: false,
      failure: 'transient',
      reason: 'ServiceUnavailable',
    });
  });

  test('a network failure is transient', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    expect(await mailer.send(email)).toEqual({ ok: false, failure: 'transient', reason: 'TimeoutError' });
  });

  test('the reason carries no address, only the error name', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Address blacklisted: duty@example.org', $metadata: {} }));
    const result = await mailer.send(email);
    expect(result).toEqual({ ok: false, failure: 'recipient-rejected', reason: 'MessageRejected' });
    expect(JSON.stringify(result)).not.toContain('duty@example.org');
  });

  test('paced to its share of the sending rate: overlapping sends start 1/rate apart, in turn', async () => {
    vi.useFakeTimers();
    onTestFinished(() => {
      vi.useRealTimers();
    });
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    const paced = new SesMailer(new SESClient({ region: 'eu-west-2', maxAttempts: 1 }), {
      from: 'missing-episodes@example.org',
      maxSendsPerSecond: 20,
    });
    const sending = Promise.all(Array.from({ length: 5 }, () => paced.send(email)));
    const started: number[] = [];
    for (let ms = 0; ms <= 200; ms += 25) {
      await vi.advanceTimersByTimeAsync(ms === 0 ? 0 : 25);
      started.push(ses.commandCalls(SendEmailCommand).length);
    }
    // At 20 a second: one at once, then one every 50 ms.
    expect(started).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5]);
    expect((await sending).every((r) => r.ok)).toBe(true);
  });
});
