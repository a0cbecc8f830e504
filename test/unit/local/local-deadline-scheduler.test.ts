import { afterEach, describe, expect, it, vi } from 'vitest';
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

  it("fires a schedule given its own time (a leased notice re-armed) then, under the notice's key", async () => {
    const clock = settable('2026-10-26T09:30:00Z');
    const invoked: ReminderInvocation[] = [];
    const scheduler = createLocalDeadlineScheduler({ clock, target: async (p) => invoked.push(p) });
    const leased = notice('2026-10-26T09:30:00Z');
    await scheduler.schedule('ep-1', leased, '2026-10-26T09:45:00Z');
    expect(scheduler.pending()).toEqual([
      { payload: { episodeId: 'ep-1', noticeKey: noticeKey(leased) }, fireAt: '2026-10-26T09:45:00Z' },
    ]);
    expect(await scheduler.fireDue()).toBe(0);
    clock.set('2026-10-26T09:45:00Z');
    expect(await scheduler.fireDue()).toBe(1);
    expect(invoked).toEqual([{ episodeId: 'ep-1', noticeKey: noticeKey(leased) }]);
  });

  it('delivers what is sent to its deadline queue at once, retried like a schedule, and counts it in flight until done', async () => {
    const clock = settable('2026-10-25T00:00:00Z');
    const invoked: ReminderInvocation[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((done) => {
      release = done;
    });
    let failures = 1;
    const scheduler = createLocalDeadlineScheduler({
      clock,
      retryDelayMs: 1,
      target: async (payload) => {
        await held;
        if (failures-- > 0) throw new Error('the reminder failed once');
        invoked.push(payload);
      },
    });
    const due = [
      { episodeId: 'ep-1', noticeKey: 'rhi-r24-abc' },
      { episodeId: 'ep-1', noticeKey: 'pi-r24-abc' },
    ];
    await scheduler.send(due);
    expect(scheduler.inFlight()).toBe(2);
    // Nothing scheduled: it is on the queue, not waiting for a time.
    expect(scheduler.pending()).toEqual([]);
    release();
    await scheduler.stop();
    expect(invoked.sort((a, b) => a.noticeKey.localeCompare(b.noticeKey))).toEqual([due[1], due[0]]);
    expect(scheduler.inFlight()).toBe(0);
    expect(scheduler.deadLetters()).toEqual([]);
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

  it('fires at most its concurrency at once, and answers once every due schedule has completed', async () => {
    let running = 0;
    let mostAtOnce = 0;
    let completed = 0;
    const scheduler = createLocalDeadlineScheduler({
      clock: settable('2026-10-28T00:00:00Z'),
      concurrency: 3,
      target: async () => {
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        await new Promise((done) => setTimeout(done, 5));
        running -= 1;
        completed += 1;
      },
    });
    for (let n = 0; n < 10; n++) await scheduler.schedule(`ep-${n}`, notice('2026-10-26T09:30:00Z'));
    expect(await scheduler.fireDue()).toBe(10);
    expect(completed).toBe(10);
    expect(mostAtOnce).toBe(3);
  });
});

describe('the local deadline scheduler once started', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** The local clock's shape: real (here fake) time plus an offset that a clock advance moves. */
  const offsetClock = () => {
    let offsetMs = 0;
    return {
      now: () => new Date(Date.now() + offsetMs).toISOString(),
      advance: (ms: number) => (offsetMs += ms),
      in: (ms: number) => new Date(Date.now() + offsetMs + ms).toISOString(),
    };
  };

  it('fires a schedule when its time comes, without being asked', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-10-28T00:00:00Z') });
    const clock = offsetClock();
    const invoked: string[] = [];
    const scheduler = createLocalDeadlineScheduler({ clock, target: async (p) => invoked.push(p.episodeId) });
    scheduler.start();
    await scheduler.schedule('ep-late', notice(clock.in(30_000)));
    await scheduler.schedule('ep-soon', notice(clock.in(1_000)));
    await vi.advanceTimersByTimeAsync(999);
    expect(invoked).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(invoked).toEqual(['ep-soon']);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(invoked).toEqual(['ep-soon', 'ep-late']);
    await scheduler.stop();
  });

  it('looks at the clock again within a minute, so a schedule the clock moved past still fires', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-10-28T00:00:00Z') });
    const clock = offsetClock();
    const invoked: string[] = [];
    const scheduler = createLocalDeadlineScheduler({ clock, target: async (p) => invoked.push(p.episodeId) });
    scheduler.start();
    await scheduler.schedule('ep-1', notice(clock.in(3_600_000)));
    clock.advance(3_600_000);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(invoked).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(invoked).toEqual(['ep-1']);
    await scheduler.stop();
  });

  it('fires nothing on its own once stopped', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-10-28T00:00:00Z') });
    const clock = offsetClock();
    const invoked: string[] = [];
    const scheduler = createLocalDeadlineScheduler({ clock, target: async (p) => invoked.push(p.episodeId) });
    scheduler.start();
    await scheduler.schedule('ep-1', notice(clock.in(1_000)));
    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(invoked).toEqual([]);
    expect(scheduler.pending()).toHaveLength(1);
  });
});
