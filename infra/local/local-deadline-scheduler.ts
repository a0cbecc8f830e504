import { scheduleName } from '../../shared/adapters/eventbridge-deadline-scheduler';
import { noticeKey } from '../../shared/deadlines/deadline-notices';
import type { Clock, DeadlineScheduler, ReminderInvocation } from '../../shared/ports';
import { compareInstants } from '../../shared/time/instant';

/** What the reminder function is to a schedule: it takes the schedule's payload. */
export type ReminderTarget = (payload: ReminderInvocation) => Promise<unknown>;

export interface LocalSchedule {
  payload: ReminderInvocation;
  fireAt: string;
}

export interface FailedSchedule extends LocalSchedule {
  attempts: number;
  error: string;
  deadLetteredAt: string;
}

export interface LocalDeadlineSchedulerOptions {
  clock: Clock;
  target: ReminderTarget;
  /**
   * As the schedule's retry policy: tries after the first before the payload goes to the dead-letter list.
   * AWS retries 20 times over a day; locally a target only fails when something is broken, so 2 show it.
   */
  maximumRetryAttempts?: number;
  /** Real time between tries, doubled each time. */
  retryDelayMs?: number;
}

export interface LocalDeadlineScheduler extends DeadlineScheduler {
  /** Fires every schedule whose time has come on the clock, oldest first; resolves with how many fired. */
  fireDue(): Promise<number>;
  /** Resolves when no firing is under way. */
  idle(): Promise<void>;
  pending(): LocalSchedule[];
  deadLetters(): FailedSchedule[];
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * EventBridge Scheduler's one-time schedules, in memory: one per (episode, notice) under the same name as in
 * AWS (so a name AWS would refuse fails here too), created idempotently,
 * deleted once fired or cancelled. A schedule fires by invoking the reminder handler with the same JSON
 * payload the Scheduler would send, retried and then dead-lettered. Schedules do not survive a restart; the
 * sweep fires anything pending from the store, which is what it is for in AWS too.
 */
export const createLocalDeadlineScheduler = (
  options: LocalDeadlineSchedulerOptions,
): LocalDeadlineScheduler => {
  const maximumRetryAttempts = options.maximumRetryAttempts ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const schedules = new Map<string, LocalSchedule>();
  const dead: FailedSchedule[] = [];
  let firing: Promise<number> = Promise.resolve(0);

  const fire = async (schedule: LocalSchedule): Promise<void> => {
    let lastError: unknown;
    for (let attempt = 0; attempt <= maximumRetryAttempts; attempt++) {
      if (attempt > 0) await sleep(retryDelayMs * 2 ** (attempt - 1));
      try {
        // A round trip through JSON, as the Scheduler's Input is a JSON string.
        await options.target(JSON.parse(JSON.stringify(schedule.payload)));
        return;
      } catch (error) {
        lastError = error;
      }
    }
    dead.push({
      ...schedule,
      attempts: maximumRetryAttempts + 1,
      error: errorText(lastError),
      deadLetteredAt: new Date().toISOString(),
    });
  };

  const fireDueNow = async (): Promise<number> => {
    const now = options.clock.now();
    const due = [...schedules.entries()]
      .filter(([, s]) => compareInstants(s.fireAt, now) <= 0)
      .sort(([, a], [, b]) => compareInstants(a.fireAt, b.fireAt));
    for (const [name, schedule] of due) {
      // A one-time schedule is deleted after it completes, as with ActionAfterCompletion DELETE.
      schedules.delete(name);
      await fire(schedule);
    }
    return due.length;
  };

  return {
    async schedule(episodeId, notice) {
      const name = scheduleName(episodeId, notice);
      if (!schedules.has(name)) {
        schedules.set(name, { payload: { episodeId, noticeKey: noticeKey(notice) }, fireAt: notice.fireAt });
      }
    },
    async cancel(episodeId, notice) {
      schedules.delete(scheduleName(episodeId, notice));
    },
    fireDue() {
      // One firing at a time, so the timer and a clock advance never fire the same schedule twice.
      firing = firing.then(fireDueNow, fireDueNow);
      return firing;
    },
    idle: () => firing.then(() => undefined),
    pending: () =>
      [...schedules.values()].sort((a, b) => compareInstants(a.fireAt, b.fireAt)).map((s) => ({ ...s })),
    deadLetters: () => [...dead],
  };
};
