import * as z from 'zod/mini';
import type { ReminderInvocation, RoutingMessage } from '../ports';
import '../validation/english-messages';

const id = z.string().check(z.minLength(1), z.maxLength(200));

/** The SQS routing message, parsed at the notify function's boundary: ids only. */
export const RoutingMessageSchema = z.strictObject({
  episodeId: id,
  eventId: id,
  sourceId: id,
}) satisfies z.ZodMiniType<RoutingMessage>;

/** The payload a deadline schedule (or the sweep) fires the reminder function with: ids only. */
export const ReminderInvocationSchema = z.strictObject({
  episodeId: id,
  noticeKey: z.string().check(z.regex(/^[a-z0-9-]{1,40}$/, 'a notice key such as rhi-r24-abc123')),
}) satisfies z.ZodMiniType<ReminderInvocation>;
