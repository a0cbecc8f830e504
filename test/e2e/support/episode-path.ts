import { loadCouncilFile } from '../../../infra/councils/council-files';
import { demoEpisode } from '../../../infra/local/demo-episode';
import type { LocalRuntime } from './local-runtime';

export interface StepOutcome {
  say: string;
  /** The intake's or the clock route's HTTP status. */
  status: number;
  body: unknown;
  /** Who got an email in this step, one entry per email, sorted. */
  recipients: string[];
  subjects: string[];
}

/** Posts the demo's episode (report to late RHI) step by step and records what each step put in the outbox. */
export const runEpisodePath = async (runtime: LocalRuntime, councilId: string, episodeRef: string) => {
  const council = loadCouncilFile(councilId);
  const start = (await runtime.status()).now;
  let seen = (await runtime.outbox()).length;
  const outcomes: StepOutcome[] = [];
  for (const step of demoEpisode(council, start, episodeRef)) {
    const answer =
      'advance' in step
        ? await runtime.advanceClock(step.advance)
        : await runtime.send(step.sourceId, step.event);
    const emails = (await runtime.settledOutbox()).slice(seen);
    seen += emails.length;
    outcomes.push({
      say: step.say,
      status: answer.status,
      body: answer.body,
      recipients: emails.flatMap((e) => [...e.to, ...e.cc]).sort(),
      subjects: emails.map((e) => e.subject),
    });
  }
  return outcomes;
};

/** The inbox of an agency as the council file gives it. */
export const inboxOf = (councilId: string) => {
  const council = loadCouncilFile(councilId);
  return (agencyId: string) => {
    const agency = council.agencies[agencyId];
    if (!agency) throw new Error(`${councilId} has no agency ${agencyId}`);
    return agency.inbox.address;
  };
};
