import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { Mailer, MailFailure, MailResult, OutgoingEmail } from '../ports';

export interface SesMailerOptions {
  from: string;
  replyTo?: string;
  /** SES_CONFIGURATION_SET: where SES publishes bounces, complaints and delivery events. */
  configurationSet?: string;
  /** At most this many SendEmail calls start each second from this mailer (one per Lambda container). */
  maxSendsPerSecond?: number;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * The words SES uses when it refuses an address itself (SES v1 answers MessageRejected or
 * InvalidParameterValue with them): a malformed or blocklisted recipient, which sending again cannot cure.
 * Everything else SES refuses (an unverified identity, the sandbox, paused sending) is about the sender.
 */
const refusedAddress =
  /address blacklisted|illegal address|missing final '@domain'|missing domain|domain (?:contains|starts|ends)|local address contains/i;

const throttlingNames = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException']);

/**
 * What an SES error means for the email. Only a refusal of the recipient is permanent. Throttling is
 * retried later, except a daily quota, which lasts until the account's limit is raised or the day rolls
 * over, so a person must know. Any other error of the request (MessageRejected for an unverified identity
 * or the sandbox, paused sending, a missing configuration set, access denied) blocks every email until a
 * person fixes it. Faults of the service or the network are transient.
 */
const classifySesError = (error: unknown): MailFailure => {
  const {
    name = '',
    message = '',
    $fault,
  } = (error ?? {}) as {
    name?: string;
    message?: string;
    $fault?: 'client' | 'server';
  };
  if (throttlingNames.has(name))
    return /daily message quota/i.test(message) ? 'sending-blocked' : 'throttled';
  if ((name === 'MessageRejected' || name === 'InvalidParameterValue') && refusedAddress.test(message)) {
    return 'recipient-rejected';
  }
  return $fault === 'client' ? 'sending-blocked' : 'transient';
};

/**
 * SES v1 SendEmail, one call per email, paced to the sending rate the stack gives this function's
 * containers; the client's own retries absorb brief throttling first.
 */
export class SesMailer implements Mailer {
  /** The turn of the last send to be given one; each waits for the one before it and its interval. */
  private lastTurn: Promise<void> = Promise.resolve();
  private lastStartedAt = 0;

  constructor(
    private readonly client: SESClient,
    private readonly options: SesMailerOptions,
  ) {}

  /** Resolves when this send may start: sends that overlap take turns, 1/maxSendsPerSecond apart. */
  private turn(): Promise<void> {
    const rate = this.options.maxSendsPerSecond;
    if (!rate) return Promise.resolve();
    this.lastTurn = this.lastTurn.then(async () => {
      const wait = this.lastStartedAt + 1_000 / rate - Date.now();
      if (wait > 0) await sleep(wait);
      this.lastStartedAt = Date.now();
    });
    return this.lastTurn;
  }

  async send(email: OutgoingEmail): Promise<MailResult> {
    await this.turn();
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
      // The error's name only: SES messages can quote the addresses.
      const name = error instanceof Error ? error.name : 'UnknownError';
      return { ok: false, failure: classifySesError(error), reason: name };
    }
  }
}
