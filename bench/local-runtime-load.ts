import { rmSync } from 'node:fs';
import * as z from 'zod';
import { isSettled, LocalStatus } from '../infra/local/local-status';
import type { OutboxEntry } from '../infra/local/outbox-mailer';
import type { PipelineEventInput } from '../shared/events/event-schemas';
import { type LocalRuntime, startRuntime } from '../test/e2e/support/local-runtime';

/** One webhook as the bench saw it: when it was posted and when its 202 came back (wall clock, ms). */
export interface Posted {
  episodeRef: string;
  episodeId: string;
  postedAt: number;
  acceptedAt: number;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Runs `npm start`'s entry as a child process (a free port, a fresh data folder, every source's secret
 * chosen here, as the end-to-end tests start it), hands it to `use`, then stops it and deletes its data.
 */
export const withLocalRuntime = async <T>(
  councilId: string,
  use: (runtime: LocalRuntime) => Promise<T>,
): Promise<T> => {
  const runtime = await startRuntime({ council: councilId });
  try {
    return await use(runtime);
  } finally {
    await runtime.stop();
    rmSync(runtime.dataDir, { recursive: true, force: true });
  }
};

/** Posts one event to the running pipeline and times it; anything but 202 stops the bench. */
export const postTimed = async (
  runtime: LocalRuntime,
  sourceId: string,
  event: PipelineEventInput,
  episodeRef: string,
): Promise<Posted> => {
  const postedAt = Date.now();
  const answer = await runtime.send(sourceId, event);
  const acceptedAt = Date.now();
  if (answer.status !== 202) {
    throw new Error(
      `the local pipeline answered ${answer.status} to ${event.id}: ${JSON.stringify(answer.body)}`,
    );
  }
  return { episodeRef, episodeId: Accepted.parse(answer.body).episodeId, postedAt, acceptedAt };
};

const Accepted = z.object({ episodeId: z.string() });

export const runtimeStatus = async (runtime: LocalRuntime): Promise<LocalStatus> =>
  LocalStatus.parse(await (await fetch(`${runtime.url}/_local/status`)).json());

/**
 * Waits until the outbox stream is dispatched, the routing queue is empty and the mail outbox has stopped
 * growing, then reads it once: reading the whole outbox while the load runs would load what is measured.
 */
export const quietOutbox = async (runtime: LocalRuntime, timeoutMs: number): Promise<OutboxEntry[]> => {
  const until = Date.now() + timeoutMs;
  let previous = -1;
  for (;;) {
    const status = await runtimeStatus(runtime);
    if (isSettled(status) && status.outbox.emails === previous) return runtime.outbox();
    if (Date.now() > until) throw new Error(`the local pipeline was still busy after ${timeoutMs} ms`);
    previous = status.outbox.emails;
    await sleep(250);
  }
};

/** The emails about one episode: every subject ends "(ref <episodeRef>)". */
export const emailsByEpisodeRef = (outbox: OutboxEntry[]): Map<string, OutboxEntry[]> => {
  const byRef = new Map<string, OutboxEntry[]>();
  for (const email of outbox) {
    const ref = /\(ref ([^)]+)\)$/.exec(email.subject)?.[1];
    if (!ref) continue;
    byRef.set(ref, [...(byRef.get(ref) ?? []), email]);
  }
  return byRef;
};
