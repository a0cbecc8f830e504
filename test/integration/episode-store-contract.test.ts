import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoIntakeStore } from '../../shared/adapters/dynamo-intake-store';
import { deadlineNotices, noticeKey } from '../../shared/deadlines/deadline-notices';
import type { EpisodeState } from '../../shared/episode/episode-state';
import { foldEpisode } from '../../shared/episode/fold-episode';
import type { PipelineEvent } from '../../shared/events/event-schemas';
import type { EpisodeCommit, EpisodeStore, IntakeStore, NoticeStore } from '../../shared/ports';
import { towerHamlets } from '../support/councils';
import { useDynamoDbLocal } from '../support/dynamodb-local';
import { fullEpisode, parsedEvent, reportData } from '../support/events';
import { MemoryEpisodeStore } from '../support/memory-episode-store';

const tables = useDynamoDbLocal();

/** Later than any lease or fire time in these tests. */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

const stores: [string, () => Promise<IntakeStore & NoticeStore>][] = [
  ['the in-memory store', async () => new MemoryEpisodeStore()],
  [
    'the DynamoDB store on DynamoDB Local',
    async () => new DynamoIntakeStore(tables.doc(), await tables.createTable()),
  ],
];

const stateOf = (events: PipelineEvent[], status?: EpisodeState['status']): EpisodeState => {
  const state = foldEpisode(events, { council: towerHamlets });
  if (!state) throw new Error('no report among the events');
  return status ? { ...state, status } : state;
};

const commitOf = (
  event: PipelineEvent,
  change: Partial<EpisodeCommit> & { state: EpisodeState },
): EpisodeCommit => ({
  delivery: { sourceId: 'met-police', receivedAt: '2026-10-22T18:05:00.000Z', event },
  episodeId: randomUUID(),
  childId: 'child-1',
  episodeRef: event.data.episodeRef,
  expectedVersion: 0,
  otherEpisodes: [],
  notices: { create: [], cancel: [] },
  outbox: [],
  retentionExpiresAt: '2033-10-22T18:05:00.000Z',
  ...change,
});

/** The episode's current version and pointer flag, as intake hands them back in its commit. */
const readBack = async (store: EpisodeStore, episodeId: string) => {
  const episode = await store.getEpisode(episodeId);
  return {
    expectedVersion: episode?.version ?? 0,
    ...(episode?.holdsOpenPointer === undefined ? {} : { heldOpenPointer: episode.holdsOpenPointer }),
  };
};

