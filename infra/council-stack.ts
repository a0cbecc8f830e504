import { fileURLToPath } from 'node:url';
import {
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import * as z from 'zod';
import { PENDING_NOTICE_INDEX, TABLE_KEYS, TTL_ATTRIBUTE } from '../shared/adapters/episode-table';
import type { CouncilConfig } from '../shared/council/council-schema';
import { sendingStages } from '../shared/council/load-council';
import { CouncilEmail } from './constructs/council-email';
import { OperatorAlarms } from './constructs/operator-alarms';
import { PipelineFunction } from './constructs/pipeline-function';

export const DeployStage = z.enum(sendingStages);
export type DeployStage = z.infer<typeof DeployStage>;

/** What a function may touch; each becomes the narrowest grant the stack can give. */
export type Access =
  | 'episodes'
  | 'episode-scan'
  | 'pending-notices'
  | 'routing-queue'
  | 'schedule-deadlines'
  | 'source-secrets'
  | 'email';

/** A timetable, in the council's own time zone where the hour matters. */
export type Timetable = ScheduleExpression | ((council: CouncilConfig) => ScheduleExpression);

/** What starts a function: the webhook route, the routing queue, the deadline schedules, or a timetable. */
export type Trigger = 'webhook' | 'routing-queue' | 'deadline-schedules' | Timetable;

export interface FunctionSpec {
  timeout: Duration;
  memorySize: number;
  uses: Access[];
  triggeredBy: Trigger;
}

/** The pipeline's Lambdas, each bundled from functions/<name>/handler.ts. Adding a function is adding an entry. */
export const pipelineFunctions = {
  intake: {
    timeout: Duration.seconds(10),
    memorySize: 512,
    uses: ['episodes', 'routing-queue', 'schedule-deadlines', 'source-secrets'],
    triggeredBy: 'webhook',
  },
  notify: {
    timeout: Duration.seconds(30),
    memorySize: 512,
    uses: ['episodes', 'email'],
    triggeredBy: 'routing-queue',
  },
  reminder: {
    timeout: Duration.seconds(30),
    memorySize: 512,
    uses: ['episodes', 'email'],
    triggeredBy: 'deadline-schedules',
  },
  sweep: {
    timeout: Duration.minutes(2),
    memorySize: 512,
    uses: ['episodes', 'pending-notices', 'email'],
    triggeredBy: ScheduleExpression.rate(Duration.minutes(15)),
  },
  'monthly-report': {
    timeout: Duration.minutes(5),
    memorySize: 1024,
    uses: ['episodes', 'episode-scan', 'email'],
    // 07:00 local time on the 1st: last month's figures are in the managers' inboxes when they start work.
    triggeredBy: (council: CouncilConfig) =>
      ScheduleExpression.cron({ minute: '0', hour: '7', day: '1', timeZone: TimeZone.of(council.timeZone) }),
  },
} satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof pipelineFunctions;

const WEBHOOK_ROUTE = '/v1/sources/{sourceId}/events';

/** A routing message notify failed five times goes to the dead-letter queue (and the operators' alarm). */
const ROUTING_MAX_RECEIVES = 5;
const LOG_RETENTION = RetentionDays.THREE_MONTHS;
const functionsDir = fileURLToPath(new URL('../functions', import.meta.url));

export interface CouncilStackProps extends StackProps {
  council: CouncilConfig;
  stage: DeployStage;
}

/** Everything one council runs on, from its council file. Environment-agnostic: synthesizes with no account. */
export class CouncilStack extends Stack {
  readonly council: CouncilConfig;
  readonly functions: Record<FunctionName, PipelineFunction>;

  constructor(scope: Construct, id: string, props: CouncilStackProps) {
    super(scope, id, { ...props, terminationProtection: props.stage === 'production' });
    const { council, stage } = props;
    this.council = council;
    const prefix = `missing-episodes-${council.id}-${stage}`;
    const functionName = (name: string) => {
      const full = `${prefix}-${name}`;
      if (full.length > 64) throw new Error(`function name ${full} is longer than Lambda's 64 characters`);
      return full;
    };

    // One customer-managed key for everything this council stores or queues: one key, one bill line.
    const key = new Key(this, 'DataKey', {
      alias: `alias/${prefix}`,
      description: `Encrypts ${council.name}'s missing-episode data, queues, secrets and alarm topic`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const table = new Table(this, 'Episodes', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    table.addGlobalSecondaryIndex({
      indexName: PENDING_NOTICE_INDEX.indexName,
      partitionKey: { name: PENDING_NOTICE_INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: PENDING_NOTICE_INDEX.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });

    const encryptedQueue = (queueId: string, rest: ConstructorParameters<typeof Queue>[2] = {}) =>
      new Queue(this, queueId, {
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: key,
        enforceSSL: true,
        ...rest,
      });
    const routingDeadLetters = encryptedQueue('RoutingDeadLetters', { retentionPeriod: Duration.days(14) });
    const routingQueue = encryptedQueue('Routing', {
      // Six times notify's timeout, as Lambda advises for SQS sources, so a throttled retry is not redelivered early.
      visibilityTimeout: Duration.seconds(pipelineFunctions.notify.timeout.toSeconds() * 6),
      deadLetterQueue: { queue: routingDeadLetters, maxReceiveCount: ROUTING_MAX_RECEIVES },
    });
    const scheduleDeadLetters = encryptedQueue('ScheduleDeadLetters', { retentionPeriod: Duration.days(14) });

    const deadlineSchedules = new ScheduleGroup(this, 'DeadlineSchedules', {
      scheduleGroupName: `${prefix}-deadlines`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The role the deadline schedules run as: it may invoke the reminder function and dead-letter, nothing more.
    const schedulerRole = new Role(this, 'DeadlineSchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnEquals: { 'aws:SourceArn': deadlineSchedules.scheduleGroupArn },
        },
      }),
    });
    scheduleDeadLetters.grantSendMessages(schedulerRole);

    const sourceSecretPrefix = `${prefix}/sources/`;
    const sourceSecrets = Object.keys(council.sources).map(
      (sourceId) =>
        new Secret(this, `SourceSecret-${sourceId}`, {
          secretName: `${sourceSecretPrefix}${sourceId}`,
          description: `Standard Webhooks signing secret(s) of ${council.id} source ${sourceId}: a whsec_ string or a JSON array of them`,
          encryptionKey: key,
          // A random value nobody knows until the operator sets the source's real secret.
          generateSecretString: { excludePunctuation: true, passwordLength: 40 },
          removalPolicy: RemovalPolicy.DESTROY,
        }),
    );

    const email = new CouncilEmail(this, 'Email', { council, prefix });

    // Built from the fixed name rather than the function, so every function can carry it without a cycle.
    const reminderArn = this.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: functionName('reminder'),
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const environment = {
      STAGE: stage,
      TABLE_NAME: table.tableName,
      ROUTING_QUEUE_URL: routingQueue.queueUrl,
      SCHEDULE_GROUP: deadlineSchedules.scheduleGroupName,
      REMINDER_FUNCTION_ARN: reminderArn,
      SCHEDULER_ROLE_ARN: schedulerRole.roleArn,
      SCHEDULER_DLQ_ARN: scheduleDeadLetters.queueArn,
      SOURCE_SECRET_PREFIX: sourceSecretPrefix,
      SES_CONFIGURATION_SET: email.configurationSet.configurationSetName,
    };

    const grants: Record<Access, (role: Role) => void> = {
      episodes: (role) => {
        // Single items and queries, and the TransactWriteItems made of them: no Scan, no batch, no table admin.
        role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: [
              'dynamodb:GetItem',
              'dynamodb:Query',
              'dynamodb:PutItem',
              'dynamodb:UpdateItem',
              'dynamodb:DeleteItem',
              'dynamodb:ConditionCheckItem',
            ],
            resources: [table.tableArn],
          }),
        );
        key.grantEncryptDecrypt(role);
      },
      'episode-scan': (role) => {
        // The reports read every episode of the council; a few thousand a year make a Scan the simple way.
        role.addToPrincipalPolicy(
          new PolicyStatement({ actions: ['dynamodb:Scan'], resources: [table.tableArn] }),
        );
      },
      'pending-notices': (role) => {
        role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: ['dynamodb:Query'],
            resources: [`${table.tableArn}/index/${PENDING_NOTICE_INDEX.indexName}`],
          }),
        );
      },
      'routing-queue': (role) => {
        routingQueue.grantSendMessages(role);
      },
      'schedule-deadlines': (role) => {
        role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
            resources: [
              this.formatArn({
                service: 'scheduler',
                resource: 'schedule',
                resourceName: `${deadlineSchedules.scheduleGroupName}/*`,
              }),
            ],
          }),
        );
        role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: ['iam:PassRole'],
            resources: [schedulerRole.roleArn],
            conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          }),
        );
      },
      'source-secrets': (role) => {
        for (const secret of sourceSecrets) secret.grantRead(role);
      },
      email: (role) => {
        email.grantSend(role);
      },
    };

    const api = new HttpApi(this, 'Api', {
      apiName: prefix,
      description: `${council.name}: signed webhooks from police and school systems`,
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const apiStage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      // A council sees a few events an hour; this bounds what a runaway or hostile client can cost.
      throttle: { rateLimit: 20, burstLimit: 40 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // Ids and outcomes only: the path names the source, never a child.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            path: '$context.path',
            sourceIp: '$context.identity.sourceIp',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const alarms = new OperatorAlarms(this, 'Alarms', {
      council,
      key,
      namespace: `MissingEpisodes/${council.id}`,
    });
    alarms.onDeadLetters(
      'RoutingDeadLetters',
      routingDeadLetters,
      'routing messages notify could not deliver',
    );
    alarms.onDeadLetters(
      'ScheduleDeadLetters',
      scheduleDeadLetters,
      'schedules that could not invoke their function',
    );
    alarms.onEmailBounces(email.configurationSet.configurationSetName);

    const functions = {} as Record<FunctionName, PipelineFunction>;
    for (const [name, spec] of Object.entries(pipelineFunctions) as [FunctionName, FunctionSpec][]) {
      const fn = new PipelineFunction(this, `${name}Function`, {
        name,
        functionName: functionName(name),
        functionsDir,
        council,
        environment,
        timeout: spec.timeout,
        memorySize: spec.memorySize,
        logRetention: LOG_RETENTION,
      });
      for (const access of spec.uses) grants[access](fn.role);
      if (spec.uses.includes('email')) alarms.onEmailOutcomes(name, fn.logGroup);
      alarms.onErrors(name, fn.fn);
      functions[name] = fn;

      const trigger = typeof spec.triggeredBy === 'function' ? spec.triggeredBy(council) : spec.triggeredBy;
      if (trigger === 'webhook') {
        api.addRoutes({
          path: WEBHOOK_ROUTE,
          // ANY too, so another method is answered 405 (Allow: POST) by the intake, not 404 by the gateway.
          methods: [HttpMethod.POST, HttpMethod.ANY],
          integration: new HttpLambdaIntegration('WebhookIntegration', fn.fn),
        });
      } else if (trigger === 'routing-queue') {
        fn.fn.addEventSource(
          new SqsEventSource(routingQueue, { batchSize: 10, reportBatchItemFailures: true }),
        );
      } else if (trigger === 'deadline-schedules') {
        schedulerRole.addToPrincipalPolicy(
          new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.fn.functionArn] }),
        );
      } else {
        // Its own role (not the deadline schedules'), which may also dead-letter to the encrypted queue.
        const role = new Role(this, `${name}ScheduleRole`, {
          assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
            conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
          }),
        });
        scheduleDeadLetters.grantSendMessages(role);
        new Schedule(this, `${name}Schedule`, {
          schedule: trigger,
          description: `Runs ${name} for ${council.id}`,
          target: new LambdaInvoke(fn.fn, { role, deadLetterQueue: scheduleDeadLetters, retryAttempts: 2 }),
        });
      }
    }
    this.functions = functions;

    this.acknowledgeFindings(
      deadlineSchedules.scheduleGroupName,
      (Object.keys(pipelineFunctions) as FunctionName[])
        .filter((name) => typeof pipelineFunctions[name].triggeredBy !== 'string')
        .map((name) => functions[name]),
      scheduleDeadLetters,
    );

    new CfnOutput(this, 'WebhookUrl', { value: `${apiStage.url}v1/sources/{sourceId}/events` });
    new CfnOutput(this, 'SourceSecretPrefix', { value: sourceSecretPrefix });
    new CfnOutput(this, 'OperatorTopicArn', { value: alarms.topic.topicArn });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    email.outputDkimRecords();
  }

  /** The cdk-nag findings this design accepts, each with its reason. Anything else fails the synth. */
  private acknowledgeFindings(
    scheduleGroupName: string,
    timetabled: PipelineFunction[],
    deadLetters: Queue,
  ): void {
    const iam5 = (finding: string, reason: string) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    const region = 'arn:<AWS::Partition>:%s:<AWS::Region>:<AWS::AccountId>';
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-APIG4',
        reason:
          "Sources are police and school systems, not users: the intake function authenticates each request by its Standard Webhooks HMAC signature with that source's secret (401 otherwise).",
      },
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is the runtime the functions are built and tested for (DESIGN.md); moving to a newer runtime is a deliberate, tested upgrade.',
      },
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'A source secret is shared with an external police or school system and rotated together with it: the secret holds a JSON array of active secrets so old and new both verify during the change (README, deploy).',
      },
      iam5(
        'Action::kms:ReEncrypt*',
        "CDK's encrypt/decrypt grant on this stack's one customer-managed key (the resource is that key only), which DynamoDB and SQS use on the caller's behalf.",
      ),
      iam5(
        'Action::kms:GenerateDataKey*',
        "CDK's encrypt/decrypt grant on this stack's one customer-managed key (the resource is that key only), which DynamoDB and SQS use on the caller's behalf.",
      ),
      iam5(
        `Resource::${region.replace('%s', 'scheduler')}:schedule/${scheduleGroupName}/*`,
        "Intake names a schedule per deadline at run time; the wildcard is limited to this council's deadline schedule group.",
      ),
      iam5(
        `Resource::${region.replace('%s', 'ses')}:identity/*`,
        "SES authorises a sandboxed account's sends against the recipients' identities too; the statement's ses:FromAddress condition pins the sender to the council file's from address.",
      ),
      ...timetabled.map((fn) =>
        iam5(
          `Resource::<${this.resolve(this.getLogicalId(fn.fn.node.defaultChild as CfnFunction))}.Arn>:*`,
          "The timetable schedule's own role may invoke this one function (CDK's LambdaInvoke grant covers its versions).",
        ),
      ),
    );
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself a dead-letter queue: the schedules' DeadLetterConfig, which the Schedule L2 does not declare as an SQS redrive.",
    });
  }
}
