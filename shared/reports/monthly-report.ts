import type { CouncilConfig } from '../council/council-schema';
import { type EmailDocument, type RenderedEmail, renderEmail } from '../email/email-document';
import { type MailDeps, type SendOutcome, sendOnce } from '../notify/send-once';
import { fromAgency } from '../routing/recipients';
import { formatLocal, localDate } from '../time/instant';
import { shownValue } from './report-output';
import { addLocalDays, type LocalPeriod, monthPeriod } from './report-period';
import { type ReportEpisode, type TimelinessReport, timelinessReport } from './timeliness-report';

/** The calendar month before the one `now` falls in, in the council's time zone. */
export const previousMonth = (now: string, timeZone: string): LocalPeriod =>
  monthPeriod(addLocalDays(monthPeriod(localDate(now, timeZone)).from, -1));

const monthName = (period: LocalPeriod) =>
  new Date(`${period.from}T12:00:00Z`).toLocaleDateString('en-GB', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });

/** The managers' email: the figures (no child is named: they are counts), and how each is counted. */
export const monthlyReportEmail = (report: TimelinessReport, council: CouncilConfig): RenderedEmail => {
  const month = monthName(report.period);
  const doc: EmailDocument = {
    subject: `${council.shortName}: missing children timeliness report, ${month}`,
    headline: `Missing children: timeliness in ${month}`,
    sections: [
      { title: 'Figures', lines: report.figures.map((f) => `${f.label}: ${shownValue(f)}`) },
      {
        title: 'How each figure is counted',
        lines: report.figures.map((f) => `${f.label}: ${f.counted}`),
        bulleted: true,
      },
    ],
    footer: `Sent on the first of each month to ${council.name}'s managers by the missing-child episode pipeline. Figures as at ${formatLocal(report.asAt, council.timeZone)}.`,
  };
  return renderEmail(doc);
};

/**
 * Emails last month's timeliness report to the council's managers, once: the send key names the council
 * and the month, so a retried or doubled invocation sends nothing twice.
 */
export const sendMonthlyReport = async (
  deps: MailDeps & { episodes: () => Promise<ReportEpisode[]> },
): Promise<{ period: LocalPeriod; outcome: SendOutcome }> => {
  const { council, clock } = deps;
  const now = clock.now();
  const period = previousMonth(now, council.timeZone);
  const sendKey = `monthly-report#${council.id}#${period.from}`;
  // Checked before the scan too, so a repeated invocation reads nothing.
  if ((await deps.store.alreadySent([sendKey])).has(sendKey)) return { period, outcome: 'already_sent' };
  const report = timelinessReport(await deps.episodes(), council, period, now);
  const outcome = await sendOnce(deps, {
    sendKey,
    episodeId: `monthly-report-${period.from}`,
    recipient: fromAgency(council.roles.managers, council.roles.managers, council),
    email: monthlyReportEmail(report, council),
  });
  return { period, outcome };
};
