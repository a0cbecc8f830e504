import type { EventType, PipelineEvent, PipelineEventInput } from '../../shared/events/event-schemas';
import { PipelineEvent as PipelineEventSchema } from '../../shared/events/event-schemas';

type DataOf<T extends EventType> = Extract<PipelineEventInput, { type: T }>['data'];

let counter = 0;

/** A wire event as a sender would post it (before parsing). */
export const wireEvent = <T extends EventType>(
  type: T,
  data: DataOf<T>,
  options: { id?: string; time?: string; source?: string } = {},
): Extract<PipelineEventInput, { type: T }> =>
  ({
    specversion: '1.0',
    id: options.id ?? `evt-${type.replace(/\W/g, '-')}-${++counter}`,
    source: options.source ?? 'urn:test:sender',
    type,
    time: options.time ?? new Date().toISOString(),
    data,
  }) as Extract<PipelineEventInput, { type: T }>;

/** The same event, parsed: what the core works with. */
export const parsedEvent = <T extends EventType>(
  type: T,
  data: DataOf<T>,
  options: { id?: string; time?: string; source?: string } = {},
): Extract<PipelineEvent, { type: T }> =>
  PipelineEventSchema.parse(wireEvent(type, data, options)) as Extract<PipelineEvent, { type: T }>;

export const reportData = (
  episodeRef: string,
  overrides: Partial<DataOf<'missing.reported'>> = {},
): DataOf<'missing.reported'> => ({
  episodeRef,
  child: { givenName: 'Alex', familyName: 'Example', dateOfBirth: '2011-05-14' },
  reportedBy: 'parent_carer',
  lastSeenAt: '2026-10-22T18:00:00+01:00',
  ...overrides,
});

/** A whole episode's events, from report to RHI completed, with times an hour or more apart. */
export const fullEpisode = (episodeRef: string, foundAt = '2026-10-24T09:30:00+01:00'): PipelineEvent[] => [
  parsedEvent('missing.reported', reportData(episodeRef), {
    id: `${episodeRef}-1`,
    time: '2026-10-22T19:00:00+01:00',
  }),
  parsedEvent(
    'missing.risk_assessed',
    { episodeRef, riskGrade: 'high', riskFactors: ['criminal_exploitation'] },
    { id: `${episodeRef}-2`, time: '2026-10-22T20:00:00+01:00' },
  ),
  parsedEvent('missing.found', { episodeRef, foundAt }, { id: `${episodeRef}-3`, time: foundAt }),
  parsedEvent(
    'prevention_interview.completed',
    { episodeRef, completedAt: '2026-10-24T15:00:00+01:00' },
    { id: `${episodeRef}-4`, time: '2026-10-24T15:05:00+01:00' },
  ),
  parsedEvent(
    'rhi.offered',
    { episodeRef, offeredAt: '2026-10-25T10:00:00Z' },
    { id: `${episodeRef}-5`, time: '2026-10-25T10:00:00Z' },
  ),
  parsedEvent(
    'rhi.completed',
    {
      episodeRef,
      completedAt: '2026-10-26T11:00:00Z',
      setting: 'neutral',
      concerns: { riskOfHarm: false, immediateSignificantHarm: false, exploitation: false },
    },
    { id: `${episodeRef}-6`, time: '2026-10-26T11:30:00Z' },
  ),
];
