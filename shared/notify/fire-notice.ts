import { episodeLinks, type StepLink } from '../actions/action-links';
import type { CouncilConfig } from '../council/council-schema';
import { type DeadlineNotice, isPending } from '../deadlines/deadline-notices';
import type { RenderedEmail } from '../email/email-document';
import { noticeEmail } from '../email/notice-email';
import type { EpisodeRecord, NoticeRecord, NoticeStore, ReminderInvocation } from '../ports';
import { episodeProvenance } from '../routing/provenance';
import type { Recipient } from '../routing/recipients';
import { noticeDeadline, noticeOpener, routeNotice } from '../routing/route-notice';
import { addHours, HOUR_MS, isBefore } from '../time/instant';
import {
  type MailDeps,
  retryUnlessAllSent,
  type SendLedger,
  type SendTally,
  sendEach,
  tally,
} from './send-once';

/** What firing a deadline notice needs: the mail's deps, with the store's notices. */
export interface NoticeMailDeps extends MailDeps {
  store: NoticeStore;
}

/**
 * What firing a notice came to: `sent`; `settled` when nothing was owed (the deadline met or cancelled, the
 * episode withdrawn, or a reminder whose deadline has passed and whose escalation covers it); `cancelled` or
 * `already_sent` when the notice was no longer pending; `in_progress` when another holder's lease on it is
 * live (it is firing it now, or died, and the sweep fires it once the lease runs out); `not_due` before its
 * time; `unknown` when no such notice.
 */
export type FireOutcome =
  | 'sent'
  | 'settled'
  | 'cancelled'
  | 'already_sent'
  | 'in_progress'
  | 'not_due'
  | 'unknown';

/**
 * How long a claim holds a notice: longer than any holder can live (the reminder's and the sweep's Lambda
 * timeouts, which test/infra keeps below it), so a live holder never loses its lease, and short enough that
 * a notice whose holder died mid-send goes one sweep after it runs out, not hours late.
 */
export const NOTICE_LEASE_MS = 15 * 60_000;

/** A notice email goes once per (episode, notice, inbox), whether the Scheduler or the sweep fires it. */
export const noticeSendKey = (episodeId: string, noticeKey: string, address: string): string =>
  `${episodeId}:${noticeKey}:${address.toLowerCase()}`;

/** The episode, when the notice is still owed: its deadline pending and, for a reminder, not yet due. */
const stillOwed = (notice: NoticeRecord, record: EpisodeRecord | undefined, now: string) => {
  if (!record || record.state.status === 'withdrawn') return undefined;
  const deadline = noticeDeadline(notice, record);
  if (!deadline || !isPending(deadline)) return undefined;
  if (notice.notice === 'reminder' && !isBefore(now, notice.dueAt)) return undefined;
  return record;
};

/**
 * Every email one notice calls for, as the episode stands now: one per inbox the council file names for it
 * (the referrer's, for an acknowledgement), each with what that recipient is asked.
 */
export const noticeEmails = (
  record: EpisodeRecord,
  notice: DeadlineNotice,
  council: CouncilConfig,
  now: string,
  link?: StepLink,
): { recipient: Recipient; email: RenderedEmail }[] => {
  const deliveries = routeNotice(notice, record, council);
  const provenance = episodeProvenance(record.events, council);
  const openedBy = noticeOpener(notice, record);
  const told = deliveries.map((d) => d.recipient);
  return deliveries.map(({ recipient, action }) => ({
    recipient,
    email: noticeEmail({
      notice,
      episode: record.state,
      provenance,
      recipient,
      told,
      council,
      now,
      ...(action ? { action } : {}),
      ...(openedBy ? { openedBy } : {}),
      ...(link ? { link } : {}),
    }),
  }));
};

/**
 * Fires one deadline notice, exactly once: reloads the episode, does nothing if the deadline no longer needs
 * it, else leases the notice (NOTICE_LEASE_MS) and emails the responsible agency, and on escalation the
 * policy's escalation list too (the referrer, for an acknowledgement); the write recording the last emails
 * marks it sent. A failed send gives the lease back and throws, so the deadline queue's retry or the next
 * sweep fires it again; a holder that dies mid-send leaves the lease to run out, and the sweep fires it then.
 * Either way, recipients already emailed are not emailed twice.
 */
export const fireNotice = async (
  deps: NoticeMailDeps,
  invocation: ReminderInvocation,
): Promise<FireOutcome> => {
  const { store, council } = deps;
  const { episodeId, noticeKey } = invocation;
  // The notice and its episode share a partition: one read for both.
  const { notice, episode } = await store.getNoticeWithEpisode(episodeId, noticeKey);
  if (!notice) return 'unknown';
  if (notice.state !== 'pending') return notice.state === 'cancelled' ? 'cancelled' : 'already_sent';
  const now = deps.clock.now();
  if (notice.leaseUntil !== undefined && isBefore(now, notice.leaseUntil)) return 'in_progress';
  if (isBefore(now, notice.fireAt)) return 'not_due';

  const record = stillOwed(notice, episode, now);
  if (!record) {
    // Nothing is owed: take it off the pending list, so the sweep stops.
    await store.finishNotice(episodeId, noticeKey, now);
    return 'settled';
  }
  const leaseUntil = addHours(now, NOTICE_LEASE_MS / HOUR_MS);
  const claim = await store.claimNotice(episodeId, noticeKey, now, leaseUntil);
  // Another holder claimed it between the read and the claim.
  if (!claim.claimed) return 'in_progress';
  // Its emails are recorded on the notice, and the claim read them back: nothing more to look up.
  const emailed = new Set(claim.emailed.map((address) => noticeSendKey(episodeId, noticeKey, address)));

  let result: SendTally;
  try {
    const link = await episodeLinks(deps.links, episodeId, now, deps.log);
    const sends = noticeEmails(record, notice, council, now, link).map(({ recipient, email }) => ({
      sendKey: noticeSendKey(episodeId, noticeKey, recipient.address),
      episodeId,
      recipient,
      email,
    }));
    const owed = sends.map((send) => send.sendKey).filter((sendKey) => !emailed.has(sendKey));
    let finished = false;
    const ledger: SendLedger = {
      alreadySent: async (sendKeys) => new Set(sendKeys.filter((sendKey) => emailed.has(sendKey))),
      recordSends: async (records) => {
        // The last emails it owed: the write that records them marks it sent, with no request of its own.
        const recorded = new Set(records.map((r) => r.sendKey));
        finished = owed.every((sendKey) => recorded.has(sendKey));
        await store.recordNoticeSends(episodeId, noticeKey, records, finished ? now : undefined);
      },
    };
    result = tally(await sendEach(deps, sends, ledger));
    // Every inbox emailed before (by a holder that died), so nothing was recorded: finish it on its own.
    if (result.failed + result.throttled === 0 && !finished)
      await store.finishNotice(episodeId, noticeKey, now);
  } catch (error) {
    // The store failed mid-send: give the lease back, so the retry (or the sweep) sends what is still owed.
    await store.releaseNotice(episodeId, noticeKey, leaseUntil);
    throw error;
  }
  if (result.failed + result.throttled > 0) {
    await store.releaseNotice(episodeId, noticeKey, leaseUntil);
    retryUnlessAllSent(result, `notice ${episodeId}/${noticeKey}`);
  }
  if (notice.notice === 'escalation') {
    // A missed deadline: the operators' alarm counts this field.
    deps.log.warn('deadline missed, escalation sent', {
      escalationSent: true,
      episodeId,
      noticeKey,
      deadlineKind: notice.deadlineKind,
      councilId: council.id,
    });
  }
  return 'sent';
};
