import { loadCouncilFile } from '../infra/councils/council-files';
import type { LocalRuntime } from '../test/e2e/support/local-runtime';
import type { Figure } from './bench-report';
import { runInFlight } from './in-flight';
import {
  emailsByEpisodeRef,
  postTimed,
  quietOutbox,
  runtimeStatus,
  withLocalRuntime,
} from './local-runtime-load';
import { foundEvent, reportedEvent } from './signed-delivery';
import { summarise } from './stats';

/** Lateness p99: of notices falling due in real time, and of those a clock advance made due all at once. */
export const REMINDER_LATENESS_LIMIT_MS = { realTime: 1_000, afterAdvance: 2_000 } as const;

/** How far before the first reminders the clock is brought, so that they fall due in real time. */
const LEAD_MS = 2_000;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Hours after the return at which the council's notices fall due, each group fired together. */
const noticeHoursAfterReturn = (councilId: string): number[] => {
  const { deadlines } = loadCouncilFile(councilId);
  const hours = new Set<number>();
  for (const policy of Object.values(deadlines)) {
    for (const before of policy.remindBeforeHours) hours.add(policy.hours - before);
    hours.add(policy.hours + policy.escalateAfterHours);
  }
  return [...hours].sort((a, b) => a - b);
};

const advance = async (runtime: LocalRuntime, ms: number) => {
  const answer = await runtime.advanceClock(`PT${(Math.max(0, ms) / 1000).toFixed(3)}S`);
  if (answer.status !== 200) throw new Error(`the clock route answered ${answer.status}`);
  return answer.body as { now: string; schedulesFired: number };
};

const latenessFigures = (hop: string, lateness: number[], note: string, limitMs: number): Figure[] => {
  if (lateness.length === 0) throw new Error(`${hop}: no reminder or escalation was sent`);
  const summary = summarise(lateness);
  return [
    { hop, name: 'lateness p50', value: summary.p50, unit: 'ms', note },
    {
      hop,
      name: 'lateness p99',
      value: summary.p99,
      unit: 'ms',
      target: { atMost: limitMs },
    },
    { hop, name: 'lateness max', value: summary.max, unit: 'ms' },
  ];
};

/**
 * Many episodes reported and found in the local runtime; their reminders and escalations then fire two
 * ways. First in real time, as the scheduler times them: the clock is brought to just before the first
 * group and real time passes; lateness is each email's `sentAt` minus its notice's fire time. Then for each later group, a
 * clock advance past it: lateness is `sentAt` minus the instant the advance made it due (the clock's new
 * time), so the jump itself is not counted. All in local-runtime time.
 */
export const measureDeadlineLateness = async (options: {
  councilId: string;
  sourceId: string;
  episodes: number;
  inFlight: number;
}): Promise<Figure[]> =>
  withLocalRuntime(options.councilId, async (runtime) => {
    const refs = Array.from({ length: options.episodes }, (_, i) => `DUE-${i}`);
    const episodeIdOf = new Map<string, string>();
    for (const event of [reportedEvent, foundEvent]) {
      await runInFlight(refs.length, options.inFlight, async (i) => {
        const ref = refs[i] as string;
        const posted = await postTimed(runtime, options.sourceId, event(ref, new Date()), ref);
        episodeIdOf.set(ref, posted.episodeId);
      });
    }
    let seen = (await quietOutbox(runtime, 120_000)).length;
    const emailsSinceLastLook = async () => {
      const outbox = await quietOutbox(runtime, 180_000);
      const fresh = outbox.slice(seen);
      seen = outbox.length;
      return fresh;
    };

    // In real time: each episode's first notices all fire at one instant (the return plus the first group's hours).
    const before = await runtimeStatus(runtime);
    const firstFireAt = new Map<string, number>();
    for (const { fireAt, payload } of before.schedules.pending) {
      const at = Date.parse(fireAt);
      firstFireAt.set(payload.episodeId, Math.min(at, firstFireAt.get(payload.episodeId) ?? at));
    }
    const groupStart = Math.min(...firstFireAt.values());
    const groupEnd = Math.max(...firstFireAt.values());
    await advance(runtime, groupStart - LEAD_MS - Date.parse(before.now));
    const deadline = Date.now() + 120_000;
    while ((await runtimeStatus(runtime)).schedules.pending.some((s) => Date.parse(s.fireAt) <= groupEnd)) {
      if (Date.now() > deadline) throw new Error('the first reminders did not fire when due in real time');
      await sleep(100);
    }
    const onTick: number[] = [];
    for (const [ref, emails] of emailsByEpisodeRef(await emailsSinceLastLook())) {
      const fireAt = firstFireAt.get(episodeIdOf.get(ref) ?? '');
      if (fireAt === undefined)
        throw new Error(`a notice email for ${ref}, an episode the bench did not make`);
      for (const email of emails) onTick.push(Date.parse(email.sentAt) - fireAt);
    }

    const [first = 0, ...later] = noticeHoursAfterReturn(options.councilId);
    const afterAdvance: number[] = [];
    let fired = 0;
    let hoursSoFar = first;
    for (const hours of later) {
      const clock = await advance(runtime, (hours - hoursSoFar) * 3_600_000);
      hoursSoFar = hours;
      fired += clock.schedulesFired;
      for (const email of await emailsSinceLastLook()) {
        afterAdvance.push(Date.parse(email.sentAt) - Date.parse(clock.now));
      }
    }
    return [
      ...latenessFigures(
        'deadlines: falling due in real time',
        onTick,
        `${options.episodes} episodes, ${onTick.length} emails at return + ${first} h`,
        REMINDER_LATENESS_LIMIT_MS.realTime,
      ),
      ...latenessFigures(
        'deadlines: after a clock advance',
        afterAdvance,
        `${fired} notices fired by ${later.length} advances, ${afterAdvance.length} emails`,
        REMINDER_LATENESS_LIMIT_MS.afterAdvance,
      ),
    ];
  });
