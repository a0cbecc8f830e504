import { randomUUID } from 'node:crypto';
import { scheduleName } from '../../shared/adapters/eventbridge-deadline-scheduler';
import { type DeadlineNotice, noticeKey } from '../../shared/deadlines/deadline-notices';
import type { Clock, DeadlineQueue, DeadlineScheduler, ReminderInvocation } from '../../shared/ports';
import { compareInstants } from '../../shared/time/instant';
import { type QueueConsumer, sqsRecord } from './local-routing-queue';

/** The local deadline queue's ARN, as its records carry it. */
const DEADLINE_QUEUE_ARN = 'arn:aws:sqs:eu-west-2:000000000000:local-deadlines';

/** What a schedule delivers its payload to. */
export type ReminderTarget = (payload: ReminderInvocation) => Promise<unknown>;

/**
 * The reminder function behind the deadline queue, as in AWS: the payload arrives as the body of one SQS
 * record, and a record the function fails throws, so the local scheduler retries and dead-letters it
 * as the queue's redrive would.
 */
export const viaDeadlineQueue =
  (reminder: QueueConsumer): ReminderTarget =>
  async (payload) => {
    const now = Date.now();
    const message = { messageId: randomUUID(), body: JSON.stringify(payload), sentAt: now, receiveCount: 1 };
    const { batchItemFailures } = await reminder({ Records: [sqsRecord(message, DEADLINE_QUEUE_ARN, now)] });
    if (batchItemFailures.length > 0) throw new Error(`the reminder failed notice ${payload.noticeKey}`);
  };

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
  /** Schedules invoking the target at once; the rest wait their turn, oldest first. */
  concurrency?: number;
}

/**
 * The Scheduler and the deadline queue behind it: `send` puts a payload straight on the queue (a notice
 * already due when dispatched), which delivers it to the target at once, with a schedule's retries.
 */
export interface LocalDeadlineScheduler extends DeadlineScheduler, DeadlineQueue {
  /**
   * As DeadlineScheduler's, firing at `at` when given rather than at the notice's own time: re-armed at a
   * start, a notice whose holder died mid-send fires when that holder's lease runs out.
   */
  schedule(episodeId: string, notice: DeadlineNotice, at?: string): Promise<void>;
  /**
   * Fires every schedule whose time has come on the clock, oldest first and several at once; resolves with
   * how many it fired once they have all completed (or been dead-lettered).
   */
  fireDue(): Promise<number>;
  /** From now on, fires each schedule on a timer set for its time, until stop(). */
  start(): void;
  /** Stops the timer; resolves when no firing is under way. */
  stop(): Promise<void>;
  pending(): LocalSchedule[];
  /** Payloads fired or sent to the queue whose delivery to the target has not completed yet. */
  inFlight(): number;
  deadLetters(): FailedSchedule[];
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * The longest the timer waits before looking at the clock again: the local clock is real time plus an
 * offset, and a long timer would miss the machine's clock being set or the laptop waking from sleep.
 */
const LONGEST_WAIT_MS = 60_000;

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * EventBridge Scheduler's one-time schedules and the deadline queue they target, in memory: one schedule per
 * (episode, notice) under the same name as in AWS (so a name AWS would refuse fails here too), created
 * idempotently, deleted once fired or cancelled; a payload sent to the queue directly (a notice already due
 * when dispatched) is delivered at once, in the same slots and with the same retries as a schedule's. A
 * schedule fires by delivering the same JSON payload the Scheduler would send to its target (the reminder
 * behind the deadline queue: viaDeadlineQueue), retried and then dead-lettered. Once started, a timer is
 * set for the earliest pending schedule, and schedules that fall due together fire together, a bounded
 * number at a time, as the Scheduler invokes its targets in parallel. Schedules live in memory: at every start the
 * local runtime makes one again for each notice the store holds pending (the store is the truth, as in AWS,
 * where the sweep stands behind the Scheduler too).
 */
export const createLocalDeadlineScheduler = (
  options: LocalDeadlineSchedulerOptions,
): LocalDeadlineScheduler => {
  const maximumRetryAttempts = options.maximumRetryAttempts ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const concurrency = options.concurrency ?? 16;
  const schedules = new Map<string, LocalSchedule>();
  const dead: FailedSchedule[] = [];
  /** Fired schedules waiting for a free slot, oldest first, each with what to call when it is done. */
  const queued: { schedule: LocalSchedule; done: () => void }[] = [];
  const firing = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  /** When the timer is set for (real time, ms), if it is set. */
  let timerAt: number | undefined;
  let started = false;

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

  const startQueued = () => {
    while (firing.size < concurrency) {
      const next = queued.shift();
      if (!next) return;
      const run = fire(next.schedule).finally(() => {
        firing.delete(run);
        next.done();
        startQueued();
      });
      firing.add(run);
    }
  };

  /** Sets the timer for `at` (local clock time) unless it is already set for then or sooner. */
  const arm = (at: string) => {
    if (!started) return;
    const now = Date.now();
    const wait = Math.min(Math.max(0, Date.parse(at) - Date.parse(options.clock.now())), LONGEST_WAIT_MS);
    if (timerAt !== undefined && timerAt <= now + wait) return;
    clearTimeout(timer);
    timerAt = now + wait;
    timer = setTimeout(() => {
      timer = undefined;
      timerAt = undefined;
      void fireDue();
    }, wait);
  };

  const fireDue = async (): Promise<number> => {
    const now = options.clock.now();
    const due = [...schedules.entries()]
      .filter(([, s]) => compareInstants(s.fireAt, now) <= 0)
      .sort(([, a], [, b]) => compareInstants(a.fireAt, b.fireAt));
    // Taken out of the map at once, so a firing that overlaps this one never fires the same schedule twice.
    // A one-time schedule is deleted after it completes, as with ActionAfterCompletion DELETE.
    for (const [name] of due) schedules.delete(name);
    let earliest: string | undefined;
    for (const { fireAt } of schedules.values()) {
      if (earliest === undefined || compareInstants(fireAt, earliest) < 0) earliest = fireAt;
    }
    if (earliest !== undefined) arm(earliest);
    const completions = due.map(
      ([, schedule]) => new Promise<void>((done) => queued.push({ schedule, done })),
    );
    startQueued();
    await Promise.all(completions);
    return due.length;
  };

  return {
    async schedule(episodeId, notice, at = notice.fireAt) {
      const name = scheduleName(episodeId, notice);
      if (!schedules.has(name)) {
        schedules.set(name, { payload: { episodeId, noticeKey: noticeKey(notice) }, fireAt: at });
        arm(at);
      }
    },
    async cancel(episodeId, notice) {
      // The timer may now wake for nothing; it then sets itself for the next schedule.
      schedules.delete(scheduleName(episodeId, notice));
    },
    async send(invocations) {
      // As SendMessage: queued when it answers, delivered after (the store keeps the notice pending till then).
      const fireAt = options.clock.now();
      for (const payload of invocations) queued.push({ schedule: { payload, fireAt }, done: () => {} });
      startQueued();
    },
    fireDue,
    start() {
      started = true;
      void fireDue();
    },
    async stop() {
      started = false;
      clearTimeout(timer);
      timer = undefined;
      timerAt = undefined;
      while (firing.size > 0 || queued.length > 0) await Promise.all([...firing]);
    },
    pending: () =>
      [...schedules.values()].sort((a, b) => compareInstants(a.fireAt, b.fireAt)).map((s) => ({ ...s })),
    inFlight: () => queued.length + firing.size,
    deadLetters: () => [...dead],
  };
};
