import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { CouncilConfig } from '../shared/council/council-schema';
import { assertProductionReady } from '../shared/council/load-council';
import { CouncilStack, DeployStage } from './council-stack';
import { loadCouncilFiles } from './councils/council-files';

export interface CouncilAppOptions {
  councils?: CouncilConfig[];
}

export const councilStackName = (councilId: string, stage: DeployStage): string =>
  `MissingEpisodes-${councilId}-${stage}`;

/**
 * One CouncilStack per council file, or only `-c council=<id>`. `-c stage=production` (default staging)
 * refuses a council file that still has placeholder inboxes. cdk-nag's AWS Solutions checks run on every stack.
 */
export const addCouncilStacks = (app: App, options: CouncilAppOptions = {}): CouncilStack[] => {
  const stage = DeployStage.parse(app.node.tryGetContext('stage') ?? 'staging');
  const only: unknown = app.node.tryGetContext('council');
  const councils = options.councils ?? loadCouncilFiles();
  const selected = only === undefined ? councils : councils.filter((council) => council.id === only);
  if (selected.length === 0) {
    throw new Error(
      `no council file for "${String(only)}": the councils are ${councils.map((c) => c.id).join(', ')}`,
    );
  }
  const stacks = selected.map(
    (council) =>
      new CouncilStack(app, councilStackName(council.id, stage), {
        council: stage === 'production' ? assertProductionReady(council) : council,
        stage,
        description: `Missing-child episode pipeline for ${council.name} (${stage})`,
      }),
  );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stacks;
};
