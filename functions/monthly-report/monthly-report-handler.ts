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
 * EventBridge Scheduler, monthly -> last month's timeliness report emailed to the managers. A transient
 * send failure throws, so the Scheduler's retry policy tries again; the send key keeps it to one email.
 */
export const createMonthlyReportHandler = (deps: MonthlyReportDeps) => async () => {
  const { period, outcome } = await sendMonthlyReport({ ...deps, log: deps.logger });
  deps.logger.info('monthly report', { from: period.from, to: period.to, outcome });
  if (outcome === 'failed') throw new Error(`the monthly report for ${period.from} was not sent; retry`);
  return { ...period, outcome };
};
