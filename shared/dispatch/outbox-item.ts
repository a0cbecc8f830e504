import * as z from 'zod/mini';
import { DeadlineKind } from '../council/council-schema';
import type { DeadlineNotice } from '../deadlines/deadline-notices';
import { RoutingMessageSchema } from '../notify/notify-messages';
import type { OutboxItem, RoutingMessage } from '../ports';
import '../validation/english-messages';

/**
 * The outbox items one accepted event writes in its commit: always its routing message, and its deadline
 * schedule changes when it has any. Two items rather than one, so a Scheduler or SES failure retries the
 * schedules alone and never sends the routing message again.
 */
export const outboxItems = (
  routing: RoutingMessage,
  notices: { create: DeadlineNotice[]; cancel: DeadlineNotice[] },
  committedAt: string,
): OutboxItem[] => [
  { kind: 'routing', committedAt, message: routing },
  ...(notices.create.length + notices.cancel.length > 0
    ? [
        {
          kind: 'deadlines' as const,
          committedAt,
          episodeId: routing.episodeId,
          schedule: notices.create,
          cancel: notices.cancel,
        },
      ]
    : []),
];

const instant = z.string().check(z.minLength(20), z.maxLength(40));

const DeadlineNoticeSchema = z.strictObject({
  deadlineKind: DeadlineKind,
  notice: z.enum(['reminder', 'escalation']),
  hoursBefore: z.optional(z.number()),
  fireAt: instant,
  dueAt: instant,
}) satisfies z.ZodMiniType<DeadlineNotice>;

/** An outbox item as the dispatcher reads it back from the stream: parsed at its boundary like any message. */
export const OutboxItemSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('routing'), committedAt: instant, message: RoutingMessageSchema }),
  z.strictObject({
    kind: z.literal('deadlines'),
    committedAt: instant,
    episodeId: z.string().check(z.minLength(1), z.maxLength(200)),
    schedule: z.array(DeadlineNoticeSchema),
    cancel: z.array(DeadlineNoticeSchema),
  }),
]) satisfies z.ZodMiniType<OutboxItem>;
