import { fileURLToPath } from 'node:url';
import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type CfnStage, HttpApi, HttpMethod, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  type CfnFunction,
  FilterCriteria,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsLogLevel,
  ParamsAndSecretsVersions,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import * as z from 'zod';
import { ACTION_PAGE_PATH } from '../shared/actions/action-links';
import {
  OUTBOX_INSERT_FILTER,
  PENDING_NOTICE_INDEX,
  STREAM_SPECIFICATION,
  TABLE_KEYS,
  TTL_ATTRIBUTE,
} from '../shared/adapters/episode-table';
import { type CouncilConfig, webhookSources } from '../shared/council/council-schema';
import { sendingStages } from '../shared/council/load-council';
import { CouncilEmail } from './constructs/council-email';
import { OperatorAlarms } from './constructs/operator-alarms';
import { PipelineFunction } from './constructs/pipeline-function';

export const DeployStage = z.enum(sendingStages);
export type DeployStage = z.infer<typeof DeployStage>;

/**
 * What a function may touch; each becomes the narrowest grant the stack can give, and brings the
 * environment variables that name it (a function gets no variable for what it may not touch).
 */
export type Access =
  /** GetItem, BatchGetItem and Query on the table: episodes, deliveries, notices, send records. */
  | 'episode-reads'
  /** The intake's commit: the items of its TransactWriteItems (Put, Update, Delete, ConditionCheck). */
  | 'episode-commits'
  /** UpdateItem: a notice leased, finished or released (its timeout stays short of NOTICE_LEASE_MS). */
  | 'notice-claims'
  /** GetItem and PutItem: whether an email was sent, and the record of one sent or refused. */
  | 'send-records'
  | 'episode-scan'
  | 'pending-notices'
  /** SendMessage to the routing queue (the dispatcher queues; notify sends a throttled message back). */
  | 'routing-queue'
  /** SendMessage to the deadline queue (the dispatcher, a notice already due; the reminder, a throttled one). */
  | 'deadline-queue'
  | 'schedule-deadlines'
  | 'source-secrets'
  /**
   * GetSecretValue on the child registry's pseudonym key: whatever commits events finds a report's child with
   * it (the intake through its Secrets Manager client, the action page through the extension, for a report only).
   */
  | 'pseudonym-key'
  | 'email'
  /**
   * Read the action-link key secret, through the Parameters and Secrets extension (a layer): to sign the
   * links in emails, or to verify them on the action page. Brings the page's URL too.
   */
  | 'action-links';

/** A timetable, in the council's own time zone where the hour matters. */
export type Timetable = ScheduleExpression | ((council: CouncilConfig) => ScheduleExpression);

/**
 * What starts a function: the webhook route, the action page's route (the links in emails), the table's
 * stream (its outbox inserts), a queue it consumes (the routing queue; the deadline queue the deadline
 * schedules put their payloads on), or a timetable.
 */
export type Trigger =
  | 'webhook'
  | 'action-page'
  | 'outbox-stream'
  | 'routing-queue'
  | 'deadline-queue'
  | Timetable;

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
    // The commit is its only write: what follows from an event goes out through the outbox.
    uses: ['episode-reads', 'episode-commits', 'source-secrets', 'pseudonym-key'],
    triggeredBy: 'webhook',
  },
  dispatch: {
    timeout: Duration.seconds(30),
    memorySize: 512,
    // No table or email: a notice already due when its event is committed goes onto the deadline queue.
    uses: ['routing-queue', 'schedule-deadlines', 'deadline-queue'],
    triggeredBy: 'outbox-stream',
  },
  notify: {
    timeout: Duration.seconds(30),
    memorySize: 512,
    uses: ['episode-reads', 'send-records', 'email', 'routing-queue', 'action-links'],
    triggeredBy: 'routing-queue',
  },
  reminder: {
    timeout: Duration.seconds(30),
    memorySize: 512,
    uses: ['episode-reads', 'notice-claims', 'send-records', 'email', 'deadline-queue', 'action-links'],
    triggeredBy: 'deadline-queue',
  },
  sweep: {
    timeout: Duration.minutes(2),
    memorySize: 512,
    uses: ['episode-reads', 'notice-claims', 'send-records', 'pending-notices', 'email', 'action-links'],
    triggeredBy: ScheduleExpression.rate(Duration.minutes(15)),
  },
  // The page a link in an email opens: it records a step through the same commit as the intake.
  actions: {
    timeout: Duration.seconds(10),
    memorySize: 512,
    uses: ['episode-reads', 'episode-commits', 'pseudonym-key', 'action-links'],
    triggeredBy: 'action-page',
  },
  'monthly-report': {
    timeout: Duration.minutes(5),
    memorySize: 1024,
    uses: ['episode-scan', 'send-records', 'email'],
    // 07:00 local time on the 1st: last month's figures are in the managers' inboxes when they start work.
    triggeredBy: (council: CouncilConfig) =>
      ScheduleExpression.cron({ minute: '0', hour: '7', day: '1', timeZone: TimeZone.of(council.timeZone) }),
  },
} satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof pipelineFunctions;

