import { describe, expect, it } from 'vitest';
import { createLocalDeadlineScheduler } from '../../../infra/local/local-deadline-scheduler';
import type { DeadlineNotice } from '../../../shared/deadlines/deadline-notices';
import { noticeKey } from '../../../shared/deadlines/deadline-notices';
import type { ReminderInvocation } from '../../../shared/ports';

const notice = (fireAt: string): DeadlineNotice => ({
  deadlineKind: 'return_home_interview',
  notice: 'reminder',
  hoursBefore: 24,
  fireAt,
  dueAt: '2026-10-27T09:30:00Z',
});

const settable = (now: string) => {
  let current = now;
  return { now: () => current, set: (to: string) => (current = to) };
};

describe('the local deadline scheduler', () => {
  it('fires a schedule once its time has come on the clock, with the ids-only payload', async () => {
    const clock = settable('2026-10-25T00:00:00Z');
    const invoked: ReminderInvocation[] = [];
    const scheduler = createLocalDeadlineScheduler({ clock, target: async (p) => invoked.push(p) });
    const early = notice('2026-10-26T09:30:00Z');
    const late = notice('2026-10-27T05:30:00Z');
    await scheduler.schedule('ep-1', late);
    await scheduler.schedule('ep-1', early);

    expect(await scheduler.fireDue()).toBe(0);
    clock.set('2026-10-27T06:00:00Z');
    expect(await scheduler.fireDue()).toBe(2);
    expect(invoked).toEqual([
      { episodeId: 'ep-1', noticeKey: noticeKey(early) },
      { episodeId: 'ep-1', noticeKey: noticeKey(late) },
    ]);
    expect(await scheduler.fireDue()).toBe(0);
  });

  it('creates a schedule that already exists only once, and forgets a cancelled one', async () => {
    const clock = settable('2026-10-28T00:00:00Z');
    const invoked: ReminderInvocation[] = [];
    const scheduler = createLocalDeadlineScheduler({ clock, target: async (p) => invoked.push(p) });
    await scheduler.schedule('ep-1', notice('2026-10-26T09:30:00Z'));
    await scheduler.schedule('ep-1', notice('2026-10-26T09:30:00Z'));
    await scheduler.schedule('ep-2', notice('2026-10-26T09:30:00Z'));
    await scheduler.cancel('ep-2', notice('2026-10-26T09:30:00Z'));
    await scheduler.cancel('ep-3', notice('2026-10-26T09:30:00Z'));
    expect(scheduler.pending()).toHaveLength(1);
    await scheduler.fireDue();
    expect(invoked.map((p) => p.episodeId)).toEqual(['ep-1']);
  });

  it('retries a failing target and then keeps the payload in the dead-letter list', async () => {
    let attempts = 0;
    const scheduler = createLocalDeadlineScheduler({
      clock: settable('2026-10-28T00:00:00Z'),
      maximumRetryAttempts: 2,
      retryDelayMs: 1,
      target: async () => {
        attempts += 1;
        throw new Error('throttled');
      },
    });
    await scheduler.schedule('ep-1', notice('2026-10-26T09:30:00Z'));
    await scheduler.fireDue();
    expect(attempts).toBe(3);
    expect(scheduler.deadLetters()).toMatchObject([
      { payload: { episodeId: 'ep-1' }, attempts: 3, error: 'throttled' },
    ]);
    expect(scheduler.pending()).toEqual([]);
  });

  it('fires each schedule once when two firings overlap', async () => {
    let invoked = 0;
    const scheduler = createLocalDeadlineScheduler({
      clock: settable('2026-10-28T00:00:00Z'),
      target: async () => {
        invoked += 1;
        await new Promise((done) => setTimeout(done, 5));
      },
    });
    await scheduler.schedule('ep-1', notice('2026-10-26T09:30:00Z'));
    await Promise.all([scheduler.fireDue(), scheduler.fireDue()]);
    expect(invoked).toBe(1);
  });
});
