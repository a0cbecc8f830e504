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

/** A formatter's locale and fields, declared once per use so its formatters can be cached by identity. */
export interface DateShape {
  locale: string;
  options: Omit<Intl.DateTimeFormatOptions, 'timeZone'>;
}

const zoneFormats = new WeakMap<DateShape, Map<string, Intl.DateTimeFormat>>();

/**
 * A formatter for a shape and a zone, made once: building one costs far more than using it, and reports and
 * emails format every episode's instants.
 */
export const zoneFormat = (shape: DateShape, timeZone: string): Intl.DateTimeFormat => {
  let byZone = zoneFormats.get(shape);
  if (!byZone) {
    byZone = new Map();
    zoneFormats.set(shape, byZone);
  }
  let format = byZone.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat(shape.locale, { ...shape.options, timeZone });
    byZone.set(timeZone, format);
  }
  return format;
};

const readableInstant: DateShape = {
  locale: 'en-GB',
  options: {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  },
};

/** "Tue 27 Oct 2026, 08:30 GMT": what a duty worker reads, in the council's zone and with its abbreviation. */
export const formatLocal = (instant: string, timeZone: string): string => {
  const format = zoneFormat(readableInstant, timeZone);
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

const isoDate: DateShape = {
  locale: 'en-CA',
  options: { year: 'numeric', month: '2-digit', day: '2-digit' },
};

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export const localDate = (instant: string, timeZone: string): string =>
  zoneFormat(isoDate, timeZone).format(new Date(instant));

/** Whole years between a date of birth and the local date of an instant. */
export const ageInYears = (dateOfBirth: string, onLocalDate: string): number => {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = onLocalDate.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
};

const inputShape: DateShape = {
  locale: 'en-CA',
  options: {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  },
};

/** "2026-10-27T08:30": an instant as a form's date-and-time field shows it, in a time zone. */
export const localInputValue = (instant: string, timeZone: string): string => {
  const parts = Object.fromEntries(
    zoneFormat(inputShape, timeZone)
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
};

/**
 * The instant a local date and time ("2026-10-27T08:30", as a form's field gives it) names in a time zone,
 * or undefined when it names none: not such a time, or one the clocks skipped. A time the clocks pass twice
 * is the first of the two.
 */
export const fromLocalInput = (local: string, timeZone: string): string | undefined => {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) return undefined;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  const offsetAt = (ms: number) =>
    Date.parse(`${localInputValue(new Date(ms).toISOString(), timeZone)}Z`) - ms;
  // The offset just before and just after: the earlier reading that shows this local time wins.
  const candidates = [asUtc - offsetAt(asUtc - 12 * HOUR_MS), asUtc - offsetAt(asUtc + 12 * HOUR_MS)];
  const found = candidates
    .sort((a, b) => a - b)
    .find((ms) => localInputValue(new Date(ms).toISOString(), timeZone) === local);
  return found === undefined ? undefined : new Date(found).toISOString();
};
