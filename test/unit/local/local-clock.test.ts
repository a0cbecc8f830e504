import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalClock, IsoDuration } from '../../../infra/local/local-clock';

describe('the local clock', () => {
  it('reads ISO-8601 durations of weeks, days, hours, minutes and seconds', () => {
    expect(IsoDuration.parse('PT72H')).toBe(72 * 3_600_000);
    expect(IsoDuration.parse('P3D')).toBe(3 * 86_400_000);
    expect(IsoDuration.parse('P1W')).toBe(7 * 86_400_000);
    expect(IsoDuration.parse('P1DT12H30M15.5S')).toBe(86_400_000 + 12 * 3_600_000 + 30 * 60_000 + 15_500);
  });

  it('refuses durations without a fixed length and text that is not a duration', () => {
    for (const text of ['P1Y', 'P2M', 'P', 'PT', '72h', 'PT-1H', '']) {
      expect(IsoDuration.safeParse(text).success, text).toBe(false);
    }
  });

  it('runs ahead of real time by what it was advanced', () => {
    const clock = createLocalClock({ realNow: () => Date.parse('2026-10-22T10:00:00Z') });
    expect(clock.now()).toBe('2026-10-22T10:00:00.000Z');
    expect(clock.advance(72 * 3_600_000)).toBe('2026-10-25T10:00:00.000Z');
    expect(clock.now()).toBe('2026-10-25T10:00:00.000Z');
  });

  it('never moves back', () => {
    expect(() => createLocalClock().advance(-1)).toThrow(RangeError);
  });

  it('keeps its offset in a file so a restart does not put stored events in the future', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'clock-')), 'clock.json');
    const realNow = () => Date.parse('2026-10-22T10:00:00Z');
    createLocalClock({ file, realNow }).advance(3_600_000);
    expect(createLocalClock({ file, realNow }).now()).toBe('2026-10-22T11:00:00.000Z');
  });
});
