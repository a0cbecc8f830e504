import type { CouncilConfig, DeadlineKind, RoutingCondition, RoutingRule } from '../council/council-schema';
import type { EpisodeState } from '../episode/episode-state';
import type { PipelineEvent } from '../events/event-schemas';
import { hasExploitationRisk } from '../events/risk-factors';
import { mergeByAddress, type Recipient, resolveRecipient } from './recipients';

export interface RoutedAction {
  ruleId: string;
  why: string;
  action: string;
  by?: DeadlineKind;
}

/** One email's worth: who, and every reason this event concerns them. */
export interface Delivery {
  recipient: Recipient;
  actions: RoutedAction[];
}

/** The facts a routing condition can test, read from the event where it carries them, else from the episode. */
const facts = (event: PipelineEvent, episode: EpisodeState) => {
  const data = event.data as {
    riskGrade?: EpisodeState['riskGrade'];
    riskFactors?: EpisodeState['riskFactors'];
    concerns?: { riskOfHarm: boolean; immediateSignificantHarm: boolean; exploitation: boolean };
    harmSuspected?: boolean;
  };
  return {
    kind: episode.kind,
    riskGrade: data.riskGrade ?? episode.riskGrade,
    exploitationRisk: data.riskFactors ? hasExploitationRisk(data.riskFactors) : episode.exploitationRisk,
    repeatMissing: episode.repeatMissing,
    lookedAfter: episode.child.lookedAfter,
    riskOfHarm: data.concerns?.riskOfHarm ?? false,
    immediateSignificantHarm: data.concerns?.immediateSignificantHarm ?? false,
    exploitationConcern: data.concerns?.exploitation ?? false,
    harmSuspected: data.harmSuspected ?? false,
  };
};

const matches = (when: RoutingCondition, f: ReturnType<typeof facts>): boolean =>
  (when.kind === undefined || when.kind === f.kind) &&
  (when.riskGrade === undefined || (f.riskGrade !== undefined && when.riskGrade.includes(f.riskGrade))) &&
  (when.exploitationRisk === undefined || when.exploitationRisk === f.exploitationRisk) &&
  (when.repeatMissing === undefined || when.repeatMissing === f.repeatMissing) &&
  (when.lookedAfter === undefined || when.lookedAfter === f.lookedAfter) &&
  (when.riskOfHarm === undefined || when.riskOfHarm === f.riskOfHarm) &&
  (when.immediateSignificantHarm === undefined ||
    when.immediateSignificantHarm === f.immediateSignificantHarm) &&
  (when.exploitationConcern === undefined || when.exploitationConcern === f.exploitationConcern) &&
  (when.harmSuspected === undefined || when.harmSuspected === f.harmSuspected);

/** The council's routing rules that an event sets off, given the episode as it stands with that event. */
export const matchingRules = (
  event: PipelineEvent,
  episode: EpisodeState,
  council: CouncilConfig,
): RoutingRule[] => {
  const f = facts(event, episode);
  return council.routing.filter((rule) => rule.on.includes(event.type) && matches(rule.when, f));
};

/** Which agencies hear of an event, and why: one delivery per inbox, with every action that applies to it. */
export const routeEvent = (event: PipelineEvent, episode: EpisodeState, council: CouncilConfig): Delivery[] =>
  mergeByAddress(
    matchingRules(event, episode, council).flatMap((rule) =>
      rule.notify.map(
        (n): Delivery => ({
          recipient: resolveRecipient(n.to, episode, council),
          actions: [{ ruleId: rule.id, why: rule.why, action: n.action, ...(n.by ? { by: n.by } : {}) }],
        }),
      ),
    ),
    (into, from) => {
      into.actions.push(...from.actions);
    },
  );