describe.each(stores)('%s', (_name, makeStore) => {
  let store: IntakeStore & NoticeStore;
  const [report, risk, found] = fullEpisode('MPS-1') as [PipelineEvent, PipelineEvent, PipelineEvent];

  beforeEach(async () => {
    store = await makeStore();
  });
  const refOwner = async (episodeRef: string) =>
    (await store.lookUpDelivery({ sourceId: 'met-police', eventId: 'none', episodeRef })).refEpisodeId;
  const openEpisodeOf = async (childId: string) => (await store.getChild(childId)).openEpisodeId;

  it('stores the episode, its event, its ref, the open pointer and the delivery in one commit', async () => {
    const commit = commitOf(report, { state: stateOf([report]) });
    expect(await store.commit(commit)).toBe('committed');

    const episode = await store.getEpisode(commit.episodeId);
    expect(episode).toMatchObject({ childId: 'child-1', episodeRefs: ['MPS-1'], version: 1 });
    expect(episode?.state.status).toBe('missing');
    expect(episode?.events).toEqual([commit.delivery]);
    expect(await openEpisodeOf('child-1')).toBe(commit.episodeId);
    expect(
      await store.lookUpDelivery({ sourceId: 'met-police', eventId: report.id, episodeRef: 'MPS-1' }),
    ).toEqual({
      delivery: {
        sourceId: 'met-police',
        eventId: report.id,
        episodeId: commit.episodeId,
        status: 'missing',
      },
      refEpisodeId: commit.episodeId,
    });
    expect(
      await store.lookUpDelivery({ sourceId: 'schools', eventId: report.id, episodeRef: 'MPS-9' }),
    ).toEqual({});
  });

  it("records a report's registry entries and the child's identity with its commit, and looks them up", async () => {
    const registry = {
      identifiers: [
        { kind: 'upn' as const, key: 'upn-key' },
        { kind: 'person' as const, key: 'person-key' },
      ],
      born: 'born-key',
    };
    const commit = commitOf(report, { state: stateOf([report]), registry });
    expect(await store.commit(commit)).toBe('committed');
    const entry = { childId: 'child-1', episodeId: commit.episodeId, episodeRef: 'MPS-1' };
    expect(
      await store.lookUpDelivery({
        sourceId: 'met-police',
        eventId: 'none',
        episodeRef: 'MPS-1',
        identifierKeys: ['upn-key', 'person-key', 'nhs-key'],
      }),
    ).toEqual({ refEpisodeId: commit.episodeId, identifiers: { 'upn-key': entry, 'person-key': entry } });
    expect((await store.getChild('child-1')).identity).toEqual({
      upn: ['upn-key'],
      person: ['person-key'],
      born: ['born-key'],
    });

    // The next report of the child adds its identifiers to theirs, and re-stamps those it shares.
    const second = parsedEvent('missing.reported', reportData('SCH-1'), { id: 'SCH-1-1' });
    const joined = commitOf(second, {
      state: stateOf([report, second]),
      episodeId: commit.episodeId,
      expectedVersion: 1,
      registry: {
        identifiers: [
          { kind: 'nhs', key: 'nhs-key' },
          { kind: 'person', key: 'person-key' },
        ],
        born: 'born-key',
      },
    });
    expect(await store.commit(joined)).toBe('committed');
    expect((await store.getChild('child-1')).identity).toEqual({
      nhs: ['nhs-key'],
      upn: ['upn-key'],
      person: ['person-key'],
      born: ['born-key'],
    });
    const { identifiers } = await store.lookUpDelivery({
      sourceId: 'met-police',
      eventId: 'none',
      episodeRef: 'SCH-1',
      identifierKeys: ['nhs-key', 'person-key'],
    });
    expect(identifiers?.['person-key']).toEqual({ ...entry, episodeRef: 'SCH-1' });
  });

  it('refuses, as a conflict and writing nothing, a commit whose identifier already names another child', async () => {
    const person = { kind: 'person' as const, key: 'person-key' };
    await store.commit(commitOf(report, { state: stateOf([report]), registry: { identifiers: [person] } }));
    const rival = parsedEvent('missing.reported', reportData('SCH-1'), { id: 'SCH-1-1' });
    const commit = commitOf(rival, {
      state: stateOf([rival]),
      childId: 'child-2',
      registry: { identifiers: [{ kind: 'upn', key: 'upn-key' }, person], born: 'born-key' },
    });
    expect(await store.commit(commit)).toBe('conflict');
    expect(await store.getEpisode(commit.episodeId)).toBeUndefined();
    const { identifiers } = await store.lookUpDelivery({
      sourceId: 'schools',
      eventId: rival.id,
      episodeRef: 'SCH-1',
      identifierKeys: ['upn-key', 'person-key'],
    });
    expect(identifiers).toEqual({ 'person-key': expect.objectContaining({ childId: 'child-1' }) });
    expect((await store.getChild('child-2')).identity).toBeUndefined();
  });

  it('keeps what the fold counted and whether the episode holds the open pointer on the episode', async () => {
    const commit = commitOf(report, {
      state: stateOf([report]),
      otherEpisodes: [{ reportedAt: '2026-09-01T10:00:00.000Z', kind: 'missing' }],
    });
    await store.commit(commit);
    expect(await store.getEpisode(commit.episodeId)).toMatchObject({
      otherEpisodes: [{ reportedAt: '2026-09-01T10:00:00.000Z', kind: 'missing' }],
      holdsOpenPointer: true,
    });
  });

  it('answers duplicate for a (source, event id) already stored, and stores nothing more', async () => {
    const first = commitOf(report, { state: stateOf([report]) });
    await store.commit(first);
    const again = await store.commit({ ...first, expectedVersion: 1 });
    expect(again).toBe('duplicate');
    expect((await store.getEpisode(first.episodeId))?.version).toBe(1);
  });

  it('treats the same event id from another source as a different delivery', async () => {
    const first = commitOf(report, { state: stateOf([report]) });
    await store.commit(first);
    const other = commitOf(report, {
      state: stateOf([report]),
      episodeId: first.episodeId,
      expectedVersion: 1,
    });
    other.delivery = { ...other.delivery, sourceId: 'schools' };
    expect(await store.commit(other)).toBe('committed');
    expect((await store.getEpisode(first.episodeId))?.events.map((e) => e.sourceId).sort()).toEqual([
      'met-police',
      'schools',
    ]);
  });

  it('refuses a commit whose expected version is stale, leaving the episode as it was', async () => {
    const first = commitOf(report, { state: stateOf([report]) });
    await store.commit(first);
    const stale = commitOf(risk, {
      state: stateOf([report, risk]),
      episodeId: first.episodeId,
      expectedVersion: 0,
    });
    expect(await store.commit(stale)).toBe('conflict');
    expect(
      (await store.lookUpDelivery({ sourceId: 'met-police', eventId: risk.id, episodeRef: 'MPS-1' }))
        .delivery,
    ).toBeUndefined();
    const episode = await store.getEpisode(first.episodeId);
    expect(episode?.events).toHaveLength(1);
    expect(episode?.state.riskGrade).toBeUndefined();
  });

  it('appends an event at the expected version and increments it', async () => {
    const first = commitOf(report, { state: stateOf([report]) });
    await store.commit(first);
    const next = commitOf(risk, {
      state: stateOf([report, risk]),
      episodeId: first.episodeId,
      expectedVersion: 1,
    });
    expect(await store.commit(next)).toBe('committed');
    const episode = await store.getEpisode(first.episodeId);
    expect(episode?.version).toBe(2);
    expect(episode?.state.riskGrade).toBe('high');
    expect(episode?.events.map((e) => e.event.id).sort()).toEqual([report.id, risk.id].sort());
  });

  it('refuses a second new episode while the child has an open one (one open episode per child)', async () => {
    const first = commitOf(report, { state: stateOf([report]) });
    await store.commit(first);
    const second = parsedEvent('missing.reported', reportData('MPS-2'), { id: 'MPS-2-1' });
    expect(await store.commit(commitOf(second, { state: stateOf([second]) }))).toBe('conflict');
    expect(await openEpisodeOf('child-1')).toBe(first.episodeId);
    expect(await refOwner('MPS-2')).toBeUndefined();
  });

  it('links a second ref to the open episode', async () => {
    const first = commitOf(report, { state: stateOf([report]) });
    await store.commit(first);
    const second = parsedEvent('missing.reported', reportData('MPS-2'), { id: 'MPS-2-1' });
    const linked = commitOf(second, {
      state: stateOf([report, second]),
      episodeId: first.episodeId,
      expectedVersion: 1,
    });
    expect(await store.commit(linked)).toBe('committed');
    expect((await store.getEpisode(first.episodeId))?.episodeRefs).toEqual(['MPS-1', 'MPS-2']);
    expect(await refOwner('MPS-2')).toBe(first.episodeId);
  });

  it('refuses a ref that already names another episode', async () => {
    const first = commitOf(report, { state: stateOf([report]) });
    await store.commit(first);
    const other = commitOf(risk, { state: stateOf([report, risk]), childId: 'child-2' });
    expect(await store.commit(other)).toBe('conflict');
  });

  it('lets a new episode take the open pointer from the found episode it follows, and keeps it when that one closes', async () => {
    const first = commitOf(report, { state: stateOf([report]) });
    await store.commit(first);
    await store.commit(
      commitOf(found, { state: stateOf([report, found]), episodeId: first.episodeId, expectedVersion: 1 }),
    );
    const second = parsedEvent('missing.reported', reportData('MPS-2'), { id: 'MPS-2-1' });
    // Read before the next episode took the pointer: a commit that still thinks it holds it.
    const stale = await readBack(store, first.episodeId);
    const next = commitOf(second, { state: stateOf([second]), previousEpisodeId: first.episodeId });
    expect(await store.commit(next)).toBe('committed');
    expect(await openEpisodeOf('child-1')).toBe(next.episodeId);
    expect((await store.getEpisode(next.episodeId))?.previousEpisodeId).toBe(first.episodeId);
    expect((await store.getEpisode(first.episodeId))?.holdsOpenPointer).toBe(false);

    const [, , , pi] = fullEpisode('MPS-1') as PipelineEvent[];
    const closing = (read: { expectedVersion: number; heldOpenPointer?: boolean }) =>
      commitOf(pi as PipelineEvent, {
        state: stateOf([report, found], 'closed'),
        episodeId: first.episodeId,
        ...read,
      });
    expect(stale.heldOpenPointer).toBe(true);
    expect(await store.commit(closing(stale))).toBe('conflict');
    expect(await store.commit(closing(await readBack(store, first.episodeId)))).toBe('committed');
    expect(await openEpisodeOf('child-1')).toBe(next.episodeId);
  });

  it('frees the open pointer of an episode stored before episodes said whether they hold it', async () => {
    const first = commitOf(report, { state: stateOf([report]) });
    await store.commit(first);
    const [, , , pi] = fullEpisode('MPS-1') as PipelineEvent[];
    const closing = commitOf(pi as PipelineEvent, {
      state: stateOf([report, found], 'closed'),
      episodeId: first.episodeId,
      expectedVersion: 1,
    });
    expect(await store.commit(closing)).toBe('committed');
    expect(await openEpisodeOf('child-1')).toBeUndefined();
  });

  it('frees the open pointer when the open episode closes or is withdrawn', async () => {
    const first = commitOf(report, { state: stateOf([report]) });
    await store.commit(first);
    const withdrawn = parsedEvent('episode.withdrawn', { episodeRef: 'MPS-1', reason: 'duplicate report' });
    await store.commit(
      commitOf(withdrawn, {
        state: stateOf([report, withdrawn]),
        episodeId: first.episodeId,
        ...(await readBack(store, first.episodeId)),
      }),
    );
    expect(await openEpisodeOf('child-1')).toBeUndefined();
    expect((await store.getEpisode(first.episodeId))?.holdsOpenPointer).toBe(false);
  });

  it("lists the child's episodes with their kind, status and report time, and the open one", async () => {
    const episodes = ['A', 'B', 'C', 'D'].map((ref, i) => {
      const type = ref === 'D' ? 'absence.reported' : 'missing.reported';
      const event = parsedEvent(type, reportData(`MPS-${ref}`), {
        id: `MPS-${ref}-1`,
        time: `2026-0${i + 1}-01T10:00:00Z`,
      });
      return commitOf(event, { state: stateOf([event], i === 1 ? 'withdrawn' : 'closed') });
    });
    for (const episode of episodes) expect(await store.commit(episode)).toBe('committed');
    const child = await store.getChild('child-1');
    expect(child.openEpisodeId).toBeUndefined();
    expect([...child.episodes].sort((a, b) => a.reportedAt.localeCompare(b.reportedAt))).toEqual(
      episodes.map((e) => ({
        episodeId: e.episodeId,
        kind: e.state.kind,
        status: e.state.status,
        reportedAt: e.state.reportedAt,
      })),
    );
    expect(episodes.map((e) => e.state.kind)).toEqual(['missing', 'missing', 'missing', 'absence']);
    expect(await store.getChild('child-2')).toEqual({ episodes: [] });
  });

  describe('deadline notices', () => {
    const foundState = stateOf([report, found]);
    const notices = deadlineNotices(foundState, towerHamlets);
    const byFireTime = [...notices].sort((a, b) => Date.parse(a.fireAt) - Date.parse(b.fireAt));
    const lastFire = byFireTime[byFireTime.length - 1]?.fireAt ?? '';
    let episodeId: string;

    beforeEach(async () => {
      const first = commitOf(report, { state: stateOf([report]) });
      episodeId = first.episodeId;
      await store.commit(first);
      await store.commit(
        commitOf(found, {
          state: foundState,
          episodeId,
          expectedVersion: 1,
          notices: { create: notices, cancel: [] },
        }),
      );
    });

    it('lists pending notices due by a time, oldest first, up to the limit', async () => {
      expect(notices.length).toBeGreaterThan(2);
      const due = await store.dueNotices(lastFire, 100);
      expect(due.map((n) => n.noticeKey)).toEqual(byFireTime.map(noticeKey));
      expect(due.every((n) => n.state === 'pending' && n.episodeId === episodeId)).toBe(true);
      expect((await store.dueNotices(lastFire, 2)).map((n) => n.noticeKey)).toEqual(
        byFireTime.slice(0, 2).map(noticeKey),
      );
      const first = byFireTime[0];
      expect(
        await store.dueNotices(new Date(Date.parse(first?.fireAt ?? '') - 1000).toISOString(), 100),
      ).toEqual([]);
    });

    const firstKey = () => noticeKey(byFireTime[0] as (typeof byFireTime)[number]);
    const dueKeys = async (until: string) => (await store.dueNotices(until, 100)).map((n) => n.noticeKey);
    const at = '2026-10-27T08:00:00.000Z';
    const lease = '2026-10-27T08:15:00.000Z';
    const send = (key: string, address: string) => ({
      sendKey: `${episodeId}:${key}:${address.toLowerCase()}`,
      episodeId,
      recipientRef: 'police',
      address,
      messageId: 'm-1',
      outcome: 'sent' as const,
      at: '2026-10-27T08:00:01.000Z',
      retentionExpiresAt: '2032-10-27T08:00:01.000Z',
    });

    it('leases a claimed notice: still pending, listed from the lease end, and no second claim within it', async () => {
      const key = firstKey();
      expect(await store.claimNotice(episodeId, key, at, lease)).toEqual({ claimed: true, emailed: [] });
      expect(await store.claimNotice(episodeId, key, '2026-10-27T08:14:59.999Z', lease)).toEqual({
        claimed: false,
      });
      expect(await store.getNotice(episodeId, key)).toMatchObject({ state: 'pending', leaseUntil: lease });
      expect(await dueKeys('2026-10-27T08:14:59.999Z')).not.toContain(key);
      expect(await dueKeys(lease)).toContain(key);
    });

    it('lets a notice whose holder died be claimed once its lease has run out, with the inboxes it emailed', async () => {
      const key = firstKey();
      await store.claimNotice(episodeId, key, at, lease);
      await store.recordNoticeSends(episodeId, key, [send(key, 'Police@Example.org')]);
      // The holder dies here: nothing finishes or releases the notice.
      expect(await store.claimNotice(episodeId, key, lease, '2026-10-27T08:30:00.000Z')).toEqual({
        claimed: true,
        emailed: ['police@example.org'],
      });
      expect((await store.getNotice(episodeId, key))?.leaseUntil).toBe('2026-10-27T08:30:00.000Z');
    });

    it('finishes a notice: sent, off the pending list, its lease gone, never claimed again', async () => {
      const key = firstKey();
      await store.claimNotice(episodeId, key, at, lease);
      await store.finishNotice(episodeId, key, '2026-10-27T08:00:02.000Z');
      const finished = await store.getNotice(episodeId, key);
      expect(finished).toMatchObject({ state: 'sent', sentAt: '2026-10-27T08:00:02.000Z' });
      expect(finished?.leaseUntil).toBeUndefined();
      expect(await dueKeys(END_OF_TIME)).not.toContain(key);
      expect(await store.claimNotice(episodeId, key, END_OF_TIME, END_OF_TIME)).toEqual({ claimed: false });
    });

    it('finishes a notice in the write that records its last emails', async () => {
      const key = firstKey();
      await store.claimNotice(episodeId, key, at, lease);
      await store.recordNoticeSends(
        episodeId,
        key,
        [send(key, 'police@example.org')],
        '2026-10-27T08:00:02.000Z',
      );
      expect(await store.getNotice(episodeId, key)).toMatchObject({ state: 'sent' });
      expect(await dueKeys(END_OF_TIME)).not.toContain(key);
    });

    it('gives back only its own lease: listed from its fire time again, claimable at once', async () => {
      const key = firstKey();
      await store.claimNotice(episodeId, key, at, lease);
      await store.releaseNotice(episodeId, key, '2026-10-27T08:20:00.000Z');
      expect((await store.getNotice(episodeId, key))?.leaseUntil).toBe(lease);
      await store.releaseNotice(episodeId, key, lease);
      const released = await store.getNotice(episodeId, key);
      expect(released?.state).toBe('pending');
      expect(released?.leaseUntil).toBeUndefined();
      expect(await dueKeys(byFireTime[0]?.fireAt ?? '')).toContain(key);
      expect(await store.claimNotice(episodeId, key, at, lease)).toMatchObject({ claimed: true });
    });

    it('keeps a notice cancelled by a commit during its lease cancelled, its emails still recorded', async () => {
      const key = firstKey();
      const notice = byFireTime[0] as (typeof byFireTime)[number];
      await store.claimNotice(episodeId, key, at, lease);
      await store.commit(
        commitOf(risk, {
          state: foundState,
          episodeId,
          expectedVersion: 2,
          notices: { create: [], cancel: [notice] },
        }),
      );
      await store.recordNoticeSends(
        episodeId,
        key,
        [send(key, 'police@example.org')],
        '2026-10-27T08:00:02.000Z',
      );
      await store.finishNotice(episodeId, key, '2026-10-27T08:00:02.000Z');
      await store.releaseNotice(episodeId, key, lease);
      const cancelled = await store.getNotice(episodeId, key);
      expect(cancelled?.state).toBe('cancelled');
      expect(cancelled?.leaseUntil).toBeUndefined();
      expect(await dueKeys(END_OF_TIME)).not.toContain(key);
      expect(await store.claimNotice(episodeId, key, END_OF_TIME, END_OF_TIME)).toEqual({ claimed: false });
    });

    it("records a notice's emails on it, and its next claim reads back which inboxes they went to", async () => {
      const key = firstKey();
      const police = send(key, 'Police@Example.org');
      await store.claimNotice(episodeId, key, at, lease);
      await store.recordNoticeSends(episodeId, key, [police]);
      await store.recordNoticeSends(episodeId, key, [
        { ...police, messageId: 'm-2' },
        { ...police, recipientRef: 'school', address: 'school@example.org', outcome: 'rejected' },
      ]);
      await store.releaseNotice(episodeId, key, lease);
      const claim = await store.claimNotice(
        episodeId,
        key,
        '2026-10-27T09:00:00.000Z',
        '2026-10-27T09:15:00.000Z',
      );
      expect(claim.claimed && [...claim.emailed].sort()).toEqual([
        'police@example.org',
        'school@example.org',
      ]);
      // Neither a notice nor an item where there is none.
      await store.recordNoticeSends(episodeId, 'pi-r1-none', [police]);
      await store.recordNoticeSends(episodeId, 'pi-r1-none', [police], at);
      expect(await store.getNotice(episodeId, 'pi-r1-none')).toBeUndefined();
      expect(await store.getNoticeWithEpisode(episodeId, 'pi-r1-none')).toEqual({
        episode: await store.getEpisode(episodeId),
      });
    });

    it('reads a notice with its episode in one go, and neither when there is no such notice', async () => {
      const key = noticeKey(byFireTime[0] as (typeof byFireTime)[number]);
      const { notice, episode } = await store.getNoticeWithEpisode(episodeId, key);
      expect(notice).toEqual(await store.getNotice(episodeId, key));
      expect(episode).toEqual(await store.getEpisode(episodeId));
      expect(await store.getNoticeWithEpisode(episodeId, 'pi-r1-none')).toEqual({ episode });
      expect(await store.getNoticeWithEpisode('no-episode', key)).toEqual({});
    });

    it('cancels notices so they are neither due nor claimable', async () => {
      const [pi] = fullEpisode('MPS-1').slice(3) as [PipelineEvent];
      const after = stateOf([report, found, pi]);
      const cancelled = notices.filter((n) => n.deadlineKind === 'prevention_interview');
      expect(cancelled.length).toBeGreaterThan(0);
      await store.commit(
        commitOf(pi, {
          state: after,
          episodeId,
          expectedVersion: 2,
          notices: { create: [], cancel: cancelled },
        }),
      );
      const key = noticeKey(cancelled[0] as (typeof cancelled)[number]);
      expect((await store.getNotice(episodeId, key))?.state).toBe('cancelled');
      expect(await store.claimNotice(episodeId, key, END_OF_TIME, END_OF_TIME)).toEqual({ claimed: false });
      const due = await store.dueNotices(lastFire, 100);
      expect(due).toHaveLength(notices.length - cancelled.length);
      expect(due.every((n) => n.deadlineKind === 'return_home_interview')).toBe(true);
    });
  });

  it('remembers a send, and a second record of it changes nothing', async () => {
    const send = {
      sendKey: 'ep-1/evt-1/police',
      episodeId: 'ep-1',
      recipientRef: 'police',
      address: 'police@example.org',
      messageId: 'm-1',
      outcome: 'sent' as const,
      at: '2026-10-22T18:06:00.000Z',
      retentionExpiresAt: '2032-10-20T18:06:00.000Z',
    };
    expect(await store.alreadySent([send.sendKey])).toEqual(new Set());
    await store.recordSends([send]);
    await store.recordSends([{ ...send, messageId: 'm-2' }]);
    expect(await store.alreadySent([send.sendKey, 'ep-1/evt-2/police', send.sendKey])).toEqual(
      new Set([send.sendKey]),
    );
    expect(await store.alreadySent([])).toEqual(new Set());
    // A list with one already recorded still records the others.
    const others = ['ep-1/evt-2/police', 'ep-1/evt-2/school'].map((sendKey) => ({ ...send, sendKey }));
    await store.recordSends([{ ...send, messageId: 'm-3' }, ...others]);
    expect(await store.alreadySent(others.map((o) => o.sendKey))).toEqual(
      new Set(others.map((o) => o.sendKey)),
    );
  });
});

