import { join } from 'node:path';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  type ParamsAndSecretsLayerVersion,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { packCouncil } from '../../shared/config/council-from-env';
import type { CouncilConfig } from '../../shared/council/council-schema';

/** The newest Node.js LTS Lambda offers; the bundles' smoke test runs them under the same major. */
export const LAMBDA_NODE_MAJOR = 24;
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

export interface PipelineFunctionProps {
  /** The folder under functions/: the entry is functions/<name>/handler.ts, exporting `handler`. */
  name: string;
  functionName: string;
  functionsDir: string;
  council: CouncilConfig;
  environment: Record<string, string>;
  timeout: Duration;
  memorySize: number;
  logRetention: RetentionDays;
  /** The Parameters and Secrets extension, for a function that reads a secret through it (the link keys). */
  paramsAndSecrets?: ParamsAndSecretsLayerVersion;
}

/**
 * The SDK's credential providers for developer machines (SSO, profile files, credential processes, web
 * identity), for containers and EC2 (HTTP endpoint, instance metadata) and the STS/SSO clients they use:
 * the default chain reaches them only through a dynamic `import()` after finding no credentials in the
 * environment, and Lambda always puts them there. Left out, they take about 110 KB off every bundle.
 */
export const credentialProvidersLambdaNeverLoads = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/nested-clients',
  '@aws-sdk/token-providers',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
];

/**
 * One of the pipeline's Lambdas: bundled by esbuild (minified, the AWS SDK included, ESM), arm64, Node 24,
 * JSON logs to its own log group with a set retention, and a role that can write to that group and
 * nothing else until the stack grants what the function uses.
 */
export class PipelineFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An own role rather than AWSLambdaBasicExecutionRole, which may write to every log group.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      entry: join(props.functionsDir, props.name, 'handler.ts'),
      handler: 'handler',
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      environment: { ...props.environment, POWERTOOLS_SERVICE_NAME: props.name },
      ...(props.paramsAndSecrets ? { paramsAndSecrets: props.paramsAndSecrets } : {}),
      bundling: {
        format: OutputFormat.ESM,
        target: `node${LAMBDA_NODE_MAJOR}`,
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: false,
        // Bundle the AWS SDK v3 too: a pinned, tested version and a faster cold start than the runtime's.
        externalModules: credentialProvidersLambdaNeverLoads,
        // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        // A council file is larger than Lambda's 4 KB environment, so it is inlined at build time, packed.
        define: { 'process.env.COUNCIL_CONFIG': JSON.stringify(packCouncil(props.council)) },
      },
    });
  }
}