const WEBHOOK_ROUTE = '/v1/sources/{sourceId}/events';
/**
 * The action page's routes, in all: a council's workers open a few links an hour, and a link's token is
 * 256 bits of HMAC, so this only bounds what a flood can cost (an HTTP API throttles per route, not per
 * client). The webhook route keeps the stage's own limits.
 */
export const ACTION_PAGE_THROTTLE = { rateLimit: 5, burstLimit: 20 };
/** How long the extension keeps the link key: a rotated key is read everywhere within this (README). */
export const LINK_KEY_CACHE = Duration.seconds(60);

/** A message its consumer failed five times goes to the dead-letter queue (and the operators' alarm). */
export const MAX_RECEIVES = 5;
/**
 * Concurrent batches of each queue consumer, the least Lambda allows: each container sends at most its
 * share of SES_SENDS_PER_SECOND, so one function's containers together keep within SES's rate; the
 * adaptive client and the throttled-retry path absorb what several functions sending at once exceed.
 */
export const CONSUMER_MAX_CONCURRENCY = 2;
/** SES's sending rate once an account leaves the sandbox (emails a second); raise it with the quota. */
export const SES_SENDS_PER_SECOND = 14;
/**
 * The dispatcher's stream batches: a failing batch is split and retried (twenty times, or for six hours,
 * whichever ends first) before it goes to the dead-letter queue, so one bad item does not hold up the
 * stream behind it for the stream's 24 hours.
 */
