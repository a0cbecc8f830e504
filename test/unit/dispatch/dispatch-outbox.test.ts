import { describe, expect, it } from 'vitest';
import { noticeKey } from '../../../shared/deadlines/deadline-notices';
import { type DispatchDeps, dispatchOutboxItem } from '../../../shared/dispatch/dispatch-outbox';
import { acceptDelivery } from '../../../shared/intake/accept-delivery';
import { deliverRoutingMessage } from '../../../shared/notify/deliver-routing-message';
import { fireNotice } from '../../../shared/notify/fire-notice';
import type {
  Clock,
  DeadlineQueue,
  DeadlineScheduler,
  OutboxItem,
  ReminderInvocation,
  RoutingMessage,
  RoutingQueue,
} from '../../../shared/ports';
import { newSecret, signedRequest } from '../../functions/intake/signed-request';
import { towerHamlets } from '../../support/councils';
import { reportData, wireEvent } from '../../support/events';
import { MemoryEpisodeStore } from '../../support/memory-episode-store';
import { FakeMailer, recordingLog, settableClock } from '../../support/notify-fakes';
import { testPseudonymKey } from '../../support/pseudonym-key';

const secret = newSecret();

/** A report, then its return reported 50 hours late: two of its reminders are due when it is committed. */
const events = [
  wireEvent('missing.reported', reportData('MPS-DISPATCH'), {
    id: 'evt-1',
    time: '2026-10-22T19:00:00+01:00',
  }),
  wireEvent(
    'missing.found',
    { episodeRef: 'MPS-DISPATCH', foundAt: '2026-10-24T09:30:00+01:00' },
    { id: 'evt-2', time: '2026-10-26T10:30:00Z' },
  ),
];

/** Calls to every port, counted across them all; the call numbered `failAt` throws instead. */
const faultInjector = (failAt: number) => {
  let calls = 0;
  let failed: string | undefined;
  const faulty = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property) {
        const value = Reflect.get(object, property, object);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls += 1;
          if (calls === failAt) {
            failed = String(property);
            throw new Error(`injected failure at call ${calls}`);
          }
          return value.apply(object, args);
        };
      },
    });
  return { faulty, calls: () => calls, failed: () => failed };
};

/** Commits the events through intake, and answers the outbox items their commits wrote. */
const commit = async (store: MemoryEpisodeStore, clock: Clock) => {
  for (const event of events) {
    const request = signedRequest('met-police', event, { secret });
    const outcome = await acceptDelivery(
      {
        store,
        secrets: { secretsFor: async () => [secret] },
        pseudonymKey: testPseudonymKey,
        clock,
        council: towerHamlets,
      },
      {
        method: 'POST',
        sourceId: 'met-police',
        body: Buffer.from(request.body ?? ''),
        headers: request.headers,
      },
    );
    expect(outcome.ok).toBe(true);
  }
  return store.takeOutbox();
};

/**
 * Commits the events through intake, dispatches their outbox items, then lets the reminder fire what the
 * dispatcher put on the deadline queue, with a failure injected at one call of the dispatcher's ports or the
 * reminder's; a failed item or message is given again, as the stream and the queue do.
 */
const run = async (failAt: number) => {
  const store = new MemoryEpisodeStore();
  const mailer = new FakeMailer();
  const clock = settableClock('2026-10-26T10:35:00Z');
  const items: OutboxItem[] = await commit(store, clock);

  const queued: RoutingMessage[] = [];
  const dueNow: ReminderInvocation[] = [];
  const schedules = new Set<string>();
  const queue: RoutingQueue = { send: async (messages) => void queued.push(...messages) };
  const deadlineQueue: DeadlineQueue = { send: async (invocations) => void dueNow.push(...invocations) };
  const scheduler: DeadlineScheduler = {
    schedule: async (_episodeId, notice) => void schedules.add(noticeKey(notice)),
    cancel: async (_episodeId, notice) => void schedules.delete(noticeKey(notice)),
  };
  const clean = { store, mailer, clock, council: towerHamlets, log: recordingLog() };
  const injector = faultInjector(failAt);
  const dispatch: DispatchDeps = {
    clock,
    queue: injector.faulty(queue),
    scheduler: injector.faulty(scheduler),
    deadlineQueue: injector.faulty(deadlineQueue),
  };
  const reminder = { ...clean, store: injector.faulty(store), mailer: injector.faulty(mailer) };
  let redeliveries = 0;
  const untilDelivered = async (deliver: () => Promise<unknown>) => {
    for (;;) {
      try {
        return await deliver();
      } catch {
        redeliveries += 1;
        if (redeliveries > 5) throw new Error('redelivered more than a single failure explains');
      }
    }
  };
  for (const item of items) await untilDelivered(() => dispatchOutboxItem(dispatch, item));
  // The deadline queue hands the reminder what it was given; the routing queue hands notify its messages.
  const fired = [];
  for (const invocation of dueNow) fired.push(await untilDelivered(() => fireNotice(reminder, invocation)));
  for (const message of queued) await deliverRoutingMessage(clean, message);
  return {
    calls: injector.calls(),
    failed: injector.failed(),
    redeliveries,
    items,
    fired,
    schedules: [...schedules].sort(),
    emails: mailer.sent.map((email) => `${email.to.join(',')} ${email.subject}`).sort(),
  };
};

