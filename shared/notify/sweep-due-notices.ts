import { type FireOutcome, fireNotice, type NoticeMailDeps } from './fire-notice';

export type SweepResult = { due: number; failed: number } & Record<FireOutcome, number>;

/**
 * Fires every notice that is due and still pending, through the same path as the Scheduler: a lost or
 * failed schedule delays a reminder by one sweep interval and never drops it. One notice failing does
 * not stop the others; it stays pending for the next sweep.
 */
export const sweepDueNotices = async (deps: NoticeMailDeps, limit: number): Promise<SweepResult> => {
  const due = await deps.store.dueNotices(deps.clock.now(), limit);
  const result: SweepResult = {
    due: due.length,
    failed: 0,
    sent: 0,
    settled: 0,
    cancelled: 0,
    already_sent: 0,
    in_progress: 0,
    not_due: 0,
    unknown: 0,
  };
  for (const notice of due) {
    try {
      result[await fireNotice(deps, notice)] += 1;
    } catch (error) {
      result.failed += 1;
      deps.log.error('sweep could not fire a notice', {
        episodeId: notice.episodeId,
        noticeKey: notice.noticeKey,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  }
  return result;
};
