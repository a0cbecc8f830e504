import { isEmailSource, type StepKind } from '../actions/step-kinds';
import type { CouncilConfig, DeadlineKind, RoutingCondition, RoutingRule } from '../council/council-schema';
import type { EpisodeState } from '../episode/episode-state';
import type { PipelineEvent, StrategyOutcome } from '../events/event-schemas';
import type { RiskFactor } from '../events/risk-factors';
import { isPoliceSource, type RoutingContext } from './provenance';
import { mergeByAddress, type Recipient, resolveRecipient } from './recipients';

export interface RoutedAction {
  ruleId: string;
  action: string;
  by?: DeadlineKind;
  /** A step the action asks for that no deadline tracks. */
  asks?: StepKind;
}

/** One email's worth: who, and every reason this event concerns them. */
export interface Delivery {
  recipient: Recipient;
  actions: RoutedAction[];
}

/** The facts a routing condition can test, read from the event where it carries them, else from the episode. */
const facts = (
  event: PipelineEvent,
  episode: EpisodeState,
  council: CouncilConfig,
  context: RoutingContext,
) => {
  const data = event.data as {
    riskGrade?: EpisodeState['riskGrade'];
    riskFactors?: EpisodeState['riskFactors'];
    concerns?: { riskOfHarm: boolean; immediateSignificantHarm: boolean; exploitation: boolean };
    harmSuspected?: boolean;
    outcome?: StrategyOutcome;
  };
  const { before } = context;
  const newFactors = newRiskFactors(event, before);
  return {
    kind: episode.kind,
    sentByPolice: isPoliceSource(context.sourceId, council),
    riskGrade: data.riskGrade ?? episode.riskGrade,
    riskChanged:
      (data.riskGrade !== undefined && data.riskGrade !== before?.riskGrade) || newFactors.length > 0,
    newFactors,
    repeatMissing: episode.repeatMissing,
    lookedAfter: episode.child.lookedAfter,
    riskOfHarm: data.concerns?.riskOfHarm ?? false,
    immediateSignificantHarm: data.concerns?.immediateSignificantHarm ?? false,
    exploitationConcern: data.concerns?.exploitation ?? false,
    harmSuspected: data.harmSuspected ?? false,
    strategyOutcome: event.type === 'strategy_discussion.held' ? data.outcome : undefined,
    fromEmailLink: isEmailSource(context.sourceId),
  };
};

/** The risk factors an event records that the episode had not recorded before it. */
export const newRiskFactors = (event: PipelineEvent, before: EpisodeState | undefined): RiskFactor[] => {
  const recorded = (event.data as { riskFactors?: RiskFactor[] }).riskFactors ?? [];
  return recorded.filter((factor) => !before?.riskFactors.includes(factor));
};

const matches = (when: RoutingCondition, f: ReturnType<typeof facts>): boolean =>
  (when.kind === undefined || when.kind === f.kind) &&
  (when.sentByPolice === undefined || when.sentByPolice === f.sentByPolice) &&
  (when.riskGrade === undefined || (f.riskGrade !== undefined && when.riskGrade.includes(f.riskGrade))) &&
  (when.riskChanged === undefined || when.riskChanged === f.riskChanged) &&
  (when.riskFactors === undefined || when.riskFactors.some((factor) => f.newFactors.includes(factor))) &&
  (when.repeatMissing === undefined || when.repeatMissing === f.repeatMissing) &&
  (when.lookedAfter === undefined || when.lookedAfter === f.lookedAfter) &&
  (when.riskOfHarm === undefined || when.riskOfHarm === f.riskOfHarm) &&
  (when.immediateSignificantHarm === undefined ||
    when.immediateSignificantHarm === f.immediateSignificantHarm) &&
  (when.exploitationConcern === undefined || when.exploitationConcern === f.exploitationConcern) &&
  (when.harmSuspected === undefined || when.harmSuspected === f.harmSuspected) &&
  (when.strategyOutcome === undefined ||
    (f.strategyOutcome !== undefined && when.strategyOutcome.includes(f.strategyOutcome))) &&
  (when.fromEmailLink === undefined || when.fromEmailLink === f.fromEmailLink);

/** The council's routing rules that an event sets off, given the episode as it stands with that event. */
export const matchingRules = (
  event: PipelineEvent,
  episode: EpisodeState,
  council: CouncilConfig,
  context: RoutingContext,
): RoutingRule[] => {
  const f = facts(event, episode, council, context);
  return council.routing.filter((rule) => rule.on.includes(event.type) && matches(rule.when, f));
};

/** Which agencies hear of an event, and why: one delivery per inbox, with every action that applies to it. */
export const routeEvent = (
  event: PipelineEvent,
  episode: EpisodeState,
  council: CouncilConfig,
  context: RoutingContext,
): Delivery[] =>
  mergeByAddress(
    matchingRules(event, episode, council, context).flatMap((rule) =>
      rule.notify.map(
        (n): Delivery => ({
          recipient: resolveRecipient(
            n.to,
            episode,
            council,
            council.sources[context.sourceId],
            context.referrerSourceId === undefined ? undefined : council.sources[context.referrerSourceId],
          ),
          actions: [
            {
              ruleId: rule.id,
              action: n.action,
              ...(n.by ? { by: n.by } : {}),
              ...(n.asks ? { asks: n.asks } : {}),
            },
          ],
        }),
      ),
    ),
    (into, from) => {
      into.actions.push(...from.actions);
    },
  );
