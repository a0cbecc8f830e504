import { noticeKey } from '../deadlines/deadline-notices';
import type { Clock, DeadlineQueue, DeadlineScheduler, OutboxItem, RoutingQueue } from '../ports';
import { isBefore } from '../time/instant';

export interface DispatchDeps {
  queue: RoutingQueue;
  scheduler: DeadlineScheduler;
  deadlineQueue: DeadlineQueue;
  clock: Clock;
}

/** What one outbox item came to, for the log: counts only. */
export interface Dispatched {
  routed: number;
  scheduled: number;
  cancelled: number;
  /** Notices already due when dispatched, put on the deadline queue at once. */
  dueNow: number;
}

/**
 * Delivers one outbox item after its commit: the routing message to the routing queue, or the deadline
 * changes to the Scheduler. At least once, and harmless when repeated (a retried stream batch, a restart):
 * notify's send records absorb a routing message queued twice, schedule names are deterministic, and a
 * notice already due when its event was committed (a return reported days late) goes straight onto the
 * deadline queue, as its schedule would have put it, so the reminder fires it within seconds through the
 * same claim as the schedule and the sweep: whichever comes first sends it, the others send nothing. (A
 * reminder whose clock still finds it early leaves it pending for the sweep.) A failure throws, and the
 * whole item is delivered again.
 */
export const dispatchOutboxItem = async (deps: DispatchDeps, item: OutboxItem): Promise<Dispatched> => {
  if (item.kind === 'routing') {
    await deps.queue.send([item.message]);
    return { routed: 1, scheduled: 0, cancelled: 0, dueNow: 0 };
  }
  const { episodeId } = item;
  const now = deps.clock.now();
  const later = item.schedule.filter((notice) => isBefore(now, notice.fireAt));
  const due = item.schedule.filter((notice) => !isBefore(now, notice.fireAt));
  await Promise.all([
    ...item.cancel.map((notice) => deps.scheduler.cancel(episodeId, notice)),
    ...later.map((notice) => deps.scheduler.schedule(episodeId, notice)),
    ...(due.length > 0
      ? [deps.deadlineQueue.send(due.map((notice) => ({ episodeId, noticeKey: noticeKey(notice) })))]
      : []),
  ]);
  return { routed: 0, scheduled: later.length, cancelled: item.cancel.length, dueNow: due.length };
};