describe("the DynamoDB store's notice emails", () => {
  it('keep the first record of each inbox in the notice item, next to the notice', async () => {
    const tableName = await tables.createTable();
    const store = new DynamoIntakeStore(tables.doc(), tableName);
    const [report, , found] = fullEpisode('MPS-7') as [PipelineEvent, PipelineEvent, PipelineEvent];
    const commit = commitOf(report, { state: stateOf([report]) });
    await store.commit(commit);
    const afterFound = stateOf([report, found]);
    const [notice] = deadlineNotices(afterFound, towerHamlets);
    if (!notice) throw new Error('the return opens notices');
    await store.commit(
      commitOf(found, {
        state: afterFound,
        episodeId: commit.episodeId,
        expectedVersion: 1,
        heldOpenPointer: true,
        notices: { create: [notice], cancel: [] },
      }),
    );
    const key = noticeKey(notice);
    const send = {
      sendKey: `${commit.episodeId}:${key}:police@example.org`,
      episodeId: commit.episodeId,
      recipientRef: 'police',
      address: 'police@example.org',
      messageId: 'm-1',
      outcome: 'sent' as const,
      at: '2026-10-27T08:00:01.000Z',
      retentionExpiresAt: '2032-10-27T08:00:01.000Z',
    };
    await store.recordNoticeSends(commit.episodeId, key, [send]);
    await store.recordNoticeSends(commit.episodeId, key, [{ ...send, messageId: 'm-2' }]);
    const { Item } = await tables.doc().send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: `EPISODE#${commit.episodeId}`, sk: `NOTICE#${key}` },
      }),
    );
    expect(Item?.['emailed:police@example.org']).toEqual({
      recipientRef: 'police',
      address: 'police@example.org',
      messageId: 'm-1',
      outcome: 'sent',
      at: '2026-10-27T08:00:01.000Z',
    });
    expect(Item?.state).toBe('pending');
  });
});
