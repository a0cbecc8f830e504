import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { PipelineFunction } from '../infra/constructs/pipeline-function';
import { CouncilStack, type FunctionName, pipelineFunctions } from '../infra/council-stack';
import type { CouncilConfig } from '../shared/council/council-schema';
import type { Figure } from './bench-report';
import { type BundleContents, bundleContents, largestParts, sdkBaselineSource } from './bundle-contents';
import { median } from './stats';

export const BUNDLE_LIMIT_KB = 400;
export const INIT_RATIO_LIMIT = 1.5;

const AssetManifest = (text: string) =>
  JSON.parse(text) as { files: Record<string, { source: { path: string; packaging?: string } }> };
type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** Where each function's bundle went: the asset folder its Lambda's code points at. */
const bundlesOf = (
  outdir: string,
  stack: Stack,
  functions: Record<FunctionName, PipelineFunction>,
): Map<FunctionName, string> => {
  const template = JSON.parse(readFileSync(join(outdir, stack.templateFile), 'utf8')) as Template;
  const manifest = AssetManifest(readFileSync(join(outdir, `${stack.artifactId}.assets.json`), 'utf8'));
  const bundles = new Map<FunctionName, string>();
  for (const name of Object.keys(functions) as FunctionName[]) {
    const logicalId = stack.getLogicalId(functions[name].fn.node.defaultChild as CfnElement);
    const resource = template.Resources[logicalId];
    const key = (resource?.Properties?.Code as { S3Key?: string } | undefined)?.S3Key?.replace(/\.zip$/, '');
    const asset = key ? manifest.files[key] : undefined;
    if (!asset) throw new Error(`no bundle found for the ${name} function in the synthesized stack`);
    bundles.set(name, join(outdir, asset.source.path, 'index.mjs'));
  }
  return bundles;
};

/** The environment the stack gives every function, with made-up values: init only reads them. */
const lambdaEnvironment = (name: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  AWS_REGION: 'eu-west-2',
  AWS_LAMBDA_FUNCTION_NAME: `bench-${name}`,
  STAGE: 'staging',
  TABLE_NAME: 'bench-episodes',
  ROUTING_QUEUE_URL: 'https://sqs.eu-west-2.amazonaws.com/123456789012/bench-routing',
  SCHEDULE_GROUP: 'bench-deadlines',
  DEADLINE_QUEUE_ARN: 'arn:aws:sqs:eu-west-2:123456789012:bench-deadlines',
  DEADLINE_QUEUE_URL: 'https://sqs.eu-west-2.amazonaws.com/123456789012/bench-deadlines',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/bench-scheduler',
  SCHEDULER_DLQ_ARN: 'arn:aws:sqs:eu-west-2:123456789012:bench-schedule-dlq',
  SOURCE_SECRET_PREFIX: 'bench/sources/',
  PSEUDONYM_KEY_SECRET: 'bench/pseudonym-key',
  SES_CONFIGURATION_SET: 'bench',
  ACTION_LINK_KEY_SECRET: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:bench-action-link-key',
  ACTION_PAGE_URL: 'https://bench.execute-api.eu-west-2.amazonaws.com/v1/actions',
  POWERTOOLS_SERVICE_NAME: name,
});

/** A staging function refuses to start without a real sending domain and test inbox: made-up ones. */
const sendableFromStaging = (council: CouncilConfig): CouncilConfig => ({
  ...council,
  email: {
    from: { address: 'missing-episodes@bench.example.org', placeholder: false },
    testInbox: { address: 'bench-test@bench.example.org', placeholder: false },
  },
});

/** Module initialisation in a fresh Node process: the time `await import()` of the bundle takes. */
const INIT_PROBE = `
const { performance } = await import('node:perf_hooks');
const started = performance.now();
await import(process.argv[1]);
process.stdout.write(JSON.stringify({ initMs: performance.now() - started }));
`;

const initTime = (bundle: string, env: NodeJS.ProcessEnv): Promise<number> =>
  new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '--no-warnings', '-e', INIT_PROBE, pathToFileURL(bundle).href],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', fail);
    child.once('close', (code) => {
      if (code !== 0) {
        fail(new Error(`initialising ${bundle} failed (exit ${code}): ${stderr.trim().slice(-1_000)}`));
        return;
      }
      done((JSON.parse(stdout) as { initMs: number }).initMs);
    });
  });

