import { formatLocal } from '../time/instant';
import { addLocalDays } from './report-period';
import { type Ssda903MissingRow, ssda903Columns } from './ssda903-missing';
import type { Figure, TimelinessReport } from './timeliness-report';

export const reportFormats = ['table', 'csv', 'json'] as const;
export type ReportFormat = (typeof reportFormats)[number];

/** A figure's value as a person reads it: "50%", "5.5 h", "-" for none. */
export const shownValue = (figure: Figure): string => {
  if (figure.value === null) return '-';
  if (figure.unit === 'percent') return `${figure.value}%`;
  if (figure.unit === 'hours') return `${figure.value} h`;
  return String(figure.value);
};

/** "1 Oct 2026 to 31 Oct 2026": the period's last day is the day before its exclusive end. */
export const periodHeading = (report: TimelinessReport): string =>
  `${report.period.from} to ${addLocalDays(report.period.to, -1)} (${report.council.timeZone})`;

export const reportTable = (report: TimelinessReport): string => {
  const width = Math.max(...report.figures.map((f) => f.label.length));
  return [
    `Timeliness report: ${report.council.name}`,
    `Period: ${periodHeading(report)}; as at ${formatLocal(report.asAt, report.council.timeZone)}`,
    '',
    ...report.figures.map((f) => `${f.label.padEnd(width)}  ${shownValue(f).padStart(7)}`),
    '',
  ].join('\n');
};

const csvField = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
const csvLine = (fields: string[]) => `${fields.map(csvField).join(',')}\r\n`;

/** One line per figure, the value bare (blank when there is none), with how it is counted. */
export const reportCsv = (report: TimelinessReport): string =>
  [
    csvLine(['council', 'from', 'to', 'as_at', 'figure', 'label', 'unit', 'value', 'counted']),
    ...report.figures.map((f) =>
      csvLine([
        report.council.id,
        report.period.from,
        report.period.to,
        report.asAt,
        f.id,
        f.label,
        f.unit,
        f.value === null ? '' : String(f.value),
        f.counted,
      ]),
    ),
  ].join('');

export const reportJson = (report: TimelinessReport): string => `${JSON.stringify(report, null, 2)}\n`;

export const renderReport = (report: TimelinessReport, format: ReportFormat): string =>
  format === 'csv' ? reportCsv(report) : format === 'json' ? reportJson(report) : reportTable(report);

/** The SSDA903 Missing table as CSV, the header naming the return's fields. */
export const ssda903Csv = (rows: readonly Ssda903MissingRow[]): string =>
  [csvLine([...ssda903Columns]), ...rows.map((row) => csvLine(ssda903Columns.map((c) => row[c])))].join('');
