import { localDate } from '../time/instant';
import type { LocalPeriod } from './report-period';
import type { ReportEpisode } from './timeliness-report';

/** One row of the SSDA903 "Missing" table, dates as dd/mm/yyyy. */
export interface Ssda903MissingRow {
  CHILD: string;
  DOB: string;
  /** M: missing; A: away from placement without authorisation (an absence). */
  MISSING: 'M' | 'A';
  MIS_START: string;
  /** Blank while the child is still missing or away at the end of the year. */
  MIS_END: string;
}

export const ssda903Columns = ['CHILD', 'DOB', 'MISSING', 'MIS_START', 'MIS_END'] as const;

interface Period {
  child: string;
  dob: string;
  code: 'M' | 'A';
  /** Local dates, YYYY-MM-DD, which sort as text. */
  start: string;
  end?: string;
}

const ddmmyyyy = (date: string) => date.split('-').reverse().join('/');

/**
 * The SSDA903 "Missing" rows for looked-after children for a reporting year (1 April to 31 March, as
 * `reportingYear` gives it), from their episodes. Withdrawn episodes are left out.
 *
 * - CHILD is the council's local child identifier when the report carried one, else the opaque child id.
 * - MIS_START is the local date the child was last seen; MIS_END the local date they were found, blank
 *   while they are still missing or away, or when they were found after the year ended.
 * - An episode is included when it overlaps the year: it started on or before 31 March and had not
 *   ended before 1 April.
 * - One child's periods never overlap (DfE validation 574: a period may not start while the previous one
 *   is open, nor before the previous one ended). Where a child's next episode began before the earlier one
 *   ended, or while it was still open, the earlier one is ended on the day the next began: the
 *   validation accepts a period starting on the day the previous one ended, and ending on the day before
 *   would put the end before the start when both began on the same day.
 */
export const ssda903Missing = (
  episodes: readonly ReportEpisode[],
  timeZone: string,
  year: LocalPeriod,
): Ssda903MissingRow[] => {
  const byChild = new Map<string, Period[]>();
  for (const { childId, state } of episodes) {
    if (!state.child.lookedAfter || state.status === 'withdrawn') continue;
    const periods = byChild.get(childId) ?? [];
    periods.push({
      child: state.child.identifiers?.localId ?? childId,
      dob: state.child.dateOfBirth,
      code: state.kind === 'missing' ? 'M' : 'A',
      start: localDate(state.lastSeenAt, timeZone),
      ...(state.foundAt ? { end: localDate(state.foundAt, timeZone) } : {}),
    });
    byChild.set(childId, periods);
  }

  const inYear: Period[] = [];
  for (const periods of byChild.values()) {
    periods.sort(
      (a, b) => a.start.localeCompare(b.start) || (a.end ?? '9999').localeCompare(b.end ?? '9999'),
    );
    periods.forEach((period, i) => {
      const next = periods[i + 1];
      if (next && (period.end === undefined || period.end > next.start)) period.end = next.start;
      if (period.start < year.to && (period.end === undefined || period.end >= year.from))
        inYear.push(period);
    });
  }
  return inYear
    .sort((a, b) => a.child.localeCompare(b.child) || a.start.localeCompare(b.start))
    .map((period) => ({
      CHILD: period.child,
      DOB: ddmmyyyy(period.dob),
      MISSING: period.code,
      MIS_START: ddmmyyyy(period.start),
      MIS_END: period.end === undefined || period.end >= year.to ? '' : ddmmyyyy(period.end),
    }));
};
