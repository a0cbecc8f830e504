import { isOpenEpisodeStatus, pendingNoticeKeys } from '../../shared/adapters/episode-table';
import type { DeadlineNotice } from '../../shared/deadlines/deadline-notices';
import { noticeKey } from '../../shared/deadlines/deadline-notices';
import type { EpisodeReport } from '../../shared/episode/fold-episode';
import type {
  AcceptedDelivery,
  ChildEpisode,
  ChildIdentity,
  ChildRecord,
  DeliveryKeys,
  DeliveryLookup,
  EpisodeCommit,
  EpisodeRecord,
  IntakeStore,
  NoticeClaim,
  NoticeRecord,
  NoticeStore,
  OutboxItem,
  RegistryEntry,
  SendRecord,
} from '../../shared/ports';
import { isBefore, toUtc } from '../../shared/time/instant';

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
 * The whole episode table in memory (the IntakeStore and NoticeStore ports), with the DynamoDB stores'
 * semantics (the same contract suite runs on both): a commit is all or nothing, conditioned on the episode
 * version, the delivery's absence, the ref naming no other episode, the child's open-episode pointer and the
 * registry entries naming no other child. Everything returned is a copy. The outbox items commits write wait
 * in `outbox` until a test takes them, as the table's stream holds them.
 */
export class MemoryEpisodeStore implements IntakeStore, NoticeStore {
  private readonly episodes = new Map<string, EpisodeRecord>();
  private readonly refs = new Map<string, string>();
  private readonly openEpisodes = new Map<string, string>();
  private readonly childEpisodes = new Map<string, Map<string, ChildEpisode>>();
  private readonly deliveries = new Map<string, AcceptedDelivery>();
  private readonly notices = new Map<string, NoticeRecord>();
  private readonly sends = new Map<string, SendRecord>();
  /** The emails recorded on each notice, by inbox (lower case): its first record stands. */
  private readonly noticeSends = new Map<string, Map<string, SendRecord>>();
  private readonly holdsOpenPointer = new Map<string, boolean>();
  private readonly otherEpisodes = new Map<string, EpisodeReport[]>();
  private readonly registry = new Map<string, RegistryEntry>();
  private readonly identities = new Map<string, ChildIdentity>();
  /** Every outbox item committed and not yet taken, oldest first. */
  private readonly outbox: OutboxItem[] = [];

  /** The outbox items committed since the last call, as the stream would deliver them. */
  takeOutbox(): OutboxItem[] {
    return this.outbox.splice(0).map(copy);
  }

  async lookUpDelivery(keys: DeliveryKeys): Promise<DeliveryLookup> {
    const delivery = this.deliveries.get(`${keys.sourceId}#${keys.eventId}`);
    const refEpisodeId = this.refs.get(keys.episodeRef);
    const identifiers = keys.identifierKeys ?? [];
    const entries = identifiers.flatMap((key) => {
      const entry = this.registry.get(key);
      return entry ? [[key, copy(entry)] as const] : [];
    });
    return {
      ...(identifiers.length > 0 ? { identifiers: Object.fromEntries(entries) } : {}),
      ...(delivery ? { delivery: copy(delivery) } : {}),
      ...(refEpisodeId ? { refEpisodeId } : {}),
    };
  }

  async getEpisode(episodeId: string): Promise<EpisodeRecord | undefined> {
    const episode = this.episodes.get(episodeId);
    if (!episode) return undefined;
    const others = this.otherEpisodes.get(episodeId);
    const holds = this.holdsOpenPointer.get(episodeId);
    return copy({
      ...episode,
      ...(others ? { otherEpisodes: others } : {}),
      ...(holds === undefined ? {} : { holdsOpenPointer: holds }),
    });
  }

