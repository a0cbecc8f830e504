import * as z from 'zod/mini';
import '../validation/english-messages';
import { type DateShape, zoneFormat } from '../time/instant';

/**
 * A reporting period: local calendar dates in the council's time zone, `from` included and `to` excluded,
 * so October 2026 is { from: '2026-10-01', to: '2026-11-01' }. Each bound is local midnight, found
 * DST-correctly: a period may hold a 23- or 25-hour day.
 */
export const LocalDate = z.iso.date();

export const LocalPeriod = z
  .strictObject({ from: LocalDate, to: LocalDate })
  .check(
    z.refine((period) => period.from < period.to, { message: '"to" must be after "from"', path: ['to'] }),
  );
export type LocalPeriod = z.infer<typeof LocalPeriod>;

/** The period as instants: [start, end). */
export interface PeriodInstants {
  start: string;
  end: string;
}

const wallClock: DateShape = {
  locale: 'en-GB',
  options: {
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  },
};

/** The zone's offset from UTC at an instant, in milliseconds (positive east of Greenwich). */
const offsetAt = (epochMs: number, timeZone: string): number => {
  const format = zoneFormat(wallClock, timeZone);
  const part = Object.fromEntries(
    format.formatToParts(new Date(epochMs)).map((p) => [p.type, Number(p.value)]),
  );
  const wall = Date.UTC(
    part.year as number,
    (part.month as number) - 1,
    part.day as number,
    part.hour as number,
    part.minute as number,
    part.second as number,
  );
  return wall - (epochMs - (epochMs % 1000));
};

/** The instant a local date begins in a time zone: local midnight (English clocks change at 01:00 or 02:00, never at midnight). */
export const startOfLocalDate = (date: string, timeZone: string): string => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const wallMidnight = Date.UTC(year, month - 1, day);
  // First guess with the offset at UTC midnight, then correct with the offset at the guess itself.
  const guess = wallMidnight - offsetAt(wallMidnight, timeZone);
  return new Date(wallMidnight - offsetAt(guess, timeZone)).toISOString();
};

export const periodInstants = (period: LocalPeriod, timeZone: string): PeriodInstants => ({
  start: startOfLocalDate(period.from, timeZone),
  end: startOfLocalDate(period.to, timeZone),
});

export const isInPeriod = (instant: string | undefined, period: PeriodInstants): instant is string =>
  instant !== undefined &&
  Date.parse(instant) >= Date.parse(period.start) &&
  Date.parse(instant) < Date.parse(period.end);

/** A local date moved by whole calendar days. */
export const addLocalDays = (date: string, days: number): string => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
};

/** The calendar month a local date falls in, as a period. */
export const monthPeriod = (date: string): LocalPeriod => {
  const [year, month] = date.split('-').map(Number) as [number, number];
  const first = (y: number, m: number) => new Date(Date.UTC(y, m - 1, 1)).toISOString().slice(0, 10);
  return { from: first(year, month), to: first(year, month + 1) };
};

/** The SSDA903 reporting year that starts on 1 April of `startYear`. */
export const reportingYear = (startYear: number): LocalPeriod => ({
  from: `${startYear}-04-01`,
  to: `${startYear + 1}-04-01`,
});
