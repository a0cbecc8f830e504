import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it, vi } from 'vitest';
import { SOURCE_REFUSALS } from '../../infra/constructs/operator-alarms';
import {
  ACTION_PAGE_THROTTLE,
  CONSUMER_MAX_CONCURRENCY,
  type FunctionName,
  LINK_KEY_CACHE,
  MAX_RECEIVES,
  OLDEST_MESSAGE_ALARM,
  pipelineFunctions,
  SES_SENDS_PER_SECOND,
} from '../../infra/council-stack';
import { createTableInput, OUTBOX_INSERT_FILTER, TTL_ATTRIBUTE } from '../../shared/adapters/episode-table';
import { webhookSources } from '../../shared/council/council-schema';
import { NOTICE_LEASE_MS } from '../../shared/notify/fire-notice';
import {
  actionsOf,
  CDK_TEST_TIMEOUT_MS,
  propertiesOf,
  resourcesOf,
  stages,
  statementsOfRole,
  synthCouncilStacks,
} from './council-templates';

// Building and checking stacks takes seconds on a quiet machine and far longer on a loaded 2-core one.
vi.setConfig({ testTimeout: CDK_TEST_TIMEOUT_MS });

const stacks = stages.flatMap((stage) => synthCouncilStacks({ stage }).stacks);
const functionNames = Object.keys(pipelineFunctions) as FunctionName[];
const emailSenders = functionNames.filter((name) =>
  (pipelineFunctions[name].uses as string[]).includes('email'),
);

const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const dynamoKey = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
const queueKey = ['kms:Decrypt', 'kms:GenerateDataKey'];
const email = ['ses:SendEmail', 'ses:SendRawEmail'];
const consume = [
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
];
/** What reading episodes takes: single items, a few at once (intake's first read), queries. */
const episodeReads = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const streamRead = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];
/** Reading a secret (the action-link key through the Parameters and Secrets extension, as the function's role). */
const secretRead = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
const linkKey = secretRead;
/** The intake's commit: the items of its one transaction. */
const commit = [
  ...episodeReads,
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
  ...dynamoKey,
];
const expectedActions: Record<FunctionName, string[]> = {
  // The commit is intake's only write: no queue, no Scheduler.
  intake: [...logs, ...commit, ...secretRead],
  // No table and no email: the stream's records (decrypted through DynamoDB), the two queues, the Scheduler.
  dispatch: [
    ...logs,
    ...streamRead,
    'kms:Decrypt',
    'sqs:SendMessage',
    ...queueKey,
    'scheduler:CreateSchedule',
    'scheduler:DeleteSchedule',
    'iam:PassRole',
  ],
  notify: [
    ...logs,
    ...episodeReads,
    'dynamodb:PutItem',
    ...dynamoKey,
    ...email,
    'sqs:SendMessage',
    ...consume,
    ...queueKey,
    ...linkKey,
  ],
  reminder: [
    ...logs,
    ...episodeReads,
    'dynamodb:UpdateItem',
    'dynamodb:PutItem',
    ...dynamoKey,
    ...email,
    'sqs:SendMessage',
    ...consume,
    ...queueKey,
    ...linkKey,
  ],
  sweep: [
    ...logs,
    ...episodeReads,
    'dynamodb:UpdateItem',
    'dynamodb:PutItem',
    ...dynamoKey,
    ...email,
    'sqs:SendMessage',
    ...queueKey,
    ...linkKey,
  ],
  // Records a step through the intake's commit: the same table actions, the link and pseudonym keys instead of source secrets.
  actions: [...logs, ...commit, ...linkKey],
  'monthly-report': [
    ...logs,
    'dynamodb:Scan',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    ...dynamoKey,
    ...email,
    'sqs:SendMessage',
    ...queueKey,
  ],
};

/**
 * The link key and the page's URL, and the Parameters and Secrets extension's own settings (its layer reads
 * them: how long it keeps a secret, its log level, how many it caches).
 */
const links = [
  'ACTION_LINK_KEY_SECRET',
  'ACTION_PAGE_URL',
  'PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED',
  'PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE',
  'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
  'PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL',
  'PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS',
  'SECRETS_MANAGER_TIMEOUT_MILLIS',
  'SECRETS_MANAGER_TTL',
  'SSM_PARAMETER_STORE_TIMEOUT_MILLIS',
  'SSM_PARAMETER_STORE_TTL',
];
/** Each function's own variables: what it parses, and nothing it may not use. */
const expectedEnvironment: Record<FunctionName, string[]> = {
  intake: ['TABLE_NAME', 'SOURCE_SECRET_PREFIX', 'PSEUDONYM_KEY_SECRET'],
  dispatch: [
    'ROUTING_QUEUE_URL',
    'DEADLINE_QUEUE_URL',
    'SCHEDULE_GROUP',
    'DEADLINE_QUEUE_ARN',
    'SCHEDULER_ROLE_ARN',
    'SCHEDULER_DLQ_ARN',
  ],
  notify: ['TABLE_NAME', 'SES_CONFIGURATION_SET', 'SES_MAX_SENDS_PER_SECOND', 'ROUTING_QUEUE_URL', ...links],
  reminder: [
    'TABLE_NAME',
    'SES_CONFIGURATION_SET',
    'SES_MAX_SENDS_PER_SECOND',
    'DEADLINE_QUEUE_URL',
    ...links,
  ],
  sweep: ['TABLE_NAME', 'SES_CONFIGURATION_SET', 'SES_MAX_SENDS_PER_SECOND', ...links],
  actions: ['TABLE_NAME', 'PSEUDONYM_KEY_SECRET', ...links],
  'monthly-report': ['TABLE_NAME', 'SES_CONFIGURATION_SET', 'SES_MAX_SENDS_PER_SECOND'],
};

