import { App, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { expect, it, vi } from 'vitest';
import { addCouncilStacks } from '../../infra/council-app';
import { deployableCouncils } from '../support/councils';
import { CDK_TEST_TIMEOUT_MS, stages, synthCouncilStacks } from './council-templates';

// Building and checking stacks takes seconds on a quiet machine and far longer on a loaded 2-core one.
vi.setConfig({ testTimeout: CDK_TEST_TIMEOUT_MS });

const apps = stages.map((stage) => [stage, synthCouncilStacks({ stage }).app] as const);

it.each(apps)('AWS Solutions checks find nothing unacknowledged in any council stack (%s)', (_stage, app) => {
  const report = new AwsSolutionsChecks(app).validateScope(app);
  const findings = report.violations.map(
    (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
  );
  expect(findings).toEqual([]);
  expect(report.success).toBe(true);
});

it.each(apps)('every acknowledged finding carries its reason (%s)', (_stage, app) => {
  const acknowledged = app.node
    .findAll()
    .flatMap((construct) => construct.node.metadata)
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
  expect(acknowledged.length).toBeGreaterThan(0);
  for (const [id, reason] of acknowledged) {
    expect(id).toMatch(/^(Annotation::)?AwsSolutions-/i);
    expect(reason.split(' ').length, `${id} needs a reason`).toBeGreaterThan(8);
  }
});

it('a resource the stacks do not secure is reported, and fails the synth', () => {
  const insecure = new App({ context: { 'aws:cdk:bundling-stacks': [], council: 'tower-hamlets' } });
  const [stack] = addCouncilStacks(insecure, { councils: deployableCouncils });
  if (!stack) throw new Error('no stack');
  new Queue(stack, 'PlainQueue');
  const rules = new AwsSolutionsChecks(insecure).validateScope(insecure).violations.map((v) => v.ruleName);
  expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  expect(() => insecure.synth()).toThrow(/AwsSolutions-SQS4/);
});
