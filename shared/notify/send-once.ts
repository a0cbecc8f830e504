import type { CouncilConfig } from '../council/council-schema';
import type { RenderedEmail } from '../email/email-document';
import type { Clock, EpisodeStore, Mailer } from '../ports';
import type { Recipient } from '../routing/recipients';
import { addDays } from '../time/instant';

/** Where the notify use cases report what operators must see: ids and agency refs only, never the child. */
export interface NotifyLog {
  info(message: string, attributes: Record<string, string | number | boolean>): void;
  warn(message: string, attributes: Record<string, string | number | boolean>): void;
  error(message: string, attributes: Record<string, string | number | boolean>): void;
}

export interface MailDeps {
  store: EpisodeStore;
  mailer: Mailer;
  clock: Clock;
  council: CouncilConfig;
  log: NotifyLog;
}

/** A send that may pass on a later attempt (throttling, an SES outage): the caller retries the whole unit. */
export class TransientSendError extends Error {
  override readonly name = 'TransientSendError';
}

export type SendOutcome = 'sent' | 'already_sent' | 'rejected' | 'failed';

/**
 * Sends one email unless its send key is already recorded, and records the outcome. A rejection (a refused
 * address) is recorded and logged with `emailRejected: true` for the operators' alarm, and never retried;
 * a transient failure records nothing, so the retry sends it.
 */
export const sendOnce = async (
  deps: MailDeps,
  send: { sendKey: string; episodeId: string; recipient: Recipient; email: RenderedEmail },
): Promise<SendOutcome> => {
  const { store, mailer, clock, log } = deps;
  const { sendKey, episodeId, recipient } = send;
  if (await store.hasSent(sendKey)) return 'already_sent';
  const result = await mailer.send({ to: [recipient.address], cc: [], ...send.email });
  if (!result.ok && !result.permanent) {
    log.info('email send failed, will retry', {
      episodeId,
      recipientRef: recipient.ref,
      reason: result.reason,
    });
    return 'failed';
  }
  await store.recordSend({
    sendKey,
    episodeId,
    recipientRef: recipient.ref,
    address: recipient.address,
    ...(result.ok ? { messageId: result.messageId } : {}),
    outcome: result.ok ? 'sent' : 'rejected',
    at: clock.now(),
    retentionExpiresAt: addDays(clock.now(), deps.council.retention.days),
  });
  if (result.ok) return 'sent';
  log.error('email rejected', {
    emailRejected: true,
    episodeId,
    councilId: deps.council.id,
    recipientRef: recipient.ref,
    reason: result.reason,
  });
  return 'rejected';
};

export interface SendTally {
  sent: number;
  alreadySent: number;
  rejected: number;
  failed: number;
}

export const tally = (outcomes: SendOutcome[]): SendTally => ({
  sent: outcomes.filter((o) => o === 'sent').length,
  alreadySent: outcomes.filter((o) => o === 'already_sent').length,
  rejected: outcomes.filter((o) => o === 'rejected').length,
  failed: outcomes.filter((o) => o === 'failed').length,
});
