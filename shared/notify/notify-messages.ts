import * as z from 'zod';
import type { ReminderInvocation, RoutingMessage } from '../ports';

const id = z.string().min(1).max(200);

/** The SQS routing message, parsed at the notify function's boundary: ids only. */
export const RoutingMessageSchema = z.strictObject({
  episodeId: id,
  eventId: id,
  sourceId: id,
}) satisfies z.ZodType<RoutingMessage>;

/** The payload a deadline schedule (or the sweep) fires the reminder function with: ids only. */
export const ReminderInvocationSchema = z.strictObject({
  episodeId: id,
  noticeKey: z.string().regex(/^[a-z0-9-]{1,40}$/, 'a notice key such as rhi-r24-abc123'),
}) satisfies z.ZodType<ReminderInvocation>;