  async getChild(childId: string): Promise<ChildRecord> {
    const openEpisodeId = this.openEpisodes.get(childId);
    const identity = this.identities.get(childId);
    return {
      ...(openEpisodeId ? { openEpisodeId } : {}),
      ...(identity ? { identity: copy(identity) } : {}),
      episodes: [...(this.childEpisodes.get(childId)?.values() ?? [])].map(copy),
    };
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
    // A closing episode frees the pointer it read it held; one taken from under it fails the commit.
    const releases = change.heldOpenPointer ?? pointer === episodeId;
    if (existing && !isOpenEpisodeStatus(state.status) && releases && pointer !== episodeId)
      return 'conflict';
    const identifiers = change.registry?.identifiers ?? [];
    if (identifiers.some(({ key }) => (this.registry.get(key)?.childId ?? childId) !== childId))
      return 'conflict';

    for (const { key } of identifiers) {
      this.registry.set(key, { childId, episodeId, episodeRef: change.episodeRef });
    }
    if (change.registry) {
      const identity = this.identities.get(childId) ?? {};
      const add = (name: keyof ChildIdentity, keys: string[]) => {
        if (keys.length > 0) identity[name] = [...new Set([...(identity[name] ?? []), ...keys])].sort();
      };
      for (const { kind, key } of identifiers) add(kind, [key]);
      add('born', change.registry.born ? [change.registry.born] : []);
      this.identities.set(childId, identity);
    }

    if (!existing && isOpenEpisodeStatus(state.status)) {
      this.openEpisodes.set(childId, episodeId);
      this.holdsOpenPointer.set(episodeId, true);
      if (change.previousEpisodeId) this.holdsOpenPointer.set(change.previousEpisodeId, false);
    }
    if (existing && !isOpenEpisodeStatus(state.status) && releases) {
      this.openEpisodes.delete(childId);
      this.holdsOpenPointer.set(episodeId, false);
    }
    this.otherEpisodes.set(episodeId, copy(change.otherEpisodes));
    this.outbox.push(...change.outbox.map(copy));
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
    children.set(episodeId, {
      episodeId,
      kind: state.kind,
      status: state.status,
      reportedAt: state.reportedAt,
    });
    this.childEpisodes.set(childId, children);
    this.deliveries.set(deliveryId, {
      sourceId: delivery.sourceId,
      eventId: delivery.event.id,
      episodeId,
      status: state.status,
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
    // Listed as the index lists it: from the lease's end while a lease is held.
    const listedAt = (n: NoticeRecord) => n.leaseUntil ?? n.fireAt;
    return [...this.notices.values()]
      .filter((n) => n.state === 'pending' && Date.parse(listedAt(n)) <= end)
      .map((n) => ({ n, order: pendingNoticeKeys(listedAt(n), n.episodeId, n.noticeKey).fireAtKey }))
      .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0))
      .map(({ n }) => n)
      .slice(0, limit)
      .map(copy);
  }

  async getNoticeWithEpisode(
    episodeId: string,
    key: string,
  ): Promise<{ notice?: NoticeRecord; episode?: EpisodeRecord }> {
    const [notice, episode] = await Promise.all([this.getNotice(episodeId, key), this.getEpisode(episodeId)]);
    return { ...(notice ? { notice } : {}), ...(episode ? { episode } : {}) };
  }

  async getNotice(episodeId: string, key: string): Promise<NoticeRecord | undefined> {
    const notice = this.notices.get(`${episodeId}#${key}`);
    return notice && copy(notice);
  }

  async claimNotice(episodeId: string, key: string, now: string, leaseUntil: string): Promise<NoticeClaim> {
    const notice = this.notices.get(`${episodeId}#${key}`);
    if (notice?.state !== 'pending') return { claimed: false };
    if (notice.leaseUntil !== undefined && isBefore(now, notice.leaseUntil)) return { claimed: false };
    notice.leaseUntil = toUtc(leaseUntil);
    return { claimed: true, emailed: [...(this.noticeSends.get(`${episodeId}#${key}`)?.keys() ?? [])] };
  }

  async finishNotice(episodeId: string, key: string, at: string): Promise<void> {
    const notice = this.notices.get(`${episodeId}#${key}`);
    if (notice?.state !== 'pending') return;
    notice.state = 'sent';
    notice.sentAt = at;
    delete notice.leaseUntil;
  }

  async recordNoticeSends(
    episodeId: string,
    key: string,
    sends: SendRecord[],
    finishedAt?: string,
  ): Promise<void> {
    if (!this.notices.has(`${episodeId}#${key}`)) return;
    const recorded = this.noticeSends.get(`${episodeId}#${key}`) ?? new Map<string, SendRecord>();
    for (const send of sends) {
      const inbox = send.address.toLowerCase();
      if (!recorded.has(inbox)) recorded.set(inbox, copy(send));
    }
    this.noticeSends.set(`${episodeId}#${key}`, recorded);
    if (finishedAt) await this.finishNotice(episodeId, key, finishedAt);
  }

  async releaseNotice(episodeId: string, key: string, leaseUntil: string): Promise<void> {
    const notice = this.notices.get(`${episodeId}#${key}`);
    if (notice?.state !== 'pending' || notice.leaseUntil !== toUtc(leaseUntil)) return;
    delete notice.leaseUntil;
  }

  async alreadySent(sendKeys: string[]): Promise<Set<string>> {
    return new Set(sendKeys.filter((key) => this.sends.has(key)));
  }

  async recordSends(sends: SendRecord[]): Promise<void> {
    for (const send of sends) if (!this.sends.has(send.sendKey)) this.sends.set(send.sendKey, copy(send));
  }
}
