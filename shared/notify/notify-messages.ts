import * as z from 'zod/mini';
import { identifierKinds } from '../children/child-identifiers';
import type { RecordReview, ReminderInvocation, RoutingMessage } from '../ports';
import '../validation/english-messages';

const id = z.string().check(z.minLength(1), z.maxLength(200));

const identifierKind = z.enum(identifierKinds);

/** A review a report asks of the council's managers: ids and kinds of identifier only. */
const RecordReviewSchema = z.strictObject({
  reason: z.enum(['two-children', 'kept-apart', 'identifier-differs', 'born-differs']),
  decidedBy: z.enum([...identifierKinds, 'episodeRef']),
  conflicting: z.array(identifierKind).check(z.maxLength(identifierKinds.length)),
  other: z.strictObject({ episodeId: id, episodeRef: id }),
  key: id,
}) satisfies z.ZodMiniType<RecordReview>;

/** The SQS routing message, parsed at the notify function's boundary: ids only. */
export const RoutingMessageSchema = z.strictObject({
  episodeId: id,
  eventId: id,
  sourceId: id,
  review: z.optional(RecordReviewSchema),
}) satisfies z.ZodMiniType<RoutingMessage>;

/** The payload a deadline schedule (or the sweep) fires the reminder function with: ids only. */
export const ReminderInvocationSchema = z.strictObject({
  episodeId: id,
  noticeKey: z.string().check(z.regex(/^[a-z0-9-]{1,40}$/, 'a notice key such as rhi-r24-abc123')),
}) satisfies z.ZodMiniType<ReminderInvocation>;
