import * as z from 'zod/mini';
import type { EventOf, PipelineEvent, ReportEvent } from './event-schemas';
import '../validation/english-messages';

/**
 * The event types of the v1 wire contract, apart from their data schemas: the council file, routing
 * and the episode fold need only the names, so the notify, reminder, sweep and report functions never build
 * the event schemas at init (about 7 ms).
 */
export const eventTypes = [
  'missing.reported',
  'absence.reported',
  'missing.risk_assessed',
  'missing.found',
  'prevention_interview.completed',
  'rhi.offered',
  'rhi.completed',
  'rhi.declined',
  'strategy_discussion.held',
  'referral.acknowledged',
  'missing.reviewed',
  'absence.safety_confirmed',
  'episode.withdrawn',
] as const;

export const EventType = z.enum(eventTypes);
export type EventType = z.infer<typeof EventType>;

export const isReport = (event: PipelineEvent): event is ReportEvent =>
  event.type === 'missing.reported' || event.type === 'absence.reported';

/** The events of these types, in the order given. */
export const eventsOfType = <T extends EventType>(
  events: readonly PipelineEvent[],
  ...types: T[]
): EventOf<T>[] => events.filter((e): e is EventOf<T> => (types as EventType[]).includes(e.type));
