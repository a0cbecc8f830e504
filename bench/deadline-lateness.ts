import { loadCouncilFile } from '../infra/councils/council-files';
import type { LocalRuntime } from '../test/e2e/support/local-runtime';
import type { Figure } from './bench-report';
import { runInFlight } from './in-flight';
import { postTimed, quietOutbox, withLocalRuntime } from './local-runtime-load';
import { foundEvent, reportedEvent } from './signed-delivery';
import { summarise } from './stats';

export const REMINDER_LATENESS_LIMIT_MS = 1_000;

/** Hours after the return at which the council's notices fall due, each advance crossing one group of them. */
const advancesAfterReturn = (councilId: string): number[] => {
  const { deadlines } = loadCouncilFile(councilId);
  const hours = new Set<number>();
  for (const policy of Object.values(deadlines)) {
    for (const before of policy.remindBeforeHours) hours.add(policy.hours - before);
    hours.add(policy.hours + policy.escalateAfterHours);
  }
  return [...hours].sort((a, b) => a - b);
};

const advance = async (runtime: LocalRuntime, seconds: number) => {
  const answer = await runtime.advanceClock(`PT${seconds}S`);
  if (answer.status !== 200) throw new Error(`the clock route answered ${answer.status}`);
  return answer.body as { now: string; schedulesFired: number };
};

/**
 * Many episodes reported and found in the local runtime, then the clock advanced past each group of
 * reminders and escalations in turn. Lateness is each notice email's `sentAt` minus the instant the
 * advance made it due (the clock's new time): local-runtime time, so the jump itself is not counted.
 */
export const measureDeadlineLateness = async (options: {
  councilId: string;
  sourceId: string;
  episodes: number;
  inFlight: number;
}): Promise<Figure[]> => {
  return withLocalRuntime(options.councilId, async (runtime) => {
    const refs = Array.from({ length: options.episodes }, (_, i) => `DUE-${i}`);
    for (const event of [reportedEvent, foundEvent]) {
      await runInFlight(refs.length, options.inFlight, async (i) => {
        const ref = refs[i] as string;
        await postTimed(runtime, options.sourceId, event(ref, new Date()), ref);
      });
    }
    let seen = (await quietOutbox(runtime, 120_000)).length;

    // Each advance crosses one group of fire times; the first minute covers the time the posting took.
    const lateness: number[] = [];
    let fired = 0;
    let hoursSoFar = 0;
    for (const [i, hours] of advancesAfterReturn(options.councilId).entries()) {
      const clock = await advance(runtime, (hours - hoursSoFar) * 3_600 + (i === 0 ? 60 : 0));
      hoursSoFar = hours;
      fired += clock.schedulesFired;
      const outbox = await quietOutbox(runtime, 180_000);
      for (const email of outbox.slice(seen)) lateness.push(Date.parse(email.sentAt) - Date.parse(clock.now));
      seen = outbox.length;
    }
    if (lateness.length === 0) throw new Error('no reminder or escalation was sent');
    const summary = summarise(lateness);
    const hop = 'deadlines: after a clock advance';
    return [
      {
        hop,
        name: 'schedules fired',
        value: fired,
        unit: 'notices',
        note: `${options.episodes} episodes found; ${lateness.length} reminder and escalation emails`,
      },
      { hop, name: 'lateness p50', value: summary.p50, unit: 'ms' },
      {
        hop,
        name: 'lateness p99',
        value: summary.p99,
        unit: 'ms',
        target: { atMost: REMINDER_LATENESS_LIMIT_MS },
      },
      { hop, name: 'lateness max', value: summary.max, unit: 'ms' },
    ];
  });
};
