import type { ActionLinks } from '../actions/action-links';
import type { CouncilConfig } from '../council/council-schema';
import type { RenderedEmail } from '../email/email-document';
import { undeliverableEmail } from '../email/redirected-email';
import type { Clock, EpisodeStore, Mailer, SendRecord } from '../ports';
import { fromAgency, type Recipient } from '../routing/recipients';
import { addDays } from '../time/instant';

/** Where the notify use cases report what operators must see: ids and agency refs only, never the child. */
export interface NotifyLog {
  info(message: string, attributes: Record<string, string | number | boolean>): void;
  warn(message: string, attributes: Record<string, string | number | boolean>): void;
  error(message: string, attributes: Record<string, string | number | boolean>): void;
}

/** Where a unit's sends are looked up and recorded: the store's send records, unless the unit keeps its own. */
export type SendLedger = Pick<EpisodeStore, 'alreadySent' | 'recordSends'>;

export interface MailDeps {
  store: EpisodeStore;
  mailer: Mailer;
  clock: Clock;
  council: CouncilConfig;
  log: NotifyLog;
  /** Where the buttons that record a step point, and their keys; without them emails carry no buttons. */
  links?: ActionLinks;
}

/** A send that may pass on a later attempt (an SES outage, blocked sending): the caller retries the whole unit. */
export class TransientSendError extends Error {
  override readonly name: string = 'TransientSendError';
}

/**
 * Every failed send of the unit was throttled: retry it later, but not at the cost of its retries, which
 * are there for real failures (a queue consumer puts it back as a new message rather than failing it).
 */
export class ThrottledSendError extends TransientSendError {
  override readonly name = 'ThrottledSendError';
}

export type SendOutcome = 'sent' | 'already_sent' | 'rejected' | 'failed' | 'throttled';

export interface Send {
  sendKey: string;
  episodeId: string;
  recipient: Recipient;
  email: RenderedEmail;
}

/**
 * Sends each email, in order, unless its send key is already recorded, and records what was sent or
 * refused: one read before and one write after, however many recipients (DynamoDB Local runs writes one at
 * a time, and a burst waits on them). A throttled or failed send records nothing, so the retry sends it;
 * blocked sending (the account, identity or configuration) is logged with `emailSendingBlocked: true` for the
 * operators' alarm. A refused address is permanent: the email goes to the council's fallback inbox
 * instead, and once that has it the refusal is recorded and logged with `emailRejected: true` for the
 * operators' alarm, never retried. The records are written once the list is done (also when a send
 * throws), so a crash in between repeats the list's emails on the retry: at least once.
 */
export const sendEach = async (
  deps: MailDeps,
  sends: Send[],
  ledger: SendLedger = deps.store,
): Promise<SendOutcome[]> => {
  const sent = await ledger.alreadySent(sends.map((send) => send.sendKey));
  const records: SendRecord[] = [];
  const outcomes: SendOutcome[] = [];
  try {
    for (const send of sends) {
      outcomes.push(sent.has(send.sendKey) ? 'already_sent' : await sendNew(deps, send, records));
    }
  } finally {
    if (records.length > 0) await ledger.recordSends(records);
  }
  return outcomes;
};

/** One email, as sendEach sends each of its list. */
export const sendOnce = async (deps: MailDeps, send: Send): Promise<SendOutcome> =>
  (await sendEach(deps, [send]))[0] ?? 'already_sent';

/** Sends one email not sent before; what is to be recorded goes on `records`. */
const sendNew = async (deps: MailDeps, send: Send, records: SendRecord[]): Promise<SendOutcome> => {
  const { mailer, log } = deps;
  const { sendKey, episodeId, recipient } = send;
  const result = await mailer.send({ sendKey, to: [recipient.address], cc: [], ...send.email });
  const ids = { episodeId, councilId: deps.council.id, recipientRef: recipient.ref };
  if (!result.ok && result.failure === 'recipient-rejected') {
    return rejectAndFallBack(deps, send, result.reason, records);
  }
  if (!result.ok) {
    if (result.failure === 'throttled') {
      log.info('email send throttled, will retry later', { ...ids, reason: result.reason });
      return 'throttled';
    }
    if (result.failure === 'sending-blocked') {
      log.error('email sending blocked, will retry', {
        emailSendingBlocked: true,
        ...ids,
        reason: result.reason,
      });
    } else {
      log.info('email send failed, will retry', { ...ids, reason: result.reason });
    }
    return 'failed';
  }
  records.push(sendRecord(deps, send, 'sent', result.messageId));
  return 'sent';
};

/** What is recorded of an email that went (with SES's message id) or whose address was refused. */
const sendRecord = (
  deps: MailDeps,
  send: Send,
  outcome: SendRecord['outcome'],
  messageId?: string,
): SendRecord => ({
  sendKey: send.sendKey,
  episodeId: send.episodeId,
  recipientRef: send.recipient.ref,
  address: send.recipient.address,
  ...(messageId === undefined ? {} : { messageId }),
  outcome,
  at: deps.clock.now(),
  retentionExpiresAt: addDays(deps.clock.now(), deps.council.retention.days),
});

const rejectAndFallBack = async (
  deps: MailDeps,
  send: Send,
  reason: string,
  records: SendRecord[],
): Promise<SendOutcome> => {
  const { council } = deps;
  const fallback = fromAgency(council.roles.fallback, council.roles.fallback, council);
  const isFallback = send.recipient.address.toLowerCase() === fallback.address.toLowerCase();
  const forwarded = isFallback
    ? undefined
    : await sendOnce(deps, {
        sendKey: `${send.sendKey}#fallback`,
        episodeId: send.episodeId,
        recipient: fallback,
        email: undeliverableEmail(send.email, send.recipient),
      });
  // Until the fallback has it, the whole send is retried: the refusal is recorded only once it is covered.
  if (forwarded === 'failed' || forwarded === 'throttled') return forwarded;
  records.push(sendRecord(deps, send, 'rejected'));
  deps.log.error('email rejected', {
    emailRejected: true,
    episodeId: send.episodeId,
    councilId: council.id,
    recipientRef: send.recipient.ref,
    reason,
    fallback: forwarded === undefined ? 'none: the fallback inbox itself was refused' : forwarded,
  });
  return 'rejected';
};

export interface SendTally {
  sent: number;
  alreadySent: number;
  rejected: number;
  failed: number;
  throttled: number;
}

export const tally = (outcomes: SendOutcome[]): SendTally => ({
  sent: outcomes.filter((o) => o === 'sent').length,
  alreadySent: outcomes.filter((o) => o === 'already_sent').length,
  rejected: outcomes.filter((o) => o === 'rejected').length,
  failed: outcomes.filter((o) => o === 'failed').length,
  throttled: outcomes.filter((o) => o === 'throttled').length,
});

/** Throws what the caller's retry needs when any email of a unit (`what`) is still to be sent. */
export const retryUnlessAllSent = (result: SendTally, what: string): void => {
  if (result.failed > 0) {
    throw new TransientSendError(
      `${result.failed + result.throttled} email(s) for ${what} failed; will retry`,
    );
  }
  if (result.throttled > 0) {
    throw new ThrottledSendError(`${result.throttled} email(s) for ${what} throttled; will retry later`);
  }
};
