import { isOpenEpisodeStatus, pendingNoticeKeys } from '../../shared/adapters/episode-table';
import type { DeadlineNotice } from '../../shared/deadlines/deadline-notices';
import { noticeKey } from '../../shared/deadlines/deadline-notices';
import type { EpisodeState } from '../../shared/episode/episode-state';
import type { EpisodeReport } from '../../shared/episode/fold-episode';
import type {
  AcceptedDelivery,
  EpisodeCommit,
  EpisodeRecord,
  EpisodeStore,
  NoticeRecord,
  SendRecord,
} from '../../shared/ports';
import { compareInstants } from '../../shared/time/instant';

interface ChildEpisode {
  kind: EpisodeState['kind'];
  status: EpisodeState['status'];
  reportedAt: string;
}

const copy = <T>(value: T): T => structuredClone(value);

const noticeRecord = (
  episodeId: string,
  notice: DeadlineNotice,
  state: NoticeRecord['state'],
): NoticeRecord => ({
  ...copy(notice),
  episodeId,
  noticeKey: noticeKey(notice),
  state,
});

/**
 * The EpisodeStore port in memory, with the DynamoDB store's semantics (the same contract suite runs on
 * both): a commit is all or nothing, conditioned on the episode version, the delivery's absence, the ref
 * naming no other episode and the child's open-episode pointer. Everything returned is a copy.
 */
export class MemoryEpisodeStore implements EpisodeStore {
  private readonly episodes = new Map<string, EpisodeRecord>();
  private readonly refs = new Map<string, string>();
  private readonly openEpisodes = new Map<string, string>();
  private readonly childEpisodes = new Map<string, Map<string, ChildEpisode>>();
  private readonly deliveries = new Map<string, AcceptedDelivery>();
  private readonly notices = new Map<string, NoticeRecord>();
  private readonly sends = new Map<string, SendRecord>();

  async findDelivery(sourceId: string, eventId: string): Promise<AcceptedDelivery | undefined> {
    const delivery = this.deliveries.get(`${sourceId}#${eventId}`);
    return delivery && copy(delivery);
  }

  async markEffectsDone(sourceId: string, eventId: string): Promise<void> {
    const delivery = this.deliveries.get(`${sourceId}#${eventId}`);
    if (delivery) delivery.effectsDone = true;
  }

  async getEpisode(episodeId: string): Promise<EpisodeRecord | undefined> {
    const episode = this.episodes.get(episodeId);
    return episode && copy(episode);
  }

  async findEpisodeIdByRef(episodeRef: string): Promise<string | undefined> {
    return this.refs.get(episodeRef);
  }

  async findOpenEpisodeId(childId: string): Promise<string | undefined> {
    return this.openEpisodes.get(childId);
  }

  async childEpisodeReports(childId: string, exceptEpisodeId?: string): Promise<EpisodeReport[]> {
    return [...(this.childEpisodes.get(childId) ?? new Map<string, ChildEpisode>())]
      .filter(([id, e]) => id !== exceptEpisodeId && e.status !== 'withdrawn')
      .map(([, e]) => ({ reportedAt: e.reportedAt, kind: e.kind }))
      .sort((a, b) => compareInstants(a.reportedAt, b.reportedAt));
  }

  async commit(change: EpisodeCommit): Promise<'committed' | 'duplicate' | 'conflict'> {
    const { delivery, episodeId, childId, state } = change;
    const deliveryId = `${delivery.sourceId}#${delivery.event.id}`;
    if (this.deliveries.has(deliveryId)) return 'duplicate';
    const existing = this.episodes.get(episodeId);
    if ((existing?.version ?? 0) !== change.expectedVersion) return 'conflict';
    const refOwner = this.refs.get(change.episodeRef);
    if (refOwner !== undefined && refOwner !== episodeId) return 'conflict';
    const pointer = this.openEpisodes.get(childId);
    if (!existing && pointer !== undefined && pointer !== change.previousEpisodeId) return 'conflict';

    if (!existing && isOpenEpisodeStatus(state.status)) this.openEpisodes.set(childId, episodeId);
    if (existing && !isOpenEpisodeStatus(state.status) && pointer === episodeId)
      this.openEpisodes.delete(childId);
    const previousEpisodeId = existing ? existing.previousEpisodeId : change.previousEpisodeId;
    this.episodes.set(episodeId, {
      episodeId,
      childId,
      episodeRefs: [...new Set([...(existing?.episodeRefs ?? []), change.episodeRef])].sort(),
      ...(previousEpisodeId ? { previousEpisodeId } : {}),
      state: copy(state),
      events: [...(existing?.events ?? []), copy(delivery)],
      version: change.expectedVersion + 1,
    });
    this.refs.set(change.episodeRef, episodeId);
    const children = this.childEpisodes.get(childId) ?? new Map<string, ChildEpisode>();
    children.set(episodeId, { kind: state.kind, status: state.status, reportedAt: state.reportedAt });
    this.childEpisodes.set(childId, children);
    this.deliveries.set(deliveryId, {
      sourceId: delivery.sourceId,
      eventId: delivery.event.id,
      episodeId,
      status: state.status,
      effectsDone: false,
    });
    for (const notice of change.notices.create) {
      this.notices.set(`${episodeId}#${noticeKey(notice)}`, noticeRecord(episodeId, notice, 'pending'));
    }
    for (const notice of change.notices.cancel) {
      const id = `${episodeId}#${noticeKey(notice)}`;
      const sentAt = this.notices.get(id)?.sentAt;
      this.notices.set(id, {
        ...noticeRecord(episodeId, notice, 'cancelled'),
        ...(sentAt ? { sentAt } : {}),
      });
    }
    return 'committed';
  }

  async dueNotices(until: string, limit: number): Promise<NoticeRecord[]> {
    const end = Date.parse(until);
    return [...this.notices.values()]
      .filter((n) => n.state === 'pending' && Date.parse(n.fireAt) <= end)
      .map((n) => ({ n, order: pendingNoticeKeys(n.fireAt, n.episodeId, n.noticeKey).fireAtKey }))
      .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0))
      .map(({ n }) => n)
      .slice(0, limit)
      .map(copy);
  }

  async getNotice(episodeId: string, key: string): Promise<NoticeRecord | undefined> {
    const notice = this.notices.get(`${episodeId}#${key}`);
    return notice && copy(notice);
  }

  async claimNotice(episodeId: string, key: string, sentAt: string): Promise<boolean> {
    const notice = this.notices.get(`${episodeId}#${key}`);
    if (notice?.state !== 'pending') return false;
    notice.state = 'sent';
    notice.sentAt = sentAt;
    return true;
  }

  async releaseNotice(episodeId: string, key: string): Promise<void> {
    const notice = this.notices.get(`${episodeId}#${key}`);
    if (notice?.state !== 'sent') return;
    notice.state = 'pending';
    delete notice.sentAt;
  }

  async hasSent(sendKey: string): Promise<boolean> {
    return this.sends.has(sendKey);
  }

  async recordSend(send: SendRecord): Promise<void> {
    if (!this.sends.has(send.sendKey)) this.sends.set(send.sendKey, copy(send));
  }
}
