import type { StepKind } from '../../shared/actions/step-kinds';
import { type CouncilConfig, webhookSources } from '../../shared/council/council-schema';
import type { EventType, PipelineEventInput } from '../../shared/events/event-schemas';
import { addHours, localDate, localInputValue } from '../../shared/time/instant';

type DataOf<T extends EventType> = Extract<PipelineEventInput, { type: T }>['data'];

/** A step recorded by a person from the link in an email: whose inbox it is in, which step, what they type. */
export interface LinkStep {
  say: string;
  link: { inbox: string; step: StepKind; fields: Record<string, string | string[]> };
}

export type DemoStep =
  | { say: string; sourceId: string; event: PipelineEventInput }
  | { say: string; advance: string; hours: number }
  | LinkStep;

/** The council's source that may send an event type: the police send most, the RHI provider its outcomes. */
export const sourceFor = (
  council: CouncilConfig,
  type: EventType,
  prefer?: (id: string) => boolean,
): string => {
  const allowed = Object.entries(webhookSources(council))
    .filter(([, source]) => source.events.includes(type))
    .map(([id]) => id);
  const chosen = allowed.find((id) => prefer?.(id) ?? false) ?? allowed[0];
  if (!chosen) throw new Error(`council ${council.id} has no source that may send ${type}`);
  return chosen;
};

/**
 * One realistic missing episode, report to Return Home Interview, with times relative to the local clock
 * at the start: reported, graded high risk for criminal exploitation, found, two days pass (reminders), the
 * Prevention Interview, a day more (the RHI is overdue and escalated), then the RHI provider, which has no
 * system of its own here, records the late RHI from the link in its escalation email, finding a risk of harm.
 * The child is invented.
 */
export const demoEpisode = (council: CouncilConfig, start: string, episodeRef: string): DemoStep[] => {
  const police = sourceFor(council, 'missing.found');
  const rhiProvider = council.agencies[council.roles.rhiProvider];
  if (!rhiProvider) throw new Error(`council ${council.id} has no RHI provider agency`);
  let sequence = 0;
  const event = <T extends EventType>(type: T, time: string, data: DataOf<T>): PipelineEventInput =>
    ({
      specversion: '1.0',
      id: `${episodeRef}-${++sequence}`,
      source: `urn:local-demo:${council.id}`,
      type,
      time,
      data,
    }) as PipelineEventInput;
  const at = (hours: number) => addHours(start, hours);
  const birthYear = Number(localDate(start, council.timeZone).slice(0, 4)) - 14;
  return [
    {
      say: `${council.sources[police]?.name} report a 14-year-old missing from home`,
      sourceId: police,
      event: event('missing.reported', at(-5), {
        episodeRef,
        child: { givenName: 'Jordan', familyName: 'Sample', dateOfBirth: `${birthYear}-03-09` },
        reportedBy: 'parent_carer',
        lastSeenAt: at(-6),
        lastSeenPlace: 'Bus station, town centre',
        riskGrade: 'medium',
      }),
    },
    {
      say: 'The police re-assess the risk as high: criminal exploitation suspected',
      sourceId: police,
      event: event('missing.risk_assessed', at(-4), {
        episodeRef,
        riskGrade: 'high',
        riskFactors: ['criminal_exploitation', 'running_to_someone'],
      }),
    },
    {
      say: 'The child is found safe an hour ago: the 72-hour Return Home Interview clock starts',
      sourceId: police,
      event: event('missing.found', at(-0.9), { episodeRef, foundAt: at(-1), returnedTo: 'home' }),
    },
    { say: 'Two days pass', advance: 'PT48H', hours: 48 },
    {
      say: 'The police complete the Prevention Interview',
      sourceId: police,
      event: event('prevention_interview.completed', at(47.5), { episodeRef, completedAt: at(47) }),
    },
    { say: 'A day more passes: the Return Home Interview is now overdue', advance: 'PT24H', hours: 24 },
    {
      say: `${rhiProvider.name} hold the Return Home Interview, late, find a risk of harm, and record it from the link in their escalation email`,
      link: {
        inbox: rhiProvider.inbox.address,
        step: 'return_home_interview',
        fields: {
          type: 'rhi.completed',
          completedAt: localInputValue(at(71.5), council.timeZone),
          setting: 'neutral',
          concerns: ['riskOfHarm'],
          'recordedBy.name': 'Sam Sample (demo worker)',
        },
      },
    },
  ];
};
