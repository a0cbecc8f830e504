/**
 * Instants are stored as UTC ISO-8601 strings and shown in the council's time zone.
 * Durations are elapsed time: "72 hours after return" is the same instant whatever the clocks do.
 */
export const HOUR_MS = 3_600_000;

export const toUtc = (instant: string | Date): string => new Date(instant).toISOString();

export const addHours = (instant: string, hours: number): string =>
  new Date(Date.parse(instant) + hours * HOUR_MS).toISOString();

export const addDays = (instant: string, days: number): string => addHours(instant, days * 24);

export const compareInstants = (a: string, b: string): number => Date.parse(a) - Date.parse(b);

export const isBefore = (a: string, b: string): boolean => compareInstants(a, b) < 0;

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * A formatter for a zone, made once: building one costs far more than using it, and reports and emails
 * format every episode's instants.
 */
export const zoneFormat = (
  locale: string,
  timeZone: string,
  options: Omit<Intl.DateTimeFormatOptions, 'timeZone'>,
): Intl.DateTimeFormat => {
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  let format = zoneFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    zoneFormats.set(key, format);
  }
  return format;
};

/** "Tue 27 Oct 2026, 08:30 GMT": what a duty worker reads, in the council's zone and with its abbreviation. */
export const formatLocal = (instant: string, timeZone: string): string => {
  const format = zoneFormat('en-GB', timeZone, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
};

/** "in 2 days 3 hours" or "5 hours ago", to the minute under an hour. */
export const formatRelative = (instant: string, now: string): string => {
  const diff = Date.parse(instant) - Date.parse(now);
  const minutes = Math.round(Math.abs(diff) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const unit = (n: number, word: string) => (n === 0 ? '' : `${n} ${word}${n === 1 ? '' : 's'}`);
  const span =
    [unit(days, 'day'), unit(hours, 'hour'), days === 0 ? unit(mins, 'minute') : '']
      .filter(Boolean)
      .join(' ') || 'less than a minute';
  return diff >= 0 ? `in ${span}` : `${span} ago`;
};

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export const localDate = (instant: string, timeZone: string): string =>
  zoneFormat('en-CA', timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(instant),
  );

/** Whole years between a date of birth and the local date of an instant. */
export const ageInYears = (dateOfBirth: string, onLocalDate: string): number => {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = onLocalDate.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
};
