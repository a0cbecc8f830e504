import type { Logger } from '@aws-lambda-powertools/logger';
import type { CouncilConfig } from '../../shared/council/council-schema';
import type { Clock, EpisodeStore, Mailer } from '../../shared/ports';
import { sendMonthlyReport } from '../../shared/reports/monthly-report';
import type { ReportEpisode } from '../../shared/reports/timeliness-report';

export interface MonthlyReportDeps {
  store: EpisodeStore;
  mailer: Mailer;
  clock: Clock;
  council: CouncilConfig;
  logger: Logger;
  episodes: () => Promise<ReportEpisode[]>;
}

/**
 * EventBridge Scheduler, monthly -> last month's timeliness report emailed to the managers. A failed send
 * throws, so Lambda's asynchronous retries try again and then its on-failure destination keeps the
 * invocation for the operators' alarm; the send key keeps it to one email.
 */
export const createMonthlyReportHandler = (deps: MonthlyReportDeps) => async () => {
  const { period, outcome } = await sendMonthlyReport({ ...deps, log: deps.logger });
  deps.logger.info('monthly report', { from: period.from, to: period.to, outcome });
  if (outcome === 'failed' || outcome === 'throttled') {
    throw new Error(`the monthly report for ${period.from} was not sent; retry`);
  }
  return { ...period, outcome };
};
