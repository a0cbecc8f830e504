import { beforeEach, describe, expect, test, vi } from 'vitest';
import { type DeadlineNotice, deadlineNotices, noticeKey } from '../../../shared/deadlines/deadline-notices';
import { fireNotice, NOTICE_LEASE_MS, type NoticeMailDeps } from '../../../shared/notify/fire-notice';
import { ThrottledSendError, TransientSendError } from '../../../shared/notify/send-once';
import { sweepDueNotices } from '../../../shared/notify/sweep-due-notices';
import { towerHamlets as council } from '../../support/councils';
import { fullEpisode } from '../../support/events';
import { MemoryEpisodeStore } from '../../support/memory-episode-store';
import { commitEvents, FakeMailer, recordingLog, settableClock } from '../../support/notify-fakes';

const episodeId = 'ep-2';
// Found Sat 24 Oct 2026 08:30 UTC: both interviews are due Tue 27 Oct 2026 08:30 GMT (after the clocks change).
const events = fullEpisode('MPS-2026-0200');
const returned = events.slice(0, 3);

let store: MemoryEpisodeStore;
let clock: ReturnType<typeof settableClock>;
let deps: NoticeMailDeps & { mailer: FakeMailer; log: ReturnType<typeof recordingLog> };

const noticeOf = async (
  kind: DeadlineNotice['deadlineKind'],
  which: DeadlineNotice['notice'],
  hoursBefore?: number,
) => {
  const episode = (await store.getEpisode(episodeId))?.state;
  if (!episode) throw new Error('no episode');
  const notice = deadlineNotices(episode, council).find(
    (n) => n.deadlineKind === kind && n.notice === which && n.hoursBefore === hoursBefore,
  );
  if (!notice) throw new Error(`no ${which} for ${kind}`);
  return { episodeId, noticeKey: noticeKey(notice), fireAt: notice.fireAt };
};

beforeEach(async () => {
  store = new MemoryEpisodeStore();
  await commitEvents(store, council, episodeId, returned, 'met-police');
  clock = settableClock('2026-10-24T09:00:00Z');
  deps = { store, mailer: new FakeMailer(), clock, council, log: recordingLog() };
});

