import { stepEvents } from '../actions/step-kinds';
import {
  type CouncilConfig,
  type DeadlineKind,
  deadlinePolicy,
  type RecipientRef,
} from '../council/council-schema';
import type { EpisodeState } from '../episode/episode-state';
import type { EventType } from '../events/event-types';
import { resolveRecipient } from '../routing/recipients';
import { compareInstants } from '../time/instant';
import { deadlineKinds } from './deadline-kinds';
import { deadlineState, isPending } from './deadline-notices';

/** A deadline the episode still owes: what an email's banner or the episode view shows for it. */
export interface OpenDeadline {
  kind: DeadlineKind;
  label: string;
  dueAt: string;
  /** Asked for as soon as possible, `dueAt` being the latest. */
  asSoonAsPossible: boolean;
  state: 'open' | 'overdue';
  /** Who must do it, as the episode resolves the council's responsible recipient. */
  responsible: { ref: RecipientRef; name: string };
  /** What they must do, in the council file's words. */
  action: string;
  /** The event that usually records the step (and any field it fixes): what a "record this step" link posts. */
  step: { type: EventType; fixed?: Readonly<Record<string, string>> };
}

/** Every deadline the episode still owes (neither met nor ended), soonest first. Pure: `now` decides overdue. */
export const openDeadlines = (episode: EpisodeState, council: CouncilConfig, now: string): OpenDeadline[] =>
  episode.deadlines
    .filter(isPending)
    .map((deadline): OpenDeadline => {
      const policy = deadlinePolicy(council, deadline.kind);
      return {
        kind: deadline.kind,
        label: deadlineKinds[deadline.kind].label,
        dueAt: deadline.dueAt,
        asSoonAsPossible: policy.asSoonAsPossible,
        state: deadlineState(deadline, now) === 'overdue' ? 'overdue' : 'open',
        responsible: {
          ref: policy.responsible,
          name: resolveRecipient(policy.responsible, episode, council).name,
        },
        action: policy.action,
        step: {
          type: stepEvents[deadline.kind].events[0] as EventType,
          ...(stepEvents[deadline.kind].fixed ? { fixed: stepEvents[deadline.kind].fixed } : {}),
        },
      };
    })
    .sort((a, b) => compareInstants(a.dueAt, b.dueAt));