/** What each request the DynamoDB store sends needs (a transaction needs the actions of its items). */
const actionsOfStoreRequest: Record<string, string[]> = {
  Get: ['dynamodb:GetItem'],
  BatchGet: ['dynamodb:BatchGetItem'],
  Put: ['dynamodb:PutItem'],
  Update: ['dynamodb:UpdateItem'],
  Query: ['dynamodb:Query'],
  TransactWrite: [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:ConditionCheckItem',
  ],
};

/** The requests an adapter module sends ("Query", "TransactWrite", ...), read from its source. */
const requestsOf = (adapter: string): string[] => {
  const source = readFileSync(
    fileURLToPath(new URL(`../../shared/adapters/${adapter}.ts`, import.meta.url)),
    'utf8',
  );
  return [...new Set([...source.matchAll(/new (\w+)Command\(/g)].map((m) => m[1] ?? ''))];
};

it('some function may send each request the DynamoDB stores send, and the intake every request of its path', () => {
  const stores = ['dynamo-episode-store', 'dynamo-notice-store', 'dynamo-intake-store'];
  const requests = new Set(stores.flatMap(requestsOf));
  expect(requests.size).toBeGreaterThan(3);
  for (const store of stores) expect(requestsOf(store).length, store).toBeGreaterThan(0);
  const granted = new Set(Object.values(expectedActions).flat());
  for (const request of requests) {
    expect(actionsOfStoreRequest[request], `${request}Command`).toBeDefined();
    for (const action of actionsOfStoreRequest[request] ?? []) expect(granted, request).toContain(action);
  }
  // Its read of the delivery and the ref, its reads of the child and the episode, its commit.
  for (const request of ['BatchGet', 'Query', 'Get', 'TransactWrite']) {
    for (const action of actionsOfStoreRequest[request] ?? [])
      expect(expectedActions.intake).toContain(action);
  }
});

it('synthesizes one stack per council file and stage', () => {
  expect(stacks.map((stack) => stack.stackName).sort()).toEqual([
    'MissingEpisodes-bath-ne-somerset-production',
    'MissingEpisodes-bath-ne-somerset-staging',
    'MissingEpisodes-tower-hamlets-production',
    'MissingEpisodes-tower-hamlets-staging',
  ]);
});

describe.each(stacks.map((stack) => [stack.stackName, stack] as const))('%s', (stackName, stack) => {
  const template = Template.fromStack(stack);
  const stage = stackName.endsWith('-production') ? 'production' : 'staging';
  const council = stack.council;
  const prefix = `missing-episodes-${council.id}-${stage}`;
  const idOf = (element: unknown) => stack.getLogicalId(element as CfnElement);
  const fnId = (name: FunctionName) => idOf(stack.functions[name].fn.node.defaultChild);
  const roleId = (name: FunctionName) => idOf(stack.functions[name].role.node.defaultChild);
  /** The logical id of the CloudFormation resource behind the construct at this path in the stack. */
  const idAt = (...path: string[]) =>
    idOf(path.reduce((scope, id) => scope.node.findChild(id), stack as IConstruct).node.defaultChild);
  const keyId = idAt('DataKey');
  const routingId = idAt('Routing');
  const routingDlqId = idAt('RoutingDeadLetters');
  const deadlinesId = idAt('Deadlines');
  const deadlinesDlqId = idAt('DeadlinesDeadLetters');
  const scheduleDlqId = idAt('ScheduleDeadLetters');
  const timetableFailuresId = idAt('TimetableFailures');
  const dispatchDlqId = idAt('DispatchDeadLetters');
  const tableId = idAt('Episodes');
  const schedulerRoleId = idAt('DeadlineSchedulerRole');
  const topicId = idAt('Alarms', 'Topic');
  const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
  const functionProps = (name: FunctionName) => propertiesOf(template, 'AWS::Lambda::Function', fnId(name));
  const variablesOf = (name: FunctionName) =>
    (functionProps(name).Environment as { Variables: Record<string, unknown> }).Variables;
  const roleStatements = () =>
    Object.values(resourcesOf(template, 'AWS::IAM::Policy')).flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );

  describe('the episode table', () => {
    it('has exactly the keys and index the local table is created with', () => {
      const local = createTableInput('local');
      const [table] = Object.values(resourcesOf(template, 'AWS::DynamoDB::Table'));
      const props = table?.Properties ?? {};
      const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
        (a.AttributeName ?? '').localeCompare(b.AttributeName ?? '');
      expect([...(props.AttributeDefinitions as { AttributeName: string }[])].sort(byName)).toEqual(
        [...(local.AttributeDefinitions ?? [])].sort(byName),
      );
      expect(props.KeySchema).toEqual(local.KeySchema);
      expect(props.GlobalSecondaryIndexes).toEqual(local.GlobalSecondaryIndexes);
      expect(props.StreamSpecification).toEqual({
        StreamViewType: local.StreamSpecification?.StreamViewType,
      });
    });

    it('is on demand, recoverable to a point in time, encrypted with the council key, expiring by TTL and kept on stack deletion', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: arnOf(keyId) },
          TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
          DeletionProtectionEnabled: true,
        },
      });
    });

    it('is encrypted with a rotating customer-managed key that outlives the stack', () => {
      template.hasResource('AWS::KMS::Key', {
        DeletionPolicy: 'Retain',
        Properties: { EnableKeyRotation: true },
      });
    });
  });

  describe('the functions', () => {
    it.each(functionNames)(
      '%s is bundled for Node 24, the newest LTS Lambda offers, on arm64 with JSON logs kept for 90 days',
      (name) => {
        const fn = functionProps(name);
        expect(fn).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
        });
        const logGroupRef = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
        expect(propertiesOf(template, 'AWS::Logs::LogGroup', logGroupRef)).toMatchObject({
          RetentionInDays: 90,
        });
      },
    );

    it.each(functionNames)('%s gets only its own environment variables, and its stage', (name) => {
      const variables = variablesOf(name);
      expect(Object.keys(variables).sort()).toEqual(
        ['STAGE', 'POWERTOOLS_SERVICE_NAME', ...expectedEnvironment[name]].sort(),
      );
      expect(variables.STAGE).toBe(stage);
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe(name);
    });

    it('the dispatcher schedules against the deadline queue and sends a notice already due to it, and each consumer sends back to its own queue', () => {
      expect(variablesOf('dispatch').DEADLINE_QUEUE_ARN).toEqual(arnOf(deadlinesId));
      expect(variablesOf('dispatch').DEADLINE_QUEUE_URL).toEqual({ Ref: deadlinesId });
      expect(variablesOf('dispatch').ROUTING_QUEUE_URL).toEqual({ Ref: routingId });
      expect(variablesOf('notify').ROUTING_QUEUE_URL).toEqual({ Ref: routingId });
      expect(variablesOf('reminder').DEADLINE_QUEUE_URL).toEqual({ Ref: deadlinesId });
    });

    it("each container of an email-sending function sends at most its share of SES's rate", () => {
      const rate = (name: FunctionName) => Number(variablesOf(name).SES_MAX_SENDS_PER_SECOND);
      // The queue consumers run two containers at once; the timetabled functions one.
      expect(rate('notify') * CONSUMER_MAX_CONCURRENCY).toBe(SES_SENDS_PER_SECOND);
      expect(rate('reminder') * CONSUMER_MAX_CONCURRENCY).toBe(SES_SENDS_PER_SECOND);
      expect(rate('sweep')).toBe(SES_SENDS_PER_SECOND);
      expect(rate('monthly-report')).toBe(SES_SENDS_PER_SECOND);
    });

    it.each(functionNames)('%s may do only what it uses, with only the table actions it calls', (name) => {
      expect(actionsOf(statementsOfRole(template, roleId(name)))).toEqual(
        [...new Set(expectedActions[name])].sort(),
      );
    });

    it('every statement of every function names its resources: no account-wide grant', () => {
      for (const name of functionNames) {
        for (const statement of statementsOfRole(template, roleId(name))) {
          expect(statement.Resource).not.toBe('*');
        }
      }
    });

    it('every grant on the council key, to any role, is through the one service that uses it (kms:ViaService)', () => {
      const onKey = roleStatements().filter((s) => JSON.stringify(s.Resource).includes(`"${keyId}"`));
      expect(onKey.length).toBeGreaterThan(0);
      for (const statement of onKey) {
        const via = JSON.stringify((statement.Condition as Record<string, unknown>)?.StringEquals ?? {});
        expect(via, JSON.stringify(statement)).toMatch(/"kms:ViaService":.*"(dynamodb|sqs|secretsmanager)\./);
      }
    });

    it('only the sweep reads the pending-notice index', () => {
      const onIndex = (name: FunctionName) =>
        statementsOfRole(template, roleId(name)).some((s) => JSON.stringify(s.Resource).includes('/index/'));
      expect(functionNames.filter(onIndex)).toEqual(['sweep']);
    });

    it('only the dispatcher passes a role, only the deadline schedulers role, and only to the Scheduler', () => {
      for (const name of functionNames) {
        const passRole = statementsOfRole(template, roleId(name)).filter((s) =>
          actionsOf([s]).includes('iam:PassRole'),
        );
        if (name !== 'dispatch') {
          expect(passRole).toEqual([]);
          continue;
        }
        expect(passRole).toEqual([
          {
            Effect: 'Allow',
            Action: 'iam:PassRole',
            Resource: arnOf(schedulerRoleId),
            Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          },
        ]);
      }
    });

    it("the dispatcher's schedules are limited to the council's deadline schedule group", () => {
      const scheduling = statementsOfRole(template, roleId('dispatch')).find((s) =>
        actionsOf([s]).includes('scheduler:CreateSchedule'),
      );
      expect(JSON.stringify(scheduling?.Resource)).toContain(`:schedule/${prefix}-deadlines/*`);
    });

    it("sending email is limited to the council's from address and configuration set", () => {
      for (const name of emailSenders) {
        const send = statementsOfRole(template, roleId(name)).find((s) =>
          actionsOf([s]).includes('ses:SendEmail'),
        );
        expect(send?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': council.email.from.address } });
        expect(JSON.stringify(send?.Resource)).toContain(':configuration-set/');
      }
    });
  });

  describe('the HTTP API', () => {
    const integrationOf = (name: FunctionName) => {
      const integrations = Object.entries(resourcesOf(template, 'AWS::ApiGatewayV2::Integration')).filter(
        ([, i]) => JSON.stringify(i.Properties.IntegrationUri) === JSON.stringify(arnOf(fnId(name))),
      );
      expect(integrations).toHaveLength(1);
      expect(integrations[0]?.[1].Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
      });
      return integrations[0]?.[0];
    };
    const routes = () =>
      Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties);

    it('routes POST /v1/sources/{sourceId}/events, and every other method on it, to the intake, and /v1/actions to the action page', () => {
      const intake = integrationOf('intake');
      const actions = integrationOf('actions');
      expect(resourcesOf(template, 'AWS::ApiGatewayV2::Integration')).toEqual({
        [intake ?? '']: expect.anything(),
        [actions ?? '']: expect.anything(),
      });
      // The POST route wins for POST; ANY takes the rest, which the intake answers 405 with Allow: POST (and
      // the action page 405 with Allow: GET, POST).
      const target = (id: string | undefined) => ({ 'Fn::Join': ['', ['integrations/', { Ref: id }]] });
      expect(
        routes()
          .map((r) => [r.RouteKey, r.Target])
          .sort(([a], [b]) => String(a).localeCompare(String(b))),
      ).toEqual([
        ['ANY /v1/actions', target(actions)],
        ['ANY /v1/sources/{sourceId}/events', target(intake)],
        ['GET /v1/actions', target(actions)],
        ['POST /v1/actions', target(actions)],
        ['POST /v1/sources/{sourceId}/events', target(intake)],
      ]);
    });

    it('lets the API invoke each function for its own path only', () => {
      const permissions = Object.values(resourcesOf(template, 'AWS::Lambda::Permission'))
        .map((p) => p.Properties)
        .filter((p) => p.Principal === 'apigateway.amazonaws.com');
      // One per route (CDK adds one as it binds each), every one for any stage and method of its path.
      expect(permissions).toHaveLength(5);
      for (const permission of permissions) {
        const path =
          JSON.stringify(permission.FunctionName) === JSON.stringify(arnOf(fnId('intake')))
            ? '"/*/*/v1/sources/{sourceId}/events"'
            : '"/*/*/v1/actions"';
        expect(JSON.stringify(permission.SourceArn)).toContain(path);
      }
    });

    it('throttles its default stage, and the action page harder, and writes access logs without query strings', () => {
      const stages = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Stage'));
      expect(stages).toHaveLength(1);
      const apiStage = stages[0]?.Properties ?? {};
      const actionRoute = {
        ThrottlingRateLimit: ACTION_PAGE_THROTTLE.rateLimit,
        ThrottlingBurstLimit: ACTION_PAGE_THROTTLE.burstLimit,
      };
      expect(apiStage).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
        RouteSettings: {
          'GET /v1/actions': actionRoute,
          'POST /v1/actions': actionRoute,
          'ANY /v1/actions': actionRoute,
        },
        AccessLogSettings: { Format: expect.stringContaining('$context.requestId') },
      });
      // A link's token rides in its query string: the access log has the path only.
      const format = String((apiStage.AccessLogSettings as { Format: string }).Format);
      expect(format).toContain('$context.path');
      expect(format).not.toMatch(/querystring|requestOverride|\$request\./i);
      const destination = (apiStage.AccessLogSettings as { DestinationArn: { 'Fn::GetAtt': [string] } })
        .DestinationArn['Fn::GetAtt'][0];
      expect(propertiesOf(template, 'AWS::Logs::LogGroup', destination)).toMatchObject({
        RetentionInDays: 90,
      });
    });
  });

  describe('the links in emails', () => {
    const linkKeyId = idAt('ActionLinkKey');
    const signers: FunctionName[] = ['actions', 'notify', 'reminder', 'sweep'];

    it('are signed with a generated key kept in Secrets Manager, encrypted with the council key', () => {
      expect(propertiesOf(template, 'AWS::SecretsManager::Secret', linkKeyId)).toMatchObject({
        Name: `${prefix}/action-link-key`,
        KmsKeyId: arnOf(keyId),
        GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 64 },
      });
    });

    it('only the functions that render emails or the action page may read that key, through the extension layer', () => {
      const readers = functionNames.filter((name) =>
        statementsOfRole(template, roleId(name)).some(
          (s) => JSON.stringify(s.Resource) === JSON.stringify({ Ref: linkKeyId }),
        ),
      );
      expect(readers.sort()).toEqual([...signers].sort());
      for (const name of functionNames) {
        const layers = (functionProps(name).Layers ?? []) as unknown[];
        expect(layers, name).toHaveLength(signers.includes(name) ? 1 : 0);
        if (signers.includes(name)) {
          // AWS's own layer for the region the stack is deployed in, arm64.
          const [mapName, , version] = (layers[0] as { 'Fn::FindInMap': [string, unknown, string] })[
            'Fn::FindInMap'
          ];
          expect(version).toBe('1x0x103xarm64');
          const regions = (
            template.toJSON().Mappings as Record<string, Record<string, Record<string, string>>>
          )[mapName];
          expect(regions?.['eu-west-2']?.[version]).toMatch(
            /^arn:aws:lambda:eu-west-2:\d+:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+$/,
          );
          expect(variablesOf(name)).toMatchObject({
            ACTION_LINK_KEY_SECRET: { Ref: linkKeyId },
            SECRETS_MANAGER_TTL: String(LINK_KEY_CACHE.toSeconds()),
          });
          expect(JSON.stringify(variablesOf(name).ACTION_PAGE_URL)).toContain('v1/actions');
        }
      }
    });

    it("says where the pages are and which secret holds the key, and alarms on the page's failures", () => {
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(JSON.stringify(outputs.ActionPageUrl?.Value)).toContain('v1/actions');
      expect(outputs.ActionLinkKeySecret?.Value).toEqual(`${prefix}/action-link-key`);
      const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map(
        (a) => a.Properties.AlarmName,
      );
      for (const name of ['ActionLinksUnavailable', 'ActionPageFailures', 'ActionLinksRefused']) {
        expect(alarms).toContain(`${prefix}-${name}`);
      }
    });
  });

  describe('the outbox', () => {
    it("the dispatcher reads the table's stream, filtered to outbox inserts, with partial batch failures", () => {
      const mappings = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).filter((m) =>
        JSON.stringify(m.Properties.EventSourceArn).includes(tableId),
      );
      expect(mappings).toHaveLength(1);
      expect(mappings[0]?.Properties).toMatchObject({
        FunctionName: { Ref: fnId('dispatch') },
        EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
        StartingPosition: 'TRIM_HORIZON',
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify(OUTBOX_INSERT_FILTER) }] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: expect.any(Number),
        MaximumRecordAgeInSeconds: expect.any(Number),
        DestinationConfig: { OnFailure: { Destination: arnOf(dispatchDlqId) } },
      });
      const { MaximumRetryAttempts, MaximumRecordAgeInSeconds } = (mappings[0]?.Properties ?? {}) as Record<
        string,
        number
      >;
      // Bounded: a failing item reaches the dead-letter queue (and a person) well within the stream's 24 hours.
      expect(MaximumRetryAttempts).toBeGreaterThan(0);
      expect(MaximumRetryAttempts).toBeLessThanOrEqual(100);
      expect(MaximumRecordAgeInSeconds).toBeGreaterThanOrEqual(60);
      expect(MaximumRecordAgeInSeconds).toBeLessThan(24 * 3600);
    });

    it('only the dispatcher reads the stream, and only this table’s', () => {
      const readsStream = (name: FunctionName) =>
        statementsOfRole(template, roleId(name)).filter((s) =>
          actionsOf([s]).includes('dynamodb:GetRecords'),
        );
      for (const name of functionNames) {
        if (name !== 'dispatch') expect(readsStream(name)).toEqual([]);
      }
      expect(readsStream('dispatch').map((s) => s.Resource)).toEqual([
        { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      ]);
    });

    it('only the dispatcher may make schedules; it may send to the routing and deadline queues and its own dead-letter queue, and may neither touch the table nor send email', () => {
      const may = (action: string) =>
        functionNames.filter((name) => actionsOf(statementsOfRole(template, roleId(name))).includes(action));
      expect(may('scheduler:CreateSchedule')).toEqual(['dispatch']);
      const sends = statementsOfRole(template, roleId('dispatch')).filter((s) =>
        actionsOf([s]).includes('sqs:SendMessage'),
      );
      expect(sends.flatMap((s) => [s.Resource].flat()).sort()).toEqual(
        [arnOf(routingId), arnOf(deadlinesId), arnOf(dispatchDlqId)].sort(),
      );
      const actions = actionsOf(statementsOfRole(template, roleId('dispatch')));
      expect(actions.filter((a) => a.startsWith('ses:'))).toEqual([]);
      expect(actions.filter((a) => a.startsWith('dynamodb:') && !streamRead.includes(a))).toEqual([]);
    });
  });

  describe('the queues', () => {
    it('every queue is encrypted with the council key, keeps messages 14 days and refuses anything but TLS', () => {
      const queues = resourcesOf(template, 'AWS::SQS::Queue');
      expect(Object.keys(queues).sort()).toEqual(
        [
          routingId,
          routingDlqId,
          deadlinesId,
          deadlinesDlqId,
          scheduleDlqId,
          timetableFailuresId,
          dispatchDlqId,
        ].sort(),
      );
      for (const queue of Object.values(queues)) {
        expect(queue.Properties.KmsMasterKeyId).toEqual(arnOf(keyId));
        expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
      }
      const policies = Object.values(resourcesOf(template, 'AWS::SQS::QueuePolicy'));
      const tlsOnly = policies.filter((policy) =>
        JSON.stringify(policy.Properties.PolicyDocument).includes('"aws:SecureTransport":"false"'),
      );
      const covered = tlsOnly.flatMap((policy) =>
        (policy.Properties.Queues as { Ref: string }[]).map((q) => q.Ref),
      );
      expect(covered.sort()).toEqual(Object.keys(queues).sort());
    });

    it.each([
      ['routing', 'notify'],
      ['deadline', 'reminder'],
    ] as const)(
      'the %s queue hides a message for six %s timeouts and dead-letters it after five receives',
      (queue, consumer) => {
        const [queueId, dlqId] =
          queue === 'routing' ? [routingId, routingDlqId] : [deadlinesId, deadlinesDlqId];
        const timeout = functionProps(consumer).Timeout as number;
        expect(resourcesOf(template, 'AWS::SQS::Queue')[queueId]?.Properties).toMatchObject({
          VisibilityTimeout: 6 * timeout,
          RedrivePolicy: { deadLetterTargetArn: arnOf(dlqId), maxReceiveCount: MAX_RECEIVES },
        });
      },
    );

    it("gives every function that claims deadline notices a timeout short of a notice's lease", () => {
      // A holder outliving its lease could email alongside the next holder: the lease must outlast every one.
      const claimers = functionNames.filter((name) =>
        (pipelineFunctions[name].uses as string[]).includes('notice-claims'),
      );
      expect(claimers.sort()).toEqual(['reminder', 'sweep']);
      for (const name of claimers) {
        expect(functionProps(name).Timeout as number, name).toBeLessThan(NOTICE_LEASE_MS / 1000);
      }
    });

    it.each([
      ['notify', 'routing'],
      ['reminder', 'deadline'],
    ] as const)(
      '%s consumes the %s queue with partial batch responses, at most two batches at a time to keep SES within its rate',
      (consumer, queue) => {
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          EventSourceArn: arnOf(queue === 'routing' ? routingId : deadlinesId),
          FunctionName: { Ref: fnId(consumer) },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: CONSUMER_MAX_CONCURRENCY },
        });
        expect(CONSUMER_MAX_CONCURRENCY).toBe(2);
      },
    );
  });

  describe('the deadline schedules', () => {
    it('put their payloads on the deadline queue as a role only this account and schedule group may assume', () => {
      template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: `${prefix}-deadlines` });
      const role = resourcesOf(template, 'AWS::IAM::Role')[schedulerRoleId];
      expect(role?.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnEquals: { 'aws:SourceArn': arnOf(idAt('DeadlineSchedules')) },
            },
          },
        ],
      });
      const statements = statementsOfRole(template, schedulerRoleId);
      expect(actionsOf(statements)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 'sqs:SendMessage']);
      const sends = statements.filter((s) => actionsOf([s]).includes('sqs:SendMessage'));
      expect(sends.map((s) => s.Resource)).toEqual([[arnOf(deadlinesId), arnOf(scheduleDlqId)]]);
    });
  });

  describe('the timetables (the sweep, the monthly report)', () => {
    const timetabled = ['sweep', 'monthly-report'] as const;

    it('run in their own schedule group, each as a role only this account and group may assume', () => {
      const groupArn = arnOf(idAt('TimetableSchedules'));
      for (const name of timetabled) {
        const schedule = Object.values(resourcesOf(template, 'AWS::Scheduler::Schedule')).find((s) =>
          JSON.stringify(s.Properties.Target).includes(`"${fnId(name)}"`),
        );
        expect(schedule?.Properties).toMatchObject({
          Name: `${prefix}-${name}`,
          GroupName: `${prefix}-timetables`,
          Target: { DeadLetterConfig: { Arn: arnOf(scheduleDlqId) } },
        });
        const roleRef = (schedule!.Properties.Target as { RoleArn: { 'Fn::GetAtt': [string] } }).RoleArn[
          'Fn::GetAtt'
        ][0];
        const trust = resourcesOf(template, 'AWS::IAM::Role')[roleRef]?.Properties.AssumeRolePolicyDocument;
        expect(JSON.stringify(trust)).toContain(JSON.stringify({ 'aws:SourceArn': groupArn }));
        expect(JSON.stringify(trust)).toContain('"aws:SourceAccount":{"Ref":"AWS::AccountId"}');
      }
    });

    it('the sweep runs every 15 minutes, and the monthly report at 07:00 on the 1st in the council’s time zone', () => {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'rate(15 minutes)',
        Target: { Arn: arnOf(fnId('sweep')) },
      });
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'cron(0 7 1 * ? *)',
        ScheduleExpressionTimezone: 'Europe/London',
        Target: { Arn: arnOf(fnId('monthly-report')) },
      });
    });

    it.each(timetabled)(
      'a %s run that fails is retried twice by Lambda and then kept in the timetable failures queue',
      (name) => {
        template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
          FunctionName: { Ref: fnId(name) },
          MaximumRetryAttempts: 2,
          DestinationConfig: { OnFailure: { Destination: arnOf(timetableFailuresId) } },
        });
        const send = statementsOfRole(template, roleId(name)).find((s) =>
          actionsOf([s]).includes('sqs:SendMessage'),
        );
        expect(send?.Resource).toEqual(arnOf(timetableFailuresId));
      },
    );

    it('only the monthly report may scan the table', () => {
      const scans = (name: FunctionName) =>
        actionsOf(statementsOfRole(template, roleId(name))).includes('dynamodb:Scan');
      expect(functionNames.filter(scans)).toEqual(['monthly-report']);
    });
  });

  describe('email', () => {
    it('sends through a configuration set that requires TLS and suppresses bounced and complaining addresses', () => {
      template.hasResourceProperties('AWS::SES::ConfigurationSet', {
        SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
        DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      });
      template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        EventDestination: {
          Enabled: true,
          MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']),
          CloudWatchDestination: Match.anyValue(),
        },
      });
    });

    it("verifies the domain of the council file's from address as the sending identity", () => {
      template.hasResourceProperties('AWS::SES::EmailIdentity', {
        EmailIdentity: council.email.from.address.split('@')[1],
        ConfigurationSetAttributes: Match.anyValue(),
      });
    });
  });

  it("keeps one secret per source of the council file, under the prefix the intake reads, the registry's pseudonym key and the action-link key", () => {
    const secrets = Object.values(resourcesOf(template, 'AWS::SecretsManager::Secret'));
    const names = secrets.map((s) => s.Properties.Name);
    expect(names.sort()).toEqual(
      [
        ...Object.keys(webhookSources(council)).map((source) => `${prefix}/sources/${source}`),
        `${prefix}/pseudonym-key`,
        `${prefix}/action-link-key`,
      ].sort(),
    );
    // Losing the pseudonym key loses the registry: the stack never deletes it, and it is a long random key.
    const pseudonymKey = secrets.find((s) => s.Properties.Name === `${prefix}/pseudonym-key`);
    expect(pseudonymKey?.DeletionPolicy).toBe('Retain');
    expect(pseudonymKey?.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64 });
    // The intake alone reads the source secrets; the pseudonym key, whatever commits events.
    for (const name of functionNames) {
      const readsKey = statementsOfRole(template, roleId(name)).some((s) =>
        JSON.stringify(s.Resource).includes('PseudonymKey'),
      );
      expect(readsKey).toBe(name === 'intake' || name === 'actions');
    }
    for (const name of functionNames) {
      const reads = statementsOfRole(template, roleId(name)).some((s) =>
        JSON.stringify(s.Resource).includes('SourceSecret'),
      );
      expect(reads).toBe(name === 'intake');
    }
  });

  describe('alarms', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    const metricOf = (alarm: (typeof alarms)[number]) => alarm.Properties.MetricName as string;
    const named = (suffix: string) => alarms.find((a) => a.Properties.AlarmName === `${prefix}-${suffix}`);
    const cloudWatchCondition = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':cloudwatch:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              `:alarm:${prefix}-*`,
            ],
          ],
        },
      },
    };

    it("every alarm goes to the operators' encrypted, TLS-only topic, under a name the topic lets CloudWatch publish for", () => {
      expect(alarms.length).toBeGreaterThan(0);
      for (const alarm of alarms) {
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
        expect(alarm.Properties.AlarmName).toMatch(new RegExp(`^${prefix}-`));
      }
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(keyId) });
      expect(JSON.stringify(resourcesOf(template, 'AWS::SNS::TopicPolicy'))).toContain(
        '"aws:SecureTransport":"false"',
      );
    });

    it('CloudWatch may publish to the topic, for this account’s alarms of this stack only', () => {
      const [policy] = Object.values(resourcesOf(template, 'AWS::SNS::TopicPolicy'));
      const statements = (policy!.Properties.PolicyDocument as { Statement: Record<string, unknown>[] })
        .Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: topicId },
          Condition: cloudWatchCondition,
        }),
      );
    });

    it('CloudWatch may use the council key to publish to the encrypted topic, on the same conditions', () => {
      const key = resourcesOf(template, 'AWS::KMS::Key')[keyId];
      const statements = (key!.Properties.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Condition: cloudWatchCondition,
        }),
      );
    });

    it('watch every dead-letter queue, and the age of the oldest routing and deadline message', () => {
      const dlqAlarms = alarms.filter((a) => metricOf(a) === 'ApproximateNumberOfMessagesVisible');
      const queueDimension = (id: string) =>
        JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id, 'QueueName'] } }]);
      expect(dlqAlarms.map((a) => JSON.stringify(a.Properties.Dimensions)).sort()).toEqual(
        [routingDlqId, deadlinesDlqId, scheduleDlqId, timetableFailuresId, dispatchDlqId]
          .map(queueDimension)
          .sort(),
      );
      const ageAlarms = alarms.filter((a) => metricOf(a) === 'ApproximateAgeOfOldestMessage');
      expect(ageAlarms.map((a) => JSON.stringify(a.Properties.Dimensions)).sort()).toEqual(
        [routingId, deadlinesId].map(queueDimension).sort(),
      );
      for (const alarm of ageAlarms)
        expect(alarm.Properties.Threshold).toBe(OLDEST_MESSAGE_ALARM.toSeconds());
    });

    it("watch every function's errors, the API's 5xx answers and the intake's own failures", () => {
      const errorAlarms = alarms.filter((a) => metricOf(a) === 'Errors');
      expect(errorAlarms.map((a) => JSON.stringify(a.Properties.Dimensions)).sort()).toEqual(
        functionNames
          .map((name) => JSON.stringify([{ Name: 'FunctionName', Value: { Ref: fnId(name) } }]))
          .sort(),
      );
      expect(named('ApiServerErrors')?.Properties).toMatchObject({
        Namespace: 'AWS/ApiGateway',
        MetricName: '5xx',
        Dimensions: expect.arrayContaining([{ Name: 'ApiId', Value: { Ref: idAt('Api') } }]),
      });
      expect(named('IntakeFailures')?.Properties).toMatchObject({ MetricName: 'IntakeFailures' });
      const intakeLogs = (functionProps('intake').LoggingConfig as { LogGroup: { Ref: string } }).LogGroup
        .Ref;
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: intakeLogs },
        FilterPattern: '{ $.intakeFailed IS TRUE }',
        MetricTransformations: [Match.objectLike({ MetricName: 'IntakeFailures' })],
      });
    });

    it.each(Object.keys(webhookSources(stack.council)))(
      'alarm, naming source %s, when its deliveries are refused again and again',
      (sourceId) => {
        const alarm = named(`SourceRefused-${sourceId}`);
        expect(alarm?.Properties).toMatchObject({
          MetricName: 'RefusedDeliveries',
          Dimensions: [{ Name: 'SourceId', Value: sourceId }],
          Statistic: 'Sum',
          Period: SOURCE_REFUSALS.within.toSeconds(),
          Threshold: SOURCE_REFUSALS.count,
        });
        expect(alarm?.Properties.AlarmDescription).toContain(
          `Source ${sourceId} (${council.sources[sourceId]?.name})`,
        );
        template.hasResourceProperties('AWS::Logs::MetricFilter', {
          FilterPattern: `{ ($.deliveryRefused IS TRUE) && ($.sourceId = "${sourceId}") }`,
          MetricTransformations: [
            Match.objectLike({
              MetricName: 'RefusedDeliveries',
              Dimensions: [{ Key: 'SourceId', Value: '$.sourceId' }],
            }),
          ],
        });
      },
    );

    it('watch SES bounces and complaints, refused addresses, blocked sending and overdue deadlines', () => {
      expect(alarms.map(metricOf)).toEqual(
        expect.arrayContaining([
          'Bounce',
          'Complaint',
          'EmailRejected',
          'EmailSendingBlocked',
          'EscalationsSent',
        ]),
      );
      for (const alarm of alarms.filter(
        (a) =>
          !['ApproximateAgeOfOldestMessage', 'RefusedDeliveries', 'ActionLinksRefused'].includes(metricOf(a)),
      )) {
        expect(alarm.Properties).toMatchObject({
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
      }
    });

    it('count refused addresses, blocked sending and escalations from the logs of every function that sends email', () => {
      const filters = Object.values(resourcesOf(template, 'AWS::Logs::MetricFilter'));
      for (const [pattern, metric] of [
        ['{ $.emailRejected IS TRUE }', 'EmailRejected'],
        ['{ $.emailSendingBlocked IS TRUE }', 'EmailSendingBlocked'],
        ['{ $.escalationSent IS TRUE }', 'EscalationsSent'],
        ['{ $.actionLinksUnavailable IS TRUE }', 'ActionLinksUnavailable'],
      ]) {
        const matching = filters.filter((f) => f.Properties.FilterPattern === pattern);
        expect(
          matching.map(
            (f) => (f.Properties.MetricTransformations as { MetricName: string }[])[0]?.MetricName,
          ),
        ).toEqual(emailSenders.map(() => metric));
      }
    });
  });
});
