import { MessageRejected, SESClient, SESServiceException, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { SesMailer } from '../../../shared/adapters/ses-mailer';

const ses = mockClient(SESClient);
const email = { to: ['duty@example.org'], cc: [], subject: 'Subject', text: 'Text', html: '<p>Html</p>' };
const mailer = new SesMailer(new SESClient({ region: 'eu-west-2', maxAttempts: 1 }), {
  from: 'missing-episodes@example.org',
  replyTo: 'advice@example.org',
  configurationSet: 'council-emails',
});

const sesError = (name: string, fault: 'client' | 'server' = 'client') =>
  new SESServiceException({
    name,
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

  test.each(['Throttling', 'ServiceUnavailable', 'AccountSendingPausedException'])(
    '%s is transient: the message is tried again later',
    async (name) => {
      ses.on(SendEmailCommand).rejects(sesError(name, name === 'ServiceUnavailable' ? 'server' : 'client'));
      expect(await mailer.send(email)).toEqual({ ok: false, permanent: false, reason: name });
    },
  );

  test('a network failure is transient', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    expect(await mailer.send(email)).toEqual({ ok: false, permanent: false, reason: 'TimeoutError' });
  });

  test.each(['MailFromDomainNotVerifiedException', 'InvalidParameterValue'])(
    '%s is permanent: sending again cannot help',
    async (name) => {
      ses.on(SendEmailCommand).rejects(sesError(name));
      expect(await mailer.send(email)).toEqual({ ok: false, permanent: true, reason: name });
    },
  );

  test('a rejected message is permanent, and the reason carries no address', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(
        new MessageRejected({ message: 'Email address is not verified: duty@example.org', $metadata: {} }),
      );
    const result = await mailer.send(email);
    expect(result).toEqual({ ok: false, permanent: true, reason: 'MessageRejected' });
    expect(JSON.stringify(result)).not.toContain('duty@example.org');
  });
});
