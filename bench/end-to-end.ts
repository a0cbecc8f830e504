import type { LocalRuntime } from '../test/e2e/support/local-runtime';
import type { Figure } from './bench-report';
import { runInFlight } from './in-flight';
import {
  emailsByEpisodeRef,
  type Posted,
  postTimed,
  quietOutbox,
  withLocalRuntime,
} from './local-runtime-load';
import { reportedEvent } from './signed-delivery';
import { summarise } from './stats';

/** From a 202 to the last of its emails, p99: at a steady 10 per second, and in a burst of 1,000 at 50 in flight. */
export const OUTBOX_P99_LIMIT_MS = { steady: 250, burst: 1_000 } as const;

export type Load =
  | { kind: 'steady'; events: number; perSecond: number }
  | { kind: 'burst'; events: number; inFlight: number };

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const send = (runtime: LocalRuntime, sourceId: string, episodeRef: string) =>
  postTimed(runtime, sourceId, reportedEvent(episodeRef, new Date()), episodeRef);

/** Open loop: a post every 1/rate seconds whether or not the last was answered, as senders behave. */
const steady = async (runtime: LocalRuntime, sourceId: string, refs: string[], perSecond: number) => {
  const started = Date.now();
  return Promise.all(
    refs.map(async (ref, i) => {
      await sleep(Math.max(0, started + (i * 1000) / perSecond - Date.now()));
      return send(runtime, sourceId, ref);
    }),
  );
};

const burst = async (runtime: LocalRuntime, sourceId: string, refs: string[], inFlight: number) => {
  const posted = new Array<Posted>(refs.length);
  await runInFlight(refs.length, inFlight, async (i) => {
    posted[i] = await send(runtime, sourceId, refs[i] as string);
  });
  return posted;
};

/**
 * Through the local runtime over real HTTP (spawned as `npm start` runs, fresh data folder): children
 * reported missing, and for each the time from its 202 to the last of its emails in the outbox (the
 * outbox's own `sentAt`; the runtime's clock is not moved here, so it is this machine's clock).
 */
export const measureEndToEnd = async (options: {
  councilId: string;
  sourceId: string;
  load: Load;
  warmUp: number;
}): Promise<Figure[]> => {
  const { load, sourceId } = options;
  return withLocalRuntime(options.councilId, async (runtime) => {
    const warmRefs = Array.from({ length: options.warmUp }, (_, i) => `WARM-${load.kind}-${i}`);
    await burst(runtime, sourceId, warmRefs, 4);
    await quietOutbox(runtime, 60_000);

    const refs = Array.from({ length: load.events }, (_, i) => `E2E-${load.kind}-${i}`);
    const started = Date.now();
    const posted =
      load.kind === 'steady'
        ? await steady(runtime, sourceId, refs, load.perSecond)
        : await burst(runtime, sourceId, refs, load.inFlight);
    const emails = emailsByEpisodeRef(await quietOutbox(runtime, 180_000));
    const lastEmailAt = (ref: string) =>
      Math.max(...(emails.get(ref) ?? []).map((email) => Date.parse(email.sentAt)));
    const unmailed = posted.filter((p) => !emails.has(p.episodeRef)).length;
    if (unmailed > 0) throw new Error(`${unmailed} of ${posted.length} accepted events produced no email`);

    const fromAccepted = summarise(posted.map((p) => lastEmailAt(p.episodeRef) - p.acceptedAt));
    const fromPosted = summarise(posted.map((p) => lastEmailAt(p.episodeRef) - p.postedAt));
    const accepted = summarise(posted.map((p) => p.acceptedAt - p.postedAt));
    const allDone = Math.max(...posted.map((p) => lastEmailAt(p.episodeRef)));
    const emailCount = posted.reduce((sum, p) => sum + (emails.get(p.episodeRef)?.length ?? 0), 0);
    const hop = `end to end: ${
      load.kind === 'steady' ? `steady ${load.perSecond}/s` : `burst, ${load.inFlight} in flight`
    }`;
    const shape = `${load.events} reports, ${(emailCount / load.events).toFixed(1)} emails each`;
    return [
      { hop, name: 'posted -> 202 p50', value: accepted.p50, unit: 'ms' },
      { hop, name: 'posted -> 202 p99', value: accepted.p99, unit: 'ms' },
      { hop, name: '202 -> last email p50', value: fromAccepted.p50, unit: 'ms', note: shape },
      {
        hop,
        name: '202 -> last email p99',
        value: fromAccepted.p99,
        unit: 'ms',
        target: { atMost: OUTBOX_P99_LIMIT_MS[load.kind] },
      },
      { hop, name: 'posted -> last email p99', value: fromPosted.p99, unit: 'ms' },
      {
        hop,
        name: 'emails per second',
        value: (emailCount / (allDone - started)) * 1000,
        unit: 'emails/s',
        note: 'from the first post to the last email',
      },
    ];
  });
};
