import type { CouncilConfig } from '../council/council-schema';
import { type DeadlineNotice, deadlineFor, noticeRecipients } from '../deadlines/deadline-notices';
import type { Deadline } from '../episode/episode-state';
import type { EpisodeRecord, StoredEvent } from '../ports';
import { openingEvent } from './provenance';
import { mergeByAddress, type Recipient, resolveRecipient } from './recipients';

/** One email's worth of a notice: who, and what it is asked when that is not the deadline's own action. */
export interface NoticeDelivery {
  recipient: Recipient;
  action?: string;
}

/** The deadline a notice is for, as the episode record stands. */
export const noticeDeadline = (notice: DeadlineNotice, record: EpisodeRecord): Deadline | undefined =>
  deadlineFor(notice, record.state);

/** The event that opened a notice's deadline, where one did: the referrer's record of immediate harm. */
export const noticeOpener = (notice: DeadlineNotice, record: EpisodeRecord): StoredEvent | undefined =>
  openingEvent(record.events, noticeDeadline(notice, record));

/**
 * Who a notice goes to, resolved against the episode: the responsible agency and, on escalation, the
 * policy's list, the referrer among them for an acknowledgement. One email per inbox; an inbox that two
 * entries share gets the first one's ask.
 */
export const routeNotice = (
  notice: DeadlineNotice,
  record: EpisodeRecord,
  council: CouncilConfig,
): NoticeDelivery[] => {
  const opener = noticeOpener(notice, record);
  const referrer = opener ? council.sources[opener.sourceId] : undefined;
  return mergeByAddress(
    noticeRecipients(notice, council).map(({ to, action }) => ({
      recipient: resolveRecipient(to, record.state, council, undefined, referrer),
      ...(action ? { action } : {}),
    })),
    () => undefined,
  );
};
