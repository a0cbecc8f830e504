import { describe, expect, it } from 'vitest';
import {
  addHours,
  ageInYears,
  formatLocal,
  formatRelative,
  fromLocalInput,
  localDate,
  localInputValue,
} from '../../../shared/time/instant';

describe('instants in the council’s time zone', () => {
  it('shows summer and winter time with their abbreviations', () => {
    expect(formatLocal('2026-10-24T08:30:00Z', 'Europe/London')).toBe('Sat 24 Oct 2026, 09:30 BST');
    expect(formatLocal('2026-10-27T08:30:00Z', 'Europe/London')).toBe('Tue 27 Oct 2026, 08:30 GMT');
  });

  it('adds elapsed hours across the clocks going back', () => {
    expect(addHours('2026-10-24T08:30:00.000Z', 72)).toBe('2026-10-27T08:30:00.000Z');
  });

  it('says how long from now, or how long ago', () => {
    expect(formatRelative('2026-10-27T08:30:00Z', '2026-10-24T08:30:00Z')).toBe('in 3 days');
    expect(formatRelative('2026-10-27T08:30:00Z', '2026-10-27T03:15:00Z')).toBe('in 5 hours 15 minutes');
    expect(formatRelative('2026-10-27T08:30:00Z', '2026-10-27T10:31:00Z')).toBe('2 hours 1 minute ago');
    expect(formatRelative('2026-10-27T08:30:00Z', '2026-10-27T08:30:20Z')).toBe('less than a minute ago');
  });

  it('takes the local date, not the UTC one', () => {
    expect(localDate('2026-06-30T23:30:00Z', 'Europe/London')).toBe('2026-07-01');
  });

  it('counts whole years, turning on the birthday', () => {
    expect(ageInYears('2008-10-23', '2026-10-22')).toBe(17);
    expect(ageInYears('2008-10-22', '2026-10-22')).toBe(18);
  });

  it("reads a form's local date and time as the instant it names in the zone, across both clock changes", () => {
    const zone = 'Europe/London';
    expect(fromLocalInput('2026-07-01T12:00', zone)).toBe('2026-07-01T11:00:00.000Z');
    expect(fromLocalInput('2026-12-01T12:00', zone)).toBe('2026-12-01T12:00:00.000Z');
    // 01:30 happens twice when the clocks go back: the first, in summer time.
    expect(fromLocalInput('2026-10-25T01:30', zone)).toBe('2026-10-25T00:30:00.000Z');
    // 01:30 never happens when they go forward.
    expect(fromLocalInput('2026-03-29T01:30', zone)).toBeUndefined();
    expect(fromLocalInput('2026-02-30T10:00', zone)).toBeUndefined();
    expect(fromLocalInput('27/10/2026 10:00', zone)).toBeUndefined();
    expect(localInputValue('2026-07-01T11:00:00Z', zone)).toBe('2026-07-01T12:00');
  });
});
