import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as z from 'zod';
import type { Clock } from '../../shared/ports';

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const UNIT_MS = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000] as const;

/**
 * An ISO-8601 duration of weeks, days, hours, minutes and seconds ("PT72H", "P3D", "P1DT12H"), as
 * milliseconds. Years and months are refused: they have no fixed length, and deadlines are elapsed hours.
 */
export const IsoDuration = z.string().transform((text, ctx) => {
  const match = DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be an ISO-8601 duration in weeks, days, hours, minutes or seconds, such as PT72H or P3D',
    });
    return z.NEVER;
  }
  return UNIT_MS.reduce((sum, unit, i) => sum + Number(match[i + 1] ?? 0) * unit, 0);
});

export const ClockAdvanceRequest = z.strictObject({ advance: IsoDuration });

export interface LocalClock extends Clock {
  /** How far the local clock runs ahead of real time. */
  offsetMs(): number;
  /** Moves the clock forward (never back: stored events must not end up in the future). */
  advance(ms: number): string;
}

const ClockFile = z.object({ offsetMs: z.number().int().nonnegative() });

/**
 * Real time plus an offset that only grows. With a file, the offset survives restarts, so an episode stored
 * after the clock moved is not "in the future" when the runtime comes back.
 */
export const createLocalClock = (options: { file?: string; realNow?: () => number } = {}): LocalClock => {
  const realNow = options.realNow ?? Date.now;
  let offset =
    options.file && existsSync(options.file)
      ? ClockFile.parse(JSON.parse(readFileSync(options.file, 'utf8'))).offsetMs
      : 0;
  return {
    now: () => new Date(realNow() + offset).toISOString(),
    offsetMs: () => offset,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the local clock only moves forward');
      offset += Math.round(ms);
      if (options.file) writeFileSync(options.file, `${JSON.stringify({ offsetMs: offset })}\n`);
      return new Date(realNow() + offset).toISOString();
    },
  };
};
