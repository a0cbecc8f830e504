import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it, vi } from 'vitest';
import { addCouncilStacks } from '../../infra/council-app';
import { pipelineFunctions } from '../../infra/council-stack';
import { CouncilConfigError } from '../../shared/council/load-council';
import { bathNes, deployable, deployableCouncils, towerHamlets } from '../support/councils';
import { CDK_TEST_TIMEOUT_MS } from './council-templates';

// Building and checking stacks takes seconds on a quiet machine and far longer on a loaded 2-core one.
vi.setConfig({ testTimeout: CDK_TEST_TIMEOUT_MS });

const appWith = (context: Record<string, unknown>) =>
  new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });

describe('choosing councils', () => {
  it('-c council=<id> builds that council only', () => {
    const stacks = addCouncilStacks(appWith({ council: 'tower-hamlets' }), { councils: deployableCouncils });
    expect(stacks.map((s) => s.stackName)).toEqual(['MissingEpisodes-tower-hamlets-staging']);
  });

  it('an unknown council fails and names the councils there are', () => {
    expect(() => addCouncilStacks(appWith({ council: 'camden' }))).toThrow(
      /no council file for "camden": the councils are bath-ne-somerset, tower-hamlets/,
    );
  });

  it('an unknown stage fails before anything is built', () => {
    expect(() => addCouncilStacks(appWith({ stage: 'prod' }))).toThrow(/staging|production/);
  });
});

describe('a staging build', () => {
  it('refuses a placeholder sending domain and a missing or placeholder test inbox, naming them', () => {
    const build = () => addCouncilStacks(appWith({ council: 'tower-hamlets' }));
    expect(build).toThrow(CouncilConfigError);
    expect(build).toThrow(
      /staging[\s\S]*email\.from \(a placeholder sending domain\)[\s\S]*email\.testInbox/,
    );
    const { testInbox: _, ...withoutTestInbox } = deployable(towerHamlets).email;
    expect(() =>
      addCouncilStacks(appWith({}), { councils: [{ ...deployable(towerHamlets), email: withoutTestInbox }] }),
    ).toThrow(/email\.testInbox \(not set\)/);
  });

  it('needs no real agency inbox: every email goes to the test inbox', () => {
    const council = { ...deployable(towerHamlets), agencies: towerHamlets.agencies };
    const [stack] = addCouncilStacks(appWith({}), { councils: [council] });
    expect(stack?.stackName).toBe('MissingEpisodes-tower-hamlets-staging');
    expect(stack?.terminationProtection).toBe(false);
  });

  it('reads the council files of -c councilsDir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'councils-'));
    writeFileSync(join(dir, 'bath-ne-somerset.json'), JSON.stringify(deployable(bathNes)));
    const stacks = addCouncilStacks(appWith({ councilsDir: dir }));
    expect(stacks.map((s) => s.stackName)).toEqual(['MissingEpisodes-bath-ne-somerset-staging']);
  });
});

describe('a production build', () => {
  it('refuses a council file with placeholder inboxes, listing each one', () => {
    const build = () => addCouncilStacks(appWith({ stage: 'production', council: 'tower-hamlets' }));
    expect(build).toThrow(CouncilConfigError);
    expect(build).toThrow(
      /agencies\.met-police\.inbox[\s\S]*agencies\.childrens-social-care\.inbox[\s\S]*email\.from/,
    );
  });

  it('refuses placeholders in every council when none is chosen', () => {
    expect(() => addCouncilStacks(appWith({ stage: 'production' }))).toThrow(/bath-ne-somerset/);
  });

  it('builds a council with real inboxes, protected from deletion and told it is production', () => {
    const [stack] = addCouncilStacks(appWith({ stage: 'production' }), {
      councils: [deployable(towerHamlets)],
    });
    if (!stack) throw new Error('no stack');
    expect(stack.stackName).toBe('MissingEpisodes-tower-hamlets-production');
    expect(stack.terminationProtection).toBe(true);
    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(Object.keys(pipelineFunctions).length);
    for (const fn of functions) expect(fn.Properties.Environment.Variables.STAGE).toBe('production');
  });
});