const OUTBOX_STREAM = { batchSize: 10, retryAttempts: 20, maxRecordAge: Duration.hours(6) };
/** SQS's longest retention: a message nobody could deliver waits two weeks for a person. */
const QUEUE_RETENTION = Duration.days(14);
/** The oldest routing or deadline message this old means notify or the reminder is stuck. */
export const OLDEST_MESSAGE_ALARM = Duration.minutes(15);
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
    const named = (name: string, what: string, limit: number) => {
      const full = `${prefix}-${name}`;
      if (full.length > limit) throw new Error(`${what} name ${full} is longer than ${limit} characters`);
      return full;
    };

    // One customer-managed key for everything this council stores or queues: one key, one bill line.
    const key = new Key(this, 'DataKey', {
      alias: `alias/${prefix}`,
      description: `Encrypts ${council.name}'s missing-episode data, queues, secrets and alarm topic`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    /** The key, for one AWS service acting for the grantee only (kms:ViaService): never called directly. */
    const grantKeyVia = (grantee: IGrantable, service: 'dynamodb' | 'sqs', actions: string[]) =>
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions,
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `${service}.${this.region}.amazonaws.com` } },
        }),
      );

    const table = new Table(this, 'Episodes', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // The outbox: the dispatcher reads what each commit inserted (STREAM_SPECIFICATION, as locally).
      stream: StreamViewType[STREAM_SPECIFICATION.StreamViewType],
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    table.addGlobalSecondaryIndex({
      indexName: PENDING_NOTICE_INDEX.indexName,
      partitionKey: { name: PENDING_NOTICE_INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: PENDING_NOTICE_INDEX.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    const grantTable = (grantee: IGrantable, actions: string[], resource = table.tableArn) => {
      grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [resource] }));
      grantKeyVia(grantee, 'dynamodb', [
        'kms:Decrypt',
        'kms:Encrypt',
        'kms:GenerateDataKey*',
        'kms:ReEncrypt*',
      ]);
    };

    const encryptedQueue = (queueId: string, rest: ConstructorParameters<typeof Queue>[2] = {}) =>
      new Queue(this, queueId, {
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: key,
        enforceSSL: true,
        retentionPeriod: QUEUE_RETENTION,
        ...rest,
      });
    /** A queue its consumer takes from with partial batch responses, and its dead-letter queue. */
    const consumedQueue = (queueId: string, consumer: FunctionName) => {
      const deadLetters = encryptedQueue(`${queueId}DeadLetters`);
      const queue = encryptedQueue(queueId, {
        // Six times the consumer's timeout, as Lambda advises for SQS sources, so a retry is not redelivered early.
        visibilityTimeout: Duration.seconds(pipelineFunctions[consumer].timeout.toSeconds() * 6),
        deadLetterQueue: { queue: deadLetters, maxReceiveCount: MAX_RECEIVES },
      });
      return { queue, deadLetters };
    };
    const grantSend = (grantee: IGrantable, ...queues: Queue[]) => {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['sqs:SendMessage'], resources: queues.map((q) => q.queueArn) }),
      );
      grantKeyVia(grantee, 'sqs', ['kms:Decrypt', 'kms:GenerateDataKey']);
    };
    const routing = consumedQueue('Routing', 'notify');
    // Deadline schedules put their payloads here rather than invoking the reminder: a failing reminder is
    // then retried by the queue and kept by its dead-letter queue, which asynchronous invocation would not do.
    const deadlines = consumedQueue('Deadlines', 'reminder');
    const scheduleDeadLetters = encryptedQueue('ScheduleDeadLetters');
    // Where Lambda puts a timetabled invocation (the sweep, the monthly report) that failed its retries.
    const timetableFailures = encryptedQueue('TimetableFailures');
    // Where the outbox stream's mapping puts a batch the dispatcher failed every retry of.
    const dispatchDeadLetters = encryptedQueue('DispatchDeadLetters');

    const deadlineSchedules = new ScheduleGroup(this, 'DeadlineSchedules', {
      scheduleGroupName: `${prefix}-deadlines`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const timetableSchedules = new ScheduleGroup(this, 'TimetableSchedules', {
      scheduleGroupName: `${prefix}-timetables`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    /** A role only this account's schedules of this group may assume (no confused deputy). */
    const schedulesRole = (roleId: string, group: ScheduleGroup) =>
      new Role(this, roleId, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
          conditions: {
            StringEquals: { 'aws:SourceAccount': this.account },
            ArnEquals: { 'aws:SourceArn': group.scheduleGroupArn },
          },
        }),
      });
    // The role the deadline schedules run as: it may put payloads on the deadline queue and dead-letter.
    const schedulerRole = schedulesRole('DeadlineSchedulerRole', deadlineSchedules);
    grantSend(schedulerRole, deadlines.queue, scheduleDeadLetters);

    const sourceSecretPrefix = `${prefix}/sources/`;
    /**
     * A secret of this council's, encrypted with its key, with a random value nobody knows, and why it is
     * rotated by a person (or never) rather than by a rotation Lambda (cdk-nag's SMG4). Deleted with the stack
     * unless it must outlive it.
     */
    const councilSecret = (
      secretId: string,
      props: { name: string; description: string; length: number; removalPolicy?: RemovalPolicy },
      whyNoRotation: string,
    ) => {
      const secret = new Secret(this, secretId, {
        secretName: props.name,
        description: props.description,
        encryptionKey: key,
        generateSecretString: { excludePunctuation: true, passwordLength: props.length },
        removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      });
      Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: whyNoRotation });
      return secret;
    };
    const sourceSecrets = Object.keys(webhookSources(council)).map((sourceId) =>
      // Nothing verifies until the operator sets the source's real secret.
      councilSecret(
        `SourceSecret-${sourceId}`,
        {
          name: `${sourceSecretPrefix}${sourceId}`,
          description: `Standard Webhooks signing secret(s) of ${council.id} source ${sourceId}: a whsec_ string or a JSON array of them`,
          length: 40,
        },
        'A source secret is shared with an external police or school system and rotated together with it: the secret holds a JSON array of active secrets so old and new both verify during the change (README, deploy).',
      ),
    );

    // The key of the child registry's pseudonyms (HMAC-SHA-256 of each identifier, and the child ids): generated
    // here, never rotated and never deleted with the stack, as every registry entry depends on it.
    const pseudonymKey = councilSecret(
      'PseudonymKey',
      {
        name: `${prefix}/pseudonym-key`,
        description: `The key of ${council.id}'s child registry pseudonyms: never rotate or delete it (the registry would no longer find any child)`,
        length: 64,
        removalPolicy: RemovalPolicy.RETAIN,
      },
      "The pseudonym key is never rotated: every registry entry's key and every child id is an HMAC under it, so a new key would find no child already recorded (README, reports: matching rules).",
    );

    const email = new CouncilEmail(this, 'Email', { council, prefix });

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

    // The key the links in emails are signed with (HMAC-SHA-256): generated here, never seen by a person, and
    // rotated by the operator in two steps (README). Its value is one key, or a JSON array of keys, first signs.
    const linkKeySecretName = `${prefix}/action-link-key`;
    const linkKey = councilSecret(
      'ActionLinkKey',
      {
        name: linkKeySecretName,
        description: `Signs the links in ${council.id}'s emails that record a step: one key, or a JSON array while rotating (the first signs)`,
        length: 64,
      },
      'The operator rotates the action-link key in two steps (README): the new key goes second, then first a minute later, and the old key stays until its last link expires 14 days on, so no link in an inbox stops working; a rotation Lambda for one key would be more to run and audit than the two writes it saves.',
    );
    const actionPageUrl = `${apiStage.url}${ACTION_PAGE_PATH.slice(1)}`;
    const secretsExtension = ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
      secretsManagerTtl: LINK_KEY_CACHE,
      // A hung read fails the send (retried) in seconds rather than at the function's timeout.
      secretsManagerTimeout: Duration.seconds(3),
      cacheSize: 10,
      logLevel: ParamsAndSecretsLogLevel.WARN,
    });

    const tableName = { TABLE_NAME: table.tableName };
    const accesses: Record<Access, { environment: Record<string, string>; grant: (role: Role) => void }> = {
      'episode-reads': {
        environment: tableName,
        grant: (role) => grantTable(role, ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query']),
      },
      'episode-commits': {
        environment: tableName,
        grant: (role) =>
          grantTable(role, [
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:DeleteItem',
            'dynamodb:ConditionCheckItem',
          ]),
      },
      'notice-claims': { environment: tableName, grant: (role) => grantTable(role, ['dynamodb:UpdateItem']) },
      'send-records': {
        environment: tableName,
        grant: (role) => grantTable(role, ['dynamodb:GetItem', 'dynamodb:PutItem']),
      },
      // The reports read every episode of the council; a few thousand a year make a Scan the simple way.
      'episode-scan': { environment: tableName, grant: (role) => grantTable(role, ['dynamodb:Scan']) },
      'pending-notices': {
        environment: tableName,
        grant: (role) =>
          grantTable(role, ['dynamodb:Query'], `${table.tableArn}/index/${PENDING_NOTICE_INDEX.indexName}`),
      },
      'routing-queue': {
        environment: { ROUTING_QUEUE_URL: routing.queue.queueUrl },
        grant: (role) => grantSend(role, routing.queue),
      },
      'deadline-queue': {
        environment: { DEADLINE_QUEUE_URL: deadlines.queue.queueUrl },
        grant: (role) => grantSend(role, deadlines.queue),
      },
      'schedule-deadlines': {
        environment: {
          SCHEDULE_GROUP: deadlineSchedules.scheduleGroupName,
          DEADLINE_QUEUE_ARN: deadlines.queue.queueArn,
          SCHEDULER_ROLE_ARN: schedulerRole.roleArn,
          SCHEDULER_DLQ_ARN: scheduleDeadLetters.queueArn,
        },
        grant: (role) => {
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
      },
      'source-secrets': {
        environment: { SOURCE_SECRET_PREFIX: sourceSecretPrefix },
        // CDK's read grant uses the key only through Secrets Manager (kms:ViaService) already.
        grant: (role) => {
          for (const secret of sourceSecrets) secret.grantRead(role);
        },
      },
      'pseudonym-key': {
        environment: { PSEUDONYM_KEY_SECRET: pseudonymKey.secretArn },
        grant: (role) => pseudonymKey.grantRead(role),
      },
      email: {
        environment: { SES_CONFIGURATION_SET: email.configurationSet.configurationSetName },
        grant: (role) => email.grantSend(role),
      },
      'action-links': {
        environment: { ACTION_LINK_KEY_SECRET: linkKey.secretArn, ACTION_PAGE_URL: actionPageUrl },
        // CDK's read grant uses the key only through Secrets Manager (kms:ViaService) already.
        grant: (role) => {
          linkKey.grantRead(role);
        },
      },
    };

    const alarms = new OperatorAlarms(this, 'Alarms', {
      council,
      key,
      namespace: `MissingEpisodes/${council.id}`,
      alarmNamePrefix: prefix,
    });
    alarms.onDeadLetters(
      'RoutingDeadLetters',
      routing.deadLetters,
      'routing messages notify could not deliver',
    );
    alarms.onDeadLetters(
      'DeadlineDeadLetters',
      deadlines.deadLetters,
      'deadline notices the reminder could not fire',
    );
    alarms.onDeadLetters(
      'ScheduleDeadLetters',
      scheduleDeadLetters,
      'deadline payloads the Scheduler could not put on the deadline queue, or timetabled runs it could not start',
    );
    alarms.onDeadLetters(
      'TimetableFailures',
      timetableFailures,
      'sweep or monthly report runs that failed every retry',
    );
    alarms.onDeadLetters(
      'DispatchDeadLetters',
      dispatchDeadLetters,
      'outbox stream batches the dispatcher gave up on (routing messages or schedules not delivered)',
    );
    alarms.onOldestMessage('RoutingStuck', routing.queue, 'routing', OLDEST_MESSAGE_ALARM);
    alarms.onOldestMessage('DeadlinesStuck', deadlines.queue, 'deadline', OLDEST_MESSAGE_ALARM);
    alarms.onApiServerErrors(apiStage);
    alarms.onEmailBounces(email.configurationSet.configurationSetName);

    const functions = {} as Record<FunctionName, PipelineFunction>;
    for (const [name, spec] of Object.entries(pipelineFunctions) as [FunctionName, FunctionSpec][]) {
      const trigger = typeof spec.triggeredBy === 'function' ? spec.triggeredBy(council) : spec.triggeredBy;
      const consumesQueue = trigger === 'routing-queue' || trigger === 'deadline-queue';
      // Each container's share of SES's rate: a queue consumer runs as many containers as batches at once.
      const sesRate = spec.uses.includes('email')
        ? {
            SES_MAX_SENDS_PER_SECOND: String(
              SES_SENDS_PER_SECOND / (consumesQueue ? CONSUMER_MAX_CONCURRENCY : 1),
            ),
          }
        : {};
      const fn = new PipelineFunction(this, `${name}Function`, {
        name,
        functionName: named(name, 'function', 64),
        functionsDir,
        council,
        environment: Object.assign(
          { STAGE: stage },
          ...spec.uses.map((access) => accesses[access].environment),
          sesRate,
        ),
        timeout: spec.timeout,
        memorySize: spec.memorySize,
        logRetention: LOG_RETENTION,
        ...(spec.uses.includes('action-links') ? { paramsAndSecrets: secretsExtension } : {}),
      });
      for (const access of spec.uses) accesses[access].grant(fn.role);
      if (spec.uses.includes('email')) alarms.onEmailOutcomes(name, fn.logGroup);
      alarms.onErrors(name, fn.fn);
      functions[name] = fn;

      if (trigger === 'webhook') {
        api.addRoutes({
          path: WEBHOOK_ROUTE,
          // ANY too, so another method is answered 405 (Allow: POST) by the intake, not 404 by the gateway.
          methods: [HttpMethod.POST, HttpMethod.ANY],
          integration: new HttpLambdaIntegration('WebhookIntegration', fn.fn),
        });
        alarms.onIntakeOutcomes(fn.logGroup, webhookSources(council));
      } else if (trigger === 'action-page') {
        const integration = new HttpLambdaIntegration('ActionPageIntegration', fn.fn);
        // GET opens a link, POST records its form; ANY so another method is answered 405 by the page itself.
        api.addRoutes({
          path: ACTION_PAGE_PATH,
          methods: [HttpMethod.GET, HttpMethod.POST, HttpMethod.ANY],
          integration,
        });
        (apiStage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
          ['GET', 'POST', 'ANY'].map((method) => [
            `${method} ${ACTION_PAGE_PATH}`,
            {
              ThrottlingRateLimit: ACTION_PAGE_THROTTLE.rateLimit,
              ThrottlingBurstLimit: ACTION_PAGE_THROTTLE.burstLimit,
            },
          ]),
        );
        alarms.onActionPage(fn.logGroup);
      } else if (trigger === 'outbox-stream') {
        // The mapping reads the stream as this function's role: the stream's read actions, on this stream only,
        // and its records decrypted through DynamoDB (the function itself reads nothing from the table).
        const streamArn = table.tableStreamArn as string;
        fn.role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: [
              'dynamodb:DescribeStream',
              'dynamodb:GetRecords',
              'dynamodb:GetShardIterator',
              'dynamodb:ListStreams',
            ],
            resources: [streamArn],
          }),
        );
        grantKeyVia(fn.role, 'dynamodb', ['kms:Decrypt']);
        fn.fn.addEventSourceMapping('OutboxStream', {
          eventSourceArn: streamArn,
          startingPosition: StartingPosition.TRIM_HORIZON,
          filters: [FilterCriteria.filter(OUTBOX_INSERT_FILTER)],
          reportBatchItemFailures: true,
          bisectBatchOnError: true,
          ...OUTBOX_STREAM,
          // Not SqsDlq, whose grant would let the role use the key directly.
          onFailure: { bind: () => ({ destination: dispatchDeadLetters.queueArn }) },
        });
        grantSend(fn.role, dispatchDeadLetters);
      } else if (consumesQueue) {
        const { queue } = trigger === 'routing-queue' ? routing : deadlines;
        fn.fn.addEventSourceMapping('Queue', {
          eventSourceArn: queue.queueArn,
          batchSize: 10,
          reportBatchItemFailures: true,
          maxConcurrency: CONSUMER_MAX_CONCURRENCY,
        });
        // Granted here, not by an SqsEventSource, whose grant would let the role use the key directly.
        fn.role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: [
              'sqs:ReceiveMessage',
              'sqs:ChangeMessageVisibility',
              'sqs:DeleteMessage',
              'sqs:GetQueueAttributes',
            ],
            resources: [queue.queueArn],
          }),
        );
        grantKeyVia(fn.role, 'sqs', ['kms:Decrypt']);
      } else {
        // Lambda retries a failed asynchronous run twice, then keeps it in the timetable failures queue.
        fn.fn.configureAsyncInvoke({
          retryAttempts: 2,
          onFailure: { bind: () => ({ destination: timetableFailures.queueArn }) },
        });
        grantSend(fn.role, timetableFailures);
        // Its own role (not the deadline schedules'), which may also dead-letter to the encrypted queue.
        const role = schedulesRole(`${name}ScheduleRole`, timetableSchedules);
        grantSend(role, scheduleDeadLetters);
        new Schedule(this, `${name}Schedule`, {
          scheduleName: named(name, 'schedule', 64),
          scheduleGroup: timetableSchedules,
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
      [scheduleDeadLetters, timetableFailures, dispatchDeadLetters],
    );

    new CfnOutput(this, 'WebhookUrl', { value: `${apiStage.url}v1/sources/{sourceId}/events` });
    new CfnOutput(this, 'SourceSecretPrefix', { value: sourceSecretPrefix });
    new CfnOutput(this, 'ActionPageUrl', { value: actionPageUrl });
    new CfnOutput(this, 'ActionLinkKeySecret', { value: linkKeySecretName });
    new CfnOutput(this, 'OperatorTopicArn', { value: alarms.topic.topicArn });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    email.outputDkimRecords();
  }

  /** The cdk-nag findings this design accepts, each with its reason. Anything else fails the synth. */
  private acknowledgeFindings(
    scheduleGroupName: string,
    timetabled: PipelineFunction[],
    deadLetterQueues: Queue[],
  ): void {
    const iam5 = (finding: string, reason: string) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    const region = 'arn:<AWS::Partition>:%s:<AWS::Region>:<AWS::AccountId>';
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-APIG4',
        reason:
          "Sources are police and school systems, not users: the intake function authenticates each request by its Standard Webhooks HMAC signature with that source's secret (401 otherwise).",
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
        "The dispatcher names a schedule per deadline notice at run time; the wildcard is limited to this council's deadline schedule group.",
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
    for (const deadLetters of deadLetterQueues) {
      Validations.of(deadLetters).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          "This queue is itself a dead-letter queue: the schedules' DeadLetterConfig or a Lambda on-failure destination (of a timetabled run, or of the outbox stream's mapping), which are not declared as an SQS redrive.",
      });
    }
  }
}
