import { loadCouncilFile } from '../../../infra/councils/council-files';
import { demoEpisode, type LinkStep } from '../../../infra/local/demo-episode';
import { recordFromLink, stepLinkIn } from '../../../infra/local/record-from-link';
import type { LocalRuntime } from './local-runtime';

export interface StepOutcome {
  say: string;
  /** The intake's, the clock route's or the action page's HTTP status. */
  status: number;
  body: unknown;
  /** Who got an email in this step, one entry per email, sorted. */
  recipients: string[];
  subjects: string[];
}

/** A step recorded from the link in the latest email of the episode that offers it: the form's page, as status and body. */
const throughLink = async (runtime: LocalRuntime, step: LinkStep, episodeRef: string) => {
  const link = (await runtime.outbox())
    .filter((e) => e.to.includes(step.link.inbox) && e.subject.includes(`(ref ${episodeRef})`))
    .map((e) => stepLinkIn(e.text, step.link.step))
    .filter((found): found is string => found !== undefined)
    .at(-1);
  if (!link) throw new Error(`no email to ${step.link.inbox} offers a link to record ${step.link.step}`);
  const { recorded } = await recordFromLink(link, step.link.fields);
  return { status: recorded.status, body: recorded.title };
};

/**
 * Plays the demo's episode (report to late RHI) step by step, the RHI recorded from the link in its email,
 * and records what each step put in the outbox.
 */
export const runEpisodePath = async (runtime: LocalRuntime, councilId: string, episodeRef: string) => {
  const council = loadCouncilFile(councilId);
  const start = (await runtime.status()).now;
  let seen = (await runtime.outbox()).length;
  const outcomes: StepOutcome[] = [];
  for (const step of demoEpisode(council, start, episodeRef)) {
    const answer =
      'link' in step
        ? await throughLink(runtime, step, episodeRef)
        : 'advance' in step
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
