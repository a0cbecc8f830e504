import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineFunctions } from '../../infra/council-stack';
import { councils } from '../support/councils';

const run = promisify(execFile);
const outDir = mkdtempSync(join(tmpdir(), 'cdk-synth-'));

/** The pinned CDK CLI, as an operator runs it: no AWS credentials, no account, no region. */
const cdk = (...args: string[]) =>
  run('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', outDir, ...args], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
      AWS_REGION: '',
    },
    maxBuffer: 16 * 1024 * 1024,
  });

interface LambdaResource {
  Type: string;
  Properties: { Code?: { S3Key?: string }; FunctionName?: string };
}

const templateOf = (stackName: string): { Resources: Record<string, LambdaResource> } =>
  JSON.parse(readFileSync(join(outDir, `${stackName}.template.json`), 'utf8'));

/** Each function's bundle, as the template names its asset. */
const bundlesOf = (stackName: string) =>
  Object.values(templateOf(stackName).Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((r) => {
      const hash = r.Properties.Code?.S3Key?.replace(/\.zip$/, '');
      return {
        name: r.Properties.FunctionName,
        code: readFileSync(join(outDir, `asset.${hash}`, 'index.mjs'), 'utf8'),
      };
    });

describe('npx cdk synth', () => {
  beforeAll(async () => {
    await cdk();
  }, 240_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('builds a stack for every council file with no AWS credentials', () => {
    for (const council of councils) {
      expect(existsSync(join(outDir, `MissingEpisodes-${council.id}-staging.template.json`))).toBe(true);
    }
  });

  it.each(councils.map((c) => [c.id, c] as const))(
    'bundles every function of %s as minified ESM with the AWS SDK inside and the council file inlined',
    (_id, council) => {
      const bundles = bundlesOf(`MissingEpisodes-${council.id}-staging`);
      expect(
        bundles.map((b) => b.name?.replace(`missing-episodes-${council.id}-staging-`, '')).sort(),
      ).toEqual(Object.keys(pipelineFunctions).sort());
      const others = councils.filter((c) => c.id !== council.id);
      for (const { code } of bundles) {
        expect(code).toContain(JSON.stringify(council.name).slice(1, -1));
        for (const other of others) expect(code).not.toContain(other.name);
        // Only Node's built-ins stay outside the bundle; the AWS SDK is inside it.
        const imports = [
          ...code.matchAll(/(?:^|[;}])import\s*(?:\{[^}]*\}|\*\s*as\s*\w+|\w+)?\s*from\s*"([^"]+)"/g),
        ];
        expect(imports.length).toBeGreaterThan(0);
        expect(imports.map((m) => m[1]).filter((specifier) => !specifier?.startsWith('node:'))).toEqual([]);
        expect(code).toContain('name:"@aws-sdk/client-dynamodb"');
        expect(code.split('\n').length).toBeLessThan(500);
      }
    },
  );
});

describe('npx cdk synth -c stage=production', () => {
  it('fails on a council file with placeholder inboxes, naming them', async () => {
    const failure = await cdk('-c', 'stage=production', '-c', 'council=tower-hamlets').then(
      () => undefined,
      (error: { stderr: string }) => error,
    );
    expect(failure?.stderr).toMatch(/placeholder inboxes[\s\S]*agencies\.met-police\.inbox/);
  }, 120_000);
});