describe('firing a deadline notice', () => {
  test('a reminder goes to the responsible agency only, before the deadline', async () => {
    const reminder = await noticeOf('return_home_interview', 'reminder', 4);
    clock.set(reminder.fireAt);
    expect(await fireNotice(deps, reminder)).toBe('sent');
    expect(deps.mailer.recipients()).toEqual(['exploitation.team@towerhamlets.gov.uk']);
    expect(deps.mailer.sent[0]?.subject).toBe(
      '[LBTH] Reminder: Return Home Interview due Tue 27 Oct 2026, 08:30 GMT (ref MPS-2026-0200)',
    );
  });

  test('the overdue escalation fires at 72 hours, to the responsible agency, managers and social care, in local time', async () => {
    const escalation = await noticeOf('return_home_interview', 'escalation');
    expect(escalation.fireAt).toBe('2026-10-27T08:30:00.000Z');
    clock.set(escalation.fireAt);
    expect(await fireNotice(deps, escalation)).toBe('sent');
    expect(deps.mailer.recipients()).toEqual([
      'exploitation.team@towerhamlets.gov.uk',
      'missing-managers@tower-hamlets.invalid',
      'childrens-social-care@tower-hamlets.invalid',
    ]);
    for (const email of deps.mailer.sent) {
      expect(email.subject).toBe(
        '[LBTH] OVERDUE: Return Home Interview was due Tue 27 Oct 2026, 08:30 GMT (ref MPS-2026-0200)',
      );
    }
    expect(deps.log.entries.filter((e) => e.level === 'warn')).toEqual([
      {
        level: 'warn',
        message: 'deadline missed, escalation sent',
        attributes: {
          escalationSent: true,
          episodeId,
          noticeKey: escalation.noticeKey,
          deadlineKind: 'return_home_interview',
          councilId: 'tower-hamlets',
        },
      },
    ]);
  });

  test('a notice fired twice, by its schedule and by the sweep, sends once', async () => {
    const escalation = await noticeOf('prevention_interview', 'escalation');
    clock.set(escalation.fireAt);
    expect(await fireNotice(deps, escalation)).toBe('sent');
    const sentByTheSchedule = deps.mailer.sent.length;
    const swept = await sweepDueNotices(deps, 50);
    expect(await fireNotice(deps, escalation)).toBe('already_sent');
    expect(deps.mailer.sent.filter((e) => e.subject.includes('Prevention Interview'))).toHaveLength(
      sentByTheSchedule,
    );
    expect(swept.already_sent + swept.sent + swept.settled).toBe(swept.due);
    expect((await store.getNotice(episodeId, escalation.noticeKey))?.state).toBe('sent');
  });

  test('a reminder for an RHI already completed sends nothing', async () => {
    const reminder = await noticeOf('return_home_interview', 'reminder', 4);
    await commitEvents(store, council, episodeId, events.slice(3), 'met-police');
    clock.set(reminder.fireAt);
    expect(await fireNotice(deps, reminder)).toBe('cancelled');
    expect(deps.mailer.sent).toHaveLength(0);
  });

  test('a reminder whose deadline was met sends nothing even if its cancellation was lost, and leaves the sweep list', async () => {
    const reminder = await noticeOf('return_home_interview', 'reminder', 4);
    await commitEvents(store, council, episodeId, events.slice(3), 'met-police', { keepNotices: true });
    clock.set(reminder.fireAt);
    expect(await fireNotice(deps, reminder)).toBe('settled');
    expect(deps.mailer.sent).toHaveLength(0);
    expect((await store.dueNotices(clock.now(), 50)).map((n) => n.noticeKey)).not.toContain(
      reminder.noticeKey,
    );
  });

  test('a reminder fired after its deadline has passed sends nothing: the escalation speaks instead', async () => {
    const reminder = await noticeOf('return_home_interview', 'reminder', 24);
    clock.set('2026-10-27T09:00:00Z');
    expect(await fireNotice(deps, reminder)).toBe('settled');
    expect(deps.mailer.sent).toHaveLength(0);
  });

  test('a while-missing reminder for a child found since sends nothing, even if its cancellation was lost', async () => {
    const missingId = 'ep-missing';
    store = new MemoryEpisodeStore();
    deps.store = store;
    const [report, graded, found] = fullEpisode('MPS-2026-0201');
    if (!report || !graded || !found) throw new Error('a full episode');
    await commitEvents(store, council, missingId, [report, graded], 'met-police');
    const episode = (await store.getEpisode(missingId))?.state;
    const notice = deadlineNotices(episode!, council).find(
      (n) => n.deadlineKind === 'strategy_discussion' && n.notice === 'reminder',
    );
    // The return's commit lost its cancellations: only the reloaded episode says nothing is owed.
    await commitEvents(store, council, missingId, [found], 'met-police', { keepNotices: true });
    clock.set(notice!.fireAt);
    expect(await fireNotice(deps, { episodeId: missingId, noticeKey: noticeKey(notice!) })).toBe('settled');
    expect(deps.mailer.sent).toEqual([]);
    expect(await store.dueNotices(clock.now(), 10)).toEqual([]);
  });

  test('a notice invoked before its time sends nothing and stays pending', async () => {
    const reminder = await noticeOf('return_home_interview', 'reminder', 24);
    expect(await fireNotice(deps, reminder)).toBe('not_due');
    expect((await store.getNotice(episodeId, reminder.noticeKey))?.state).toBe('pending');
  });

  test('an unknown notice sends nothing', async () => {
    expect(await fireNotice(deps, { episodeId, noticeKey: 'rhi-esc-zzzz' })).toBe('unknown');
  });

  test('a transient failure releases the notice and throws; the next firing emails only who was missed', async () => {
    const escalation = await noticeOf('return_home_interview', 'escalation');
    clock.set(escalation.fireAt);
    deps.mailer.failNext({ ok: false, failure: 'throttled', reason: 'Throttling' });
    await expect(fireNotice(deps, escalation)).rejects.toBeInstanceOf(ThrottledSendError);
    expect((await store.getNotice(episodeId, escalation.noticeKey))?.state).toBe('pending');
    expect(deps.mailer.recipients()).toHaveLength(2);
    clock.set('2026-10-27T08:45:00Z');
    const swept = await sweepDueNotices(deps, 50);
    expect(swept.failed).toBe(0);
    const rhiEscalations = deps.mailer.sent.filter((e) =>
      e.subject.includes('Return Home Interview was due'),
    );
    expect(rhiEscalations.flatMap((e) => e.to).sort()).toEqual([
      'childrens-social-care@tower-hamlets.invalid',
      'exploitation.team@towerhamlets.gov.uk',
      'missing-managers@tower-hamlets.invalid',
    ]);
  });

  test('blocked sending releases the notice and throws for a retry: the escalation is not logged as sent', async () => {
    const escalation = await noticeOf('return_home_interview', 'escalation');
    clock.set(escalation.fireAt);
    deps.mailer.failNext(
      { ok: false, failure: 'sending-blocked', reason: 'MessageRejected' },
      { ok: false, failure: 'sending-blocked', reason: 'MessageRejected' },
      { ok: false, failure: 'sending-blocked', reason: 'MessageRejected' },
    );
    const failure = await fireNotice(deps, escalation).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransientSendError);
    expect(failure).not.toBeInstanceOf(ThrottledSendError);
    expect((await store.getNotice(episodeId, escalation.noticeKey))?.state).toBe('pending');
    expect(deps.mailer.sent).toHaveLength(0);
    expect(deps.log.entries.map((e) => e.message)).not.toContain('deadline missed, escalation sent');
    expect(
      deps.log.entries.filter((e) => (e.attributes as { emailSendingBlocked?: boolean }).emailSendingBlocked),
    ).toHaveLength(3);
    expect(await fireNotice(deps, escalation)).toBe('sent');
    expect(deps.mailer.sent).toHaveLength(3);
  });

  test('a store failing to record its emails gives the claim back, so the retry sends the notice (at least once)', async () => {
    const reminder = await noticeOf('return_home_interview', 'reminder', 4);
    clock.set(reminder.fireAt);
    const record = store.recordNoticeSends.bind(store);
    store.recordNoticeSends = async () => {
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    };
    await expect(fireNotice(deps, reminder)).rejects.toThrow('throttled');
    expect((await store.getNotice(episodeId, reminder.noticeKey))?.state).toBe('pending');
    store.recordNoticeSends = record;
    expect(await fireNotice(deps, reminder)).toBe('sent');
    // Nothing recorded the first email, so it went again: SES has no idempotency key (the local outbox does).
    expect(deps.mailer.recipients()).toEqual([
      'exploitation.team@towerhamlets.gov.uk',
      'exploitation.team@towerhamlets.gov.uk',
    ]);
  });

  test("a notice's emails are recorded on it, not as send records; claimed again after a failure, it skips the inboxes its claim says were emailed", async () => {
    const escalation = await noticeOf('return_home_interview', 'escalation');
    clock.set(escalation.fireAt);
    const sendRecords: string[][] = [];
    const alreadySent = store.alreadySent.bind(store);
    store.alreadySent = async (keys) => {
      sendRecords.push(keys);
      return alreadySent(keys);
    };
    const recordSends = store.recordSends.bind(store);
    store.recordSends = async (sends) => {
      sendRecords.push(sends.map((send) => send.sendKey));
      return recordSends(sends);
    };
    // The second of its three emails fails: the others are recorded on the notice, the claim given back.
    const first = deps.mailer.send.bind(deps.mailer);
    let sends = 0;
    deps.mailer.send = async (email) => {
      sends += 1;
      return sends === 2 ? { ok: false, failure: 'transient', reason: 'ServiceUnavailable' } : first(email);
    };
    await expect(fireNotice(deps, escalation)).rejects.toBeInstanceOf(TransientSendError);
    expect(deps.mailer.recipients()).toHaveLength(2);
    expect(await fireNotice(deps, escalation)).toBe('sent');
    const to = deps.mailer.recipients();
    expect(to).toHaveLength(3);
    expect(new Set(to).size).toBe(3);
    expect(sendRecords).toEqual([]);
    // The write that recorded its last emails marked it sent: nothing is left to fire.
    expect((await store.getNotice(episodeId, escalation.noticeKey))?.state).toBe('sent');
    expect(await fireNotice(deps, escalation)).toBe('already_sent');
    expect(deps.mailer.recipients()).toHaveLength(3);
  });
});

