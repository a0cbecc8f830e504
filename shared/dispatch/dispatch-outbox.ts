import { noticeKey } from '../deadlines/deadline-notices';
import { type FireOutcome, fireNotice } from '../notify/fire-notice';
import type { MailDeps } from '../notify/send-once';
import type { DeadlineScheduler, OutboxItem, RoutingQueue } from '../ports';
import { isBefore } from '../time/instant';

export interface DispatchDeps extends MailDeps {
  queue: RoutingQueue;
  scheduler: DeadlineScheduler;
}

/** What one outbox item came to, for the log: counts only. */
export interface Dispatched {
  routed: number;
  scheduled: number;
  cancelled: number;
  /** Notices already due when dispatched, by what firing them came to. */
  firedNow: Partial<Record<FireOutcome, number>>;
}

/**
 * Delivers one outbox item after its commit: the routing message to the routing queue, or the deadline
 * changes to the Scheduler. At least once, and harmless when repeated (a retried stream batch, a restart):
 * notify's send records absorb a routing message queued twice, schedule names are deterministic, and a
 * notice already due when its event was committed (a return reported days late) is fired here at once,
 * through the same claim as its schedule and the sweep, so whichever comes first sends it and the others
 * send nothing. A failure throws, and the whole item is delivered again.
 */
export const dispatchOutboxItem = async (deps: DispatchDeps, item: OutboxItem): Promise<Dispatched> => {
  if (item.kind === 'routing') {
    await deps.queue.send([item.message]);
    return { routed: 1, scheduled: 0, cancelled: 0, firedNow: {} };
  }
  const { episodeId } = item;
  const now = deps.clock.now();
  const later = item.schedule.filter((notice) => isBefore(now, notice.fireAt));
  const due = item.schedule.filter((notice) => !isBefore(now, notice.fireAt));
  await Promise.all([
    ...item.cancel.map((notice) => deps.scheduler.cancel(episodeId, notice)),
    ...later.map((notice) => deps.scheduler.schedule(episodeId, notice)),
  ]);
  const firedNow: Dispatched['firedNow'] = {};
  for (const notice of due) {
    const outcome = await fireNotice(deps, { episodeId, noticeKey: noticeKey(notice) });
    firedNow[outcome] = (firedNow[outcome] ?? 0) + 1;
    // Only a clock that stepped back makes a due notice early: its schedule then fires it.
    if (outcome === 'not_due') await deps.scheduler.schedule(episodeId, notice);
  }
  return { routed: 0, scheduled: later.length, cancelled: item.cancel.length, firedNow };
};
