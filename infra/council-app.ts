import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { CouncilConfig } from '../shared/council/council-schema';
import { assertReadyToSend } from '../shared/council/load-council';
import { CouncilStack, DeployStage } from './council-stack';
import { loadCouncilFiles } from './councils/council-files';

export interface CouncilAppOptions {
  councils?: CouncilConfig[];
}

export const councilStackName = (councilId: string, stage: DeployStage): string =>
  `MissingEpisodes-${councilId}-${stage}`;

/**
 * One CouncilStack per council file (from infra/councils, or `-c councilsDir=DIR`), or only
 * `-c council=<id>`. Both stages send, so both refuse a council file they could not send from: staging
 * (the default) needs a real sending domain and the operators' test inbox, `-c stage=production` real
 * inboxes everywhere. cdk-nag's AWS Solutions checks run on every stack.
 */
export const addCouncilStacks = (app: App, options: CouncilAppOptions = {}): CouncilStack[] => {
  const stage = DeployStage.parse(app.node.tryGetContext('stage') ?? 'staging');
  const only: unknown = app.node.tryGetContext('council');
  const dir: unknown = app.node.tryGetContext('councilsDir');
  const councils = options.councils ?? loadCouncilFiles(typeof dir === 'string' ? dir : undefined);
  const selected = only === undefined ? councils : councils.filter((council) => council.id === only);
  if (selected.length === 0) {
    throw new Error(
      `no council file for "${String(only)}": the councils are ${councils.map((c) => c.id).join(', ')}`,
    );
  }
  const stacks = selected.map(
    (council) =>
      new CouncilStack(app, councilStackName(council.id, stage), {
        council: assertReadyToSend(council, stage),
        stage,
        description: `Missing-child episode pipeline for ${council.name} (${stage})`,
      }),
  );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stacks;
};
