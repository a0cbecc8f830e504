import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { Mailer, MailResult, OutgoingEmail } from '../ports';

export interface SesMailerOptions {
  from: string;
  replyTo?: string;
  /** SES_CONFIGURATION_SET: where SES publishes bounces, complaints and delivery events. */
  configurationSet?: string;
}

/**
 * Errors that sending this same email again can never cure: SES refused the message or an address.
 * Everything else (throttling, a paused account or configuration set, a network or 5xx fault) may pass
 * on a later attempt, so it goes back to the queue or the Scheduler's retry.
 */
const permanentErrors = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'InvalidParameterValue',
]);

/** SES v1 SendEmail, one call per email; the client's own retries absorb brief throttling first. */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESClient,
    private readonly options: SesMailerOptions,
  ) {}

  async send(email: OutgoingEmail): Promise<MailResult> {
    try {
      const { MessageId } = await this.client.send(
        new SendEmailCommand({
          Source: this.options.from,
          Destination: { ToAddresses: email.to, CcAddresses: email.cc },
          ...(this.options.replyTo ? { ReplyToAddresses: [this.options.replyTo] } : {}),
          ...(this.options.configurationSet ? { ConfigurationSetName: this.options.configurationSet } : {}),
          Message: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
          },
        }),
      );
      return { ok: true, messageId: MessageId ?? '' };
    } catch (error) {
      const name = error instanceof Error ? error.name : 'UnknownError';
      // The error's name only: SES messages can quote the addresses.
      return { ok: false, permanent: permanentErrors.has(name), reason: name };
    }
  }
}