/**
 * Cold start of every function: the bundle the CDK stack builds (its own esbuild options, by synthesizing
 * the real CouncilStack), and its init time in a fresh Node process, beside a baseline bundled the same
 * way that only imports the same AWS SDK names.
 */
export const measureColdStart = async (options: {
  council: CouncilConfig;
  runs: number;
  projectRoot: string;
}): Promise<Figure[]> => {
  const { projectRoot } = options;
  // Inside the project (and ignored by git): the CDK bundles only entries under the project root.
  mkdirSync(join(projectRoot, 'bench-results'), { recursive: true });
  const workDir = mkdtempSync(join(projectRoot, 'bench-results', 'cold-start-'));
  try {
    const baselineDir = join(workDir, 'sdk-baseline');
    const outdir = join(workDir, 'cdk.out');
    const names = Object.keys(pipelineFunctions) as FunctionName[];
    const contents = new Map<FunctionName, BundleContents>();
    for (const name of names) {
      const content = await bundleContents(join(projectRoot, 'functions', name, 'handler.ts'), projectRoot);
      contents.set(name, content);
      mkdirSync(join(baselineDir, name), { recursive: true });
      writeFileSync(join(baselineDir, name, 'handler.ts'), sdkBaselineSource(content.sdkImports));
    }

    // The functions as the council's stack builds them; the baselines through the same construct.
    const app = new App({ outdir });
    const council = new CouncilStack(app, 'BenchFunctions', {
      council: sendableFromStaging(options.council),
      stage: 'staging',
    });
    const baselineStack = new Stack(app, 'BenchSdkBaselines');
    const baselines = Object.fromEntries(
      names.map((name) => [
        name,
        new PipelineFunction(baselineStack, name, {
          name,
          functionName: `bench-sdk-baseline-${name}`,
          functionsDir: baselineDir,
          council: options.council,
          environment: {},
          timeout: pipelineFunctions[name].timeout,
          memorySize: pipelineFunctions[name].memorySize,
          logRetention: RetentionDays.ONE_DAY,
        }),
      ]),
    ) as Record<FunctionName, PipelineFunction>;
    app.synth();
    const functionBundles = bundlesOf(outdir, council, council.functions);
    const baselineBundles = bundlesOf(outdir, baselineStack, baselines);

    const figures: Figure[] = [];
    for (const name of names) {
      const bundle = functionBundles.get(name) as string;
      const baseline = baselineBundles.get(name) as string;
      const env = lambdaEnvironment(name);
      const functionMs: number[] = [];
      const baselineMs: number[] = [];
      // One unmeasured run each first, so neither side pays for reading its file from disk.
      await initTime(bundle, env);
      await initTime(baseline, env);
      // Interleaved, so a burst of load from elsewhere hits both sides alike.
      for (let run = 0; run < options.runs; run++) {
        functionMs.push(await initTime(bundle, env));
        baselineMs.push(await initTime(baseline, env));
      }
      const hop = `cold start: ${name}`;
      const init = median(functionMs);
      const sdkInit = median(baselineMs);
      figures.push(
        {
          hop,
          name: 'bundle (minified)',
          value: statSync(bundle).size / 1024,
          unit: 'KB',
          target: { atMost: BUNDLE_LIMIT_KB },
          note: `SDK-only baseline ${(statSync(baseline).size / 1024).toFixed(0)} KB; largest: ${largestParts(
            contents.get(name)?.bytesByPackage ?? new Map(),
            4,
          )}`,
        },
        { hop, name: 'init (median)', value: init, unit: 'ms', note: `${options.runs} fresh processes` },
        { hop, name: 'SDK-only init (median)', value: sdkInit, unit: 'ms' },
        {
          hop,
          name: 'init / SDK-only init',
          value: init / sdkInit,
          unit: 'x',
          target: { atMost: INIT_RATIO_LIMIT },
        },
      );
    }
    return figures;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
};