describe('a holder that dies after claiming a notice', () => {
  /** Never settles: the process holding the notice is gone, so nothing after this call runs. */
  const dies = () => new Promise<never>(() => {});
  const listed = async (key: string) =>
    (await store.dueNotices(clock.now(), 50)).some((n) => n.noticeKey === key);
  const escalated = () =>
    deps.mailer.sent.filter((e) => e.subject.includes('Return Home Interview was due')).flatMap((e) => e.to);
  const escalationInboxes = [
    'childrens-social-care@tower-hamlets.invalid',
    'exploitation.team@towerhamlets.gov.uk',
    'missing-managers@tower-hamlets.invalid',
  ];

  test('before any email: the redelivery finds it in progress, the sweep fires it once the lease runs out, each inbox once', async () => {
    const escalation = await noticeOf('return_home_interview', 'escalation');
    clock.set(escalation.fireAt);
    const send = deps.mailer.send.bind(deps.mailer);
    let attempts = 0;
    deps.mailer.send = () => {
      attempts += 1;
      return dies();
    };
    void fireNotice(deps, escalation);
    await vi.waitFor(() => expect(attempts).toBe(1));
    deps.mailer.send = send;

    const notice = await store.getNotice(episodeId, escalation.noticeKey);
    expect(notice?.state).toBe('pending');
    expect(notice?.leaseUntil).toBe(new Date(Date.parse(escalation.fireAt) + NOTICE_LEASE_MS).toISOString());
    // The deadline queue redelivers the message: the lease is live, so it is left to its holder and the sweep.
    expect(await fireNotice(deps, escalation)).toBe('in_progress');
    clock.set(new Date(Date.parse(escalation.fireAt) + NOTICE_LEASE_MS - 1000).toISOString());
    expect(await listed(escalation.noticeKey)).toBe(false);
    expect((await sweepDueNotices(deps, 50)).failed).toBe(0);
    expect(escalated()).toEqual([]);

    clock.set(notice?.leaseUntil ?? '');
    expect(await listed(escalation.noticeKey)).toBe(true);
    expect((await sweepDueNotices(deps, 50)).failed).toBe(0);
    expect(escalated().sort()).toEqual(escalationInboxes);
    expect((await store.getNotice(episodeId, escalation.noticeKey))?.state).toBe('sent');
    expect(await listed(escalation.noticeKey)).toBe(false);
    await sweepDueNotices(deps, 50);
    expect(escalated()).toHaveLength(3);
  });

  test('after recording some emails: the sweep after the lease emails only the inboxes still owed', async () => {
    const escalation = await noticeOf('return_home_interview', 'escalation');
    clock.set(escalation.fireAt);
    // Its first email fails; the other two go and are recorded; it dies giving the lease back.
    deps.mailer.failNext({ ok: false, failure: 'transient', reason: 'ServiceUnavailable' });
    const release = store.releaseNotice.bind(store);
    let releasing = 0;
    store.releaseNotice = () => {
      releasing += 1;
      return dies();
    };
    void fireNotice(deps, escalation);
    await vi.waitFor(() => expect(releasing).toBe(1));
    store.releaseNotice = release;
    const firstHolder = escalated();
    expect(firstHolder).toHaveLength(2);
    expect(await listed(escalation.noticeKey)).toBe(false);

    clock.set(new Date(Date.parse(escalation.fireAt) + NOTICE_LEASE_MS).toISOString());
    expect((await sweepDueNotices(deps, 50)).failed).toBe(0);
    expect(escalated().slice(2)).toEqual(escalationInboxes.filter((inbox) => !firstHolder.includes(inbox)));
    expect(escalated().sort()).toEqual(escalationInboxes);
    expect((await store.getNotice(episodeId, escalation.noticeKey))?.state).toBe('sent');
  });
});
