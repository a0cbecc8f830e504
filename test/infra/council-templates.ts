import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { addCouncilStacks } from '../../infra/council-app';
import type { CouncilStack, DeployStage } from '../../infra/council-stack';
import { deployableCouncils } from '../support/councils';

export const stages: DeployStage[] = ['staging', 'production'];

/** A CDK test's limit: a cdk-nag check took 24 s on a loaded 2-core machine, where it takes 2 s alone. */
export const CDK_TEST_TIMEOUT_MS = 120_000;

/**
 * Every council's stack as `cdk synth` builds it from the council files once an operator has filled them in
 * (real inboxes, sending domain and test inbox), with esbuild bundling skipped (the real bundles are built
 * once, by the synth test): the app and its stacks, built once per test file.
 */
export const synthCouncilStacks = (
  context: Record<string, unknown> = {},
): { app: App; stacks: CouncilStack[] } => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  return { app, stacks: addCouncilStacks(app, { councils: deployableCouncils }) };
};

/** Every resource this file's tests look at has Properties. */
export type Resources = Record<
  string,
  { Type: string; Properties: Record<string, unknown>; [key: string]: unknown }
>;

export const resourcesOf = (template: Template, type: string): Resources =>
  template.findResources(type) as Resources;

/** The properties of one resource, by logical id. */
export const propertiesOf = (
  template: Template,
  type: string,
  logicalId: string,
): Record<string, unknown> => {
  const resource = resourcesOf(template, type)[logicalId];
  if (!resource) throw new Error(`no ${type} ${logicalId} in the template`);
  return resource.Properties;
};

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

/** Every statement in the policies attached to a role. */
export const statementsOfRole = (template: Template, roleLogicalId: string): Statement[] =>
  Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleLogicalId}"`))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

export const actionsOf = (statements: Statement[]): string[] =>
  [...new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();