describe('the dispatcher', () => {
  it('routes each event, schedules the notices still to come and puts those already due on the deadline queue', async () => {
    const clean = await run(Number.POSITIVE_INFINITY);
    // The report opens the while-missing deadlines, the return the interviews'.
    expect(clean.items.map((item) => item.kind)).toEqual(['routing', 'deadlines', 'routing', 'deadlines']);
    expect(clean.redeliveries).toBe(0);
    // PI escalation, RHI 4-hours-before reminder and RHI escalation are still to come.
    expect(clean.schedules).toHaveLength(3);
    // The interviews' 24-hours-before reminders fell due two days before the return was reported, and are
    // sent; the while-missing notices due by then were cancelled by the return's commit, and send nothing.
    expect(clean.fired.filter((outcome) => outcome === 'sent')).toHaveLength(2);
    expect(new Set(clean.fired.filter((outcome) => outcome !== 'sent'))).toEqual(new Set(['cancelled']));
    const reminders = clean.emails.filter((email) => email.includes('Reminder'));
    expect(reminders).toHaveLength(2);
    expect(clean.emails.length).toBeGreaterThan(reminders.length);
  });

  it('that fails at any one step, or whose reminder does, and is redelivered loses nothing: every email goes, every schedule is made', async () => {
    const clean = await run(Number.POSITIVE_INFINITY);
    expect(clean.calls).toBeGreaterThan(10);
    const failedSteps = new Set<string>();
    for (let failAt = 1; failAt <= clean.calls; failAt++) {
      const faulty = await run(failAt);
      const step = `failing call ${failAt} (${faulty.failed})`;
      failedSteps.add(faulty.failed ?? '');
      expect(faulty.redeliveries, step).toBe(1);
      expect(faulty.schedules, step).toEqual(clean.schedules);
      expect([...new Set(faulty.emails)], step).toEqual(clean.emails);
      // Exactly once, but for emails sent whose record on the notice could not be written: SES has no
      // idempotency key, so the reminder's retry sends that notice's emails again (at least once; here one, a
      // reminder's single inbox). The local outbox refuses such a repeat.
      const repeated = faulty.emails.length - clean.emails.length;
      expect(repeated, step).toBeLessThanOrEqual(faulty.failed === 'recordNoticeSends' ? 1 : 0);
    }
    expect([...failedSteps].sort()).toEqual(
      expect.arrayContaining([
        'claimNotice',
        'getNoticeWithEpisode',
        'recordNoticeSends',
        'schedule',
        'send',
      ]),
    );
  });

  it('that is given the same item twice sends nothing twice', async () => {
    const store = new MemoryEpisodeStore();
    const clock = settableClock('2026-10-26T10:35:00Z');
    const mailer = new FakeMailer();
    const deps = { store, mailer, clock, council: towerHamlets, log: recordingLog() };
    const queued: RoutingMessage[] = [];
    const dueNow: ReminderInvocation[] = [];
    const dispatch: DispatchDeps = {
      clock,
      queue: { send: async (messages) => void queued.push(...messages) },
      deadlineQueue: { send: async (invocations) => void dueNow.push(...invocations) },
      scheduler: { schedule: async () => {}, cancel: async () => {} },
    };
    const items = await commit(store, clock);
    for (const item of [...items, ...items]) await dispatchOutboxItem(dispatch, item);
    for (const invocation of dueNow) await fireNotice(deps, invocation);
    for (const message of queued) await deliverRoutingMessage(deps, message);
    const sent = mailer.sent.map((email) => `${email.to.join(',')} ${email.subject}`);
    expect(queued).toHaveLength(4);
    expect(dueNow.length).toBeGreaterThanOrEqual(4);
    expect(sent.filter((email) => email.includes('Reminder'))).toHaveLength(2);
    expect(new Set(sent).size).toBe(sent.length);
  });

  it('fires nothing itself and reads no store: a notice due now goes out with ids only, a later one is scheduled', async () => {
    const clock = settableClock('2026-10-26T10:35:00Z');
    const dueNow: ReminderInvocation[] = [];
    const scheduled: string[] = [];
    const items = await commit(new MemoryEpisodeStore(), clock);
    const returned = items[3];
    if (returned?.kind !== 'deadlines') throw new Error("the return's deadlines item");
    const done = await dispatchOutboxItem(
      {
        clock,
        queue: { send: async () => {} },
        deadlineQueue: { send: async (invocations) => void dueNow.push(...invocations) },
        scheduler: {
          schedule: async (_e, notice) => void scheduled.push(noticeKey(notice)),
          cancel: async () => {},
        },
      },
      returned,
    );
    // The return also cancels the while-missing notices the report opened.
    expect(done).toEqual({ routed: 0, scheduled: 3, cancelled: 6, dueNow: 2 });
    expect(dueNow.map((invocation) => Object.keys(invocation).sort())).toEqual([
      ['episodeId', 'noticeKey'],
      ['episodeId', 'noticeKey'],
    ]);
    expect(dueNow.map((invocation) => invocation.noticeKey.split('-').slice(0, 2).join('-')).sort()).toEqual([
      'pi-r24',
      'rhi-r24',
    ]);
    expect(dueNow.every((invocation) => invocation.episodeId === returned.episodeId)).toBe(true);
    expect(scheduled.some((key) => dueNow.some((invocation) => invocation.noticeKey === key))).toBe(false);
  });
});
