import * as z from 'zod';

/**
 * What GET /_local/status answers that its clients read (the demo, the end-to-end tests, the bench); the
 * runtime adds dead letters and more for the person looking.
 */
export const LocalStatus = z.object({
  council: z.string(),
  now: z.string(),
  dataDir: z.string(),
  dispatch: z.object({ caughtUp: z.boolean() }),
  queue: z.object({ depth: z.number() }),
  schedules: z.object({
    pending: z.array(
      z.object({ fireAt: z.string(), payload: z.object({ episodeId: z.string(), noticeKey: z.string() }) }),
    ),
    /** Notices fired or put on the deadline queue whose reminder has not finished. */
    inFlight: z.number(),
  }),
  outbox: z.object({ emails: z.number(), dir: z.string() }),
});
export type LocalStatus = z.infer<typeof LocalStatus>;

/**
 * Nothing left to do for what was accepted: the outbox stream read and dispatched, the routing queue has
 * handed every message to notify, and the reminder has fired every notice that was due (their emails are
 * then in the outbox).
 */
export const isSettled = (status: LocalStatus): boolean =>
  status.dispatch.caughtUp && status.queue.depth === 0 && status.schedules.inFlight === 0;
