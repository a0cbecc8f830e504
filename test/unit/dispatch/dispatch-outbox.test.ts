import { describe, expect, it } from 'vitest';
import { noticeKey } from '../../../shared/deadlines/deadline-notices';
import { type DispatchDeps, dispatchOutboxItem } from '../../../shared/dispatch/dispatch-outbox';
import { acceptDelivery } from '../../../shared/intake/accept-delivery';
import { deliverRoutingMessage } from '../../../shared/notify/deliver-routing-message';
import type { DeadlineScheduler, OutboxItem, RoutingMessage, RoutingQueue } from '../../../shared/ports';
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

/** Commits the events through intake, then dispatches their outbox items with a failure injected at one call. */
const run = async (failAt: number) => {
  const store = new MemoryEpisodeStore();
  const mailer = new FakeMailer();
  const clock = settableClock('2026-10-26T10:35:00Z');
  const council = towerHamlets;
  for (const event of events) {
    const request = signedRequest('met-police', event, { secret });
    const outcome = await acceptDelivery(
      {
        store,
        secrets: { secretsFor: async () => [secret] },
        pseudonymKey: testPseudonymKey,
        clock,
        council,
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
  const items: OutboxItem[] = store.takeOutbox();

  const queued: RoutingMessage[] = [];
  const schedules = new Set<string>();
  const queue: RoutingQueue = { send: async (messages) => void queued.push(...messages) };
  const scheduler: DeadlineScheduler = {
    schedule: async (_episodeId, notice) => void schedules.add(noticeKey(notice)),
    cancel: async (_episodeId, notice) => void schedules.delete(noticeKey(notice)),
  };
  const clean = { store, mailer, clock, council, log: recordingLog() };
  const injector = faultInjector(failAt);
  const deps: DispatchDeps = {
    ...clean,
    store: injector.faulty(store),
    mailer: injector.faulty(mailer),
    queue: injector.faulty(queue),
    scheduler: injector.faulty(scheduler),
  };
  let redeliveries = 0;
  for (const item of items) {
    // The stream gives a failed record again until it is delivered.
    for (;;) {
      try {
        await dispatchOutboxItem(deps, item);
        break;
      } catch {
        redeliveries += 1;
        if (redeliveries > 5) throw new Error('redelivered more than a single failure explains');
      }
    }
  }
  // The routing queue then hands every message it was given (a repeated one too) to notify.
  for (const message of queued) await deliverRoutingMessage(clean, message);
  return {
    calls: injector.calls(),
    failed: injector.failed(),
    redeliveries,
    items,
    schedules: [...schedules].sort(),
    emails: mailer.sent.map((email) => `${email.to.join(',')} ${email.subject}`).sort(),
  };
};

describe('the dispatcher', () => {
  it('routes each event, schedules the notices still to come and fires at once those already due', async () => {
    const clean = await run(Number.POSITIVE_INFINITY);
    // The report opens the while-missing deadlines, the return the interviews'.
    expect(clean.items.map((item) => item.kind)).toEqual(['routing', 'deadlines', 'routing', 'deadlines']);
    expect(clean.redeliveries).toBe(0);
    // PI escalation, RHI 4-hours-before reminder and RHI escalation are still to come.
    expect(clean.schedules).toHaveLength(3);
    const reminders = clean.emails.filter((email) => email.includes('Reminder'));
    expect(reminders).toHaveLength(2);
    expect(clean.emails.length).toBeGreaterThan(reminders.length);
  });

  it('that fails at any one step and is redelivered loses nothing: every email goes, every schedule is made', async () => {
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
      // Exactly once, but for emails sent whose send records could not be written: SES has no idempotency
      // key, so the retry sends that notice's emails again (at least once; here one, a reminder's single
      // inbox). The local outbox refuses such a repeat.
      const repeated = faulty.emails.length - clean.emails.length;
      expect(repeated, step).toBeLessThanOrEqual(faulty.failed === 'recordSends' ? 1 : 0);
    }
    expect([...failedSteps].sort()).toEqual(
      expect.arrayContaining([
        'alreadySent',
        'claimNotice',
        'getNoticeWithEpisode',
        'recordSends',
        'schedule',
        'send',
      ]),
    );
  });

  it('that is given the same item twice sends nothing twice', async () => {
    const store = new MemoryEpisodeStore();
    const clock = settableClock('2026-10-26T10:35:00Z');
    const mailer = new FakeMailer();
    const log = recordingLog();
    const deps = { store, mailer, clock, council: towerHamlets, log };
    const queued: RoutingMessage[] = [];
    const dispatch: DispatchDeps = {
      ...deps,
      queue: { send: async (messages) => void queued.push(...messages) },
      scheduler: { schedule: async () => {}, cancel: async () => {} },
    };
    for (const event of events) {
      const request = signedRequest('met-police', event, { secret });
      await acceptDelivery(
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
    }
    const items = store.takeOutbox();
    for (const item of [...items, ...items]) await dispatchOutboxItem(dispatch, item);
    for (const message of queued) await deliverRoutingMessage(deps, message);
    const sent = mailer.sent.map((email) => `${email.to.join(',')} ${email.subject}`);
    expect(queued).toHaveLength(4);
    expect(new Set(sent).size).toBe(sent.length);
  });
});
