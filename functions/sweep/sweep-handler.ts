import { type SweepResult, sweepDueNotices } from '../../shared/notify/sweep-due-notices';
import type { NoticeFiringDeps } from '../notify/notify-handler';

/** Notices per run: far more than a council's quarter hour brings; the rest wait for the next run. */
export const SWEEP_LIMIT = 200;

/**
 * Every 15 minutes: fires each due notice still pending, so a lost schedule delays a reminder by minutes
 * and never drops it. Answers counts (`fired` = emails sent for notices), ids only in the logs.
 */
export const createSweepHandler = (deps: NoticeFiringDeps) => {
  const mail = { ...deps, log: deps.logger };
  return async (): Promise<{ fired: number } & SweepResult> => {
    const result = await sweepDueNotices(mail, SWEEP_LIMIT);
    deps.logger.info('sweep done', result);
    return { fired: result.sent, ...result };
  };
};
