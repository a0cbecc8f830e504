import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { type FunctionName, pipelineFunctions } from '../../infra/council-stack';
import { createTableInput, TTL_ATTRIBUTE } from '../../shared/adapters/episode-table';
import {
  actionsOf,
  propertiesOf,
  resourcesOf,
  statementsOfRole,
  synthCouncilStacks,
} from './council-templates';

const { stacks } = synthCouncilStacks();
const functionNames = Object.keys(pipelineFunctions) as FunctionName[];
const emailSenders = functionNames.filter((name) =>
  (pipelineFunctions[name].uses as string[]).includes('email'),
);

const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const episodes = [
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];
const key = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
const email = ['ses:SendEmail', 'ses:SendRawEmail'];
const expectedActions: Record<FunctionName, string[]> = {
  intake: [
    ...logs,
    ...episodes,
    ...key,
    'sqs:SendMessage',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
    'scheduler:CreateSchedule',
    'scheduler:DeleteSchedule',
    'iam:PassRole',
    'secretsmanager:GetSecretValue',
    'secretsmanager:DescribeSecret',
  ],
  notify: [
    ...logs,
    ...episodes,
    ...key,
    ...email,
    'sqs:ReceiveMessage',
    'sqs:ChangeMessageVisibility',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
  ],
  reminder: [...logs, ...episodes, ...key, ...email],
  sweep: [...logs, ...episodes, ...key, ...email],
  'monthly-report': [...logs, ...episodes, 'dynamodb:Scan', ...key, ...email],
};

const environmentNames = [
  'STAGE',
  'TABLE_NAME',
  'ROUTING_QUEUE_URL',
  'SCHEDULE_GROUP',
  'REMINDER_FUNCTION_ARN',
  'SCHEDULER_ROLE_ARN',
  'SCHEDULER_DLQ_ARN',
  'SOURCE_SECRET_PREFIX',
  'SES_CONFIGURATION_SET',
  'POWERTOOLS_SERVICE_NAME',
];

it('synthesizes one stack per council file by default', () => {
  expect(stacks.map((stack) => stack.stackName).sort()).toEqual([
    'MissingEpisodes-bath-ne-somerset-staging',
    'MissingEpisodes-tower-hamlets-staging',
  ]);
});

describe.each(stacks.map((stack) => [stack.stackName, stack] as const))('%s', (_name, stack) => {
  const template = Template.fromStack(stack);
  const idOf = (element: unknown) => stack.getLogicalId(element as CfnElement);
  const fnId = (name: FunctionName) => idOf(stack.functions[name].fn.node.defaultChild);
  const roleId = (name: FunctionName) => idOf(stack.functions[name].role.node.defaultChild);
  /** The logical id of the CloudFormation resource behind the construct at this path in the stack. */
  const idAt = (...path: string[]) =>
    idOf(path.reduce((scope, id) => scope.node.findChild(id), stack as IConstruct).node.defaultChild);
  const keyId = idAt('DataKey');
  const routingId = idAt('Routing');
  const routingDlqId = idAt('RoutingDeadLetters');
  const scheduleDlqId = idAt('ScheduleDeadLetters');
  const schedulerRoleId = idAt('DeadlineSchedulerRole');
  const topicId = idAt('Alarms', 'Topic');
  const council = stack.council;

  describe('the episode table', () => {
    it('has exactly the keys and index the local table is created with', () => {
      const local = createTableInput('local');
      const [table] = Object.values(resourcesOf(template, 'AWS::DynamoDB::Table'));
      const props = table?.Properties ?? {};
      const byName = (a: { AttributeName: string }, b: { AttributeName: string }) =>
        a.AttributeName.localeCompare(b.AttributeName);
      expect([...(props.AttributeDefinitions as { AttributeName: string }[])].sort(byName)).toEqual(
        [...(local.AttributeDefinitions ?? [])].sort((a, b) =>
          (a.AttributeName ?? '').localeCompare(b.AttributeName ?? ''),
        ),
      );
      expect(props.KeySchema).toEqual(local.KeySchema);
      expect(props.GlobalSecondaryIndexes).toEqual(local.GlobalSecondaryIndexes);
    });

    it('is on demand, recoverable to a point in time, encrypted with the council key, expiring by TTL and kept on stack deletion', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: {
            SSEEnabled: true,
            SSEType: 'KMS',
            KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
          },
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
    it.each(functionNames)('%s is bundled for Node 22 on arm64 with JSON logs kept for 90 days', (name) => {
      const fn = propertiesOf(template, 'AWS::Lambda::Function', fnId(name));
      expect(fn).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
      });
      const logGroupRef = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(propertiesOf(template, 'AWS::Logs::LogGroup', logGroupRef)).toMatchObject({
        RetentionInDays: 90,
      });
    });

    it.each(functionNames)(
      '%s reads the shared environment names, with the council file inlined, not in it',
      (name) => {
        const variables = (
          propertiesOf(template, 'AWS::Lambda::Function', fnId(name)).Environment as {
            Variables: Record<string, unknown>;
          }
        ).Variables;
        expect(Object.keys(variables).sort()).toEqual([...environmentNames].sort());
        expect(variables.STAGE).toBe('staging');
        expect(variables.POWERTOOLS_SERVICE_NAME).toBe(name);
      },
    );

    it('the reminder ARN the intake schedules against is the reminder function', () => {
      const variables = (
        propertiesOf(template, 'AWS::Lambda::Function', fnId('intake')).Environment as {
          Variables: { REMINDER_FUNCTION_ARN: unknown };
        }
      ).Variables;
      const reminderName = propertiesOf(template, 'AWS::Lambda::Function', fnId('reminder'))
        .FunctionName as string;
      expect(JSON.stringify(variables.REMINDER_FUNCTION_ARN)).toContain(`:function:${reminderName}"`);
    });

    it.each(functionNames)('%s may do only what it uses', (name) => {
      expect(actionsOf(statementsOfRole(template, roleId(name)))).toEqual([...expectedActions[name]].sort());
    });

    it('every statement of every function names its resources: no account-wide grant', () => {
      for (const name of functionNames) {
        for (const statement of statementsOfRole(template, roleId(name))) {
          expect(statement.Resource).not.toBe('*');
        }
      }
    });

    it('only the sweep reads the pending-notice index', () => {
      const onIndex = (name: FunctionName) =>
        statementsOfRole(template, roleId(name)).some((s) => JSON.stringify(s.Resource).includes('/index/'));
      expect(functionNames.filter(onIndex)).toEqual(['sweep']);
    });

    it('only the intake passes a role, only the deadline schedulers role, and only to the Scheduler', () => {
      for (const name of functionNames) {
        const passRole = statementsOfRole(template, roleId(name)).filter((s) =>
          actionsOf([s]).includes('iam:PassRole'),
        );
        if (name !== 'intake') {
          expect(passRole).toEqual([]);
          continue;
        }
        expect(passRole).toEqual([
          {
            Effect: 'Allow',
            Action: 'iam:PassRole',
            Resource: { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] },
            Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          },
        ]);
      }
    });

    it("the intake's schedules are limited to the council's deadline schedule group", () => {
      const scheduling = statementsOfRole(template, roleId('intake')).find((s) =>
        actionsOf([s]).includes('scheduler:CreateSchedule'),
      );
      expect(JSON.stringify(scheduling?.Resource)).toContain(
        `:schedule/missing-episodes-${council.id}-staging-deadlines/*`,
      );
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

  describe('the webhook API', () => {
    it('routes POST /v1/sources/{sourceId}/events, and every other method on it, to the intake', () => {
      const integrations = resourcesOf(template, 'AWS::ApiGatewayV2::Integration');
      expect(Object.values(integrations).map((i) => i.Properties)).toEqual([
        expect.objectContaining({
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: { 'Fn::GetAtt': [fnId('intake'), 'Arn'] },
          PayloadFormatVersion: '2.0',
        }),
      ]);
      const [integrationId] = Object.keys(integrations);
      const routes = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route')).map(
        (r) => r.Properties,
      );
      // The POST route wins for POST; ANY takes the rest, which the intake answers 405 with Allow: POST.
      expect(routes.map((r) => r.RouteKey).sort()).toEqual([
        'ANY /v1/sources/{sourceId}/events',
        'POST /v1/sources/{sourceId}/events',
      ]);
      for (const route of routes) {
        expect(route.Target).toEqual({ 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] });
      }
    });

    it('lets the API invoke the intake for every method on the route', () => {
      const permissions = Object.values(resourcesOf(template, 'AWS::Lambda::Permission'))
        .map((p) => p.Properties)
        .filter((p) => p.Principal === 'apigateway.amazonaws.com');
      // One per route (CDK adds one as it binds each), every one for any stage and method of this path.
      expect(permissions).toHaveLength(2);
      for (const permission of permissions) {
        expect(permission.FunctionName).toEqual({ 'Fn::GetAtt': [fnId('intake'), 'Arn'] });
        expect(JSON.stringify(permission.SourceArn)).toContain('"/*/*/v1/sources/{sourceId}/events"');
      }
    });

    it('throttles its default stage and writes access logs to a log group with retention', () => {
      const stages = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Stage'));
      expect(stages).toHaveLength(1);
      const stage = stages[0]?.Properties ?? {};
      expect(stage).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
        AccessLogSettings: { Format: expect.stringContaining('$context.requestId') },
      });
      const destination = (stage.AccessLogSettings as { DestinationArn: { 'Fn::GetAtt': [string] } })
        .DestinationArn['Fn::GetAtt'][0];
      expect(propertiesOf(template, 'AWS::Logs::LogGroup', destination)).toMatchObject({
        RetentionInDays: 90,
      });
    });
  });

  describe('the queues', () => {
    it('every queue is encrypted with the council key and refuses anything but TLS', () => {
      const queues = resourcesOf(template, 'AWS::SQS::Queue');
      expect(Object.keys(queues)).toHaveLength(3);
      for (const queue of Object.values(queues)) {
        expect(queue.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
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

    it('the routing queue hides a message for six notify timeouts and dead-letters it after five receives', () => {
      const routing = resourcesOf(template, 'AWS::SQS::Queue')[routingId];
      expect(routing?.Properties).toMatchObject({
        VisibilityTimeout: 6 * pipelineFunctions.notify.timeout.toSeconds(),
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [routingDlqId, 'Arn'] }, maxReceiveCount: 5 },
      });
      const notifyTimeout = propertiesOf(template, 'AWS::Lambda::Function', fnId('notify')).Timeout;
      expect(routing?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * (notifyTimeout as number));
    });

    it('notify consumes the routing queue with partial batch responses', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [routingId, 'Arn'] },
        FunctionName: { Ref: fnId('notify') },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });
  });

  describe('the deadline schedules', () => {
    it('run in their own group as a role the Scheduler assumes, which may invoke only the reminder', () => {
      template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', {
        Name: `missing-episodes-${council.id}-staging-deadlines`,
      });
      const role = resourcesOf(template, 'AWS::IAM::Role')[schedulerRoleId];
      expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain(
        '"scheduler.amazonaws.com"',
      );
      const statements = statementsOfRole(template, schedulerRoleId);
      const invoke = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('lambda:')));
      expect(invoke).toEqual([
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: { 'Fn::GetAtt': [fnId('reminder'), 'Arn'] },
        },
      ]);
      const sends = statements.filter((s) => actionsOf([s]).includes('sqs:SendMessage'));
      expect(sends.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [scheduleDlqId, 'Arn'] }]);
    });

    it('the sweep runs every 15 minutes, dead-lettering like the deadline schedules', () => {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'rate(15 minutes)',
        Target: {
          Arn: { 'Fn::GetAtt': [fnId('sweep'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [scheduleDlqId, 'Arn'] } },
        },
      });
    });

    it('the monthly report runs at 07:00 on the 1st in the council’s time zone', () => {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'cron(0 7 1 * ? *)',
        ScheduleExpressionTimezone: 'Europe/London',
        Target: { Arn: { 'Fn::GetAtt': [fnId('monthly-report'), 'Arn'] } },
      });
    });

    it('only the monthly report may scan the table', () => {
      const scans = (name: FunctionName) =>
        actionsOf(statementsOfRole(template, roleId(name))).includes('dynamodb:Scan');
      expect(functionNames.filter(scans)).toEqual(['monthly-report']);
    });
  });

  describe('email', () => {
    it('sends through a configuration set that suppresses bounced and complaining addresses', () => {
      template.hasResourceProperties('AWS::SES::ConfigurationSet', {
        SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
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

  it('keeps one secret per source of the council file, under the prefix the intake reads', () => {
    const names = Object.values(resourcesOf(template, 'AWS::SecretsManager::Secret')).map(
      (s) => s.Properties.Name,
    );
    expect(names.sort()).toEqual(
      Object.keys(council.sources)
        .map((source) => `missing-episodes-${council.id}-staging/sources/${source}`)
        .sort(),
    );
    for (const name of functionNames) {
      const reads = actionsOf(statementsOfRole(template, roleId(name))).includes(
        'secretsmanager:GetSecretValue',
      );
      expect(reads).toBe(name === 'intake');
    }
  });

  describe('alarms', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    const metricOf = (alarm: (typeof alarms)[number]) => alarm.Properties.MetricName as string;

    it("every alarm goes to the operators' encrypted, TLS-only topic", () => {
      expect(alarms.length).toBeGreaterThan(0);
      for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
      expect(JSON.stringify(resourcesOf(template, 'AWS::SNS::TopicPolicy'))).toContain(
        '"aws:SecureTransport":"false"',
      );
    });

    it('watch both dead-letter queues, every function, SES bounces and complaints, rejected addresses and overdue deadlines', () => {
      const dlqAlarms = alarms.filter((a) => metricOf(a) === 'ApproximateNumberOfMessagesVisible');
      expect(dlqAlarms.map((a) => JSON.stringify(a.Properties.Dimensions)).sort()).toEqual(
        [routingDlqId, scheduleDlqId]
          .map((id) => JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id, 'QueueName'] } }]))
          .sort(),
      );
      const errorAlarms = alarms.filter((a) => metricOf(a) === 'Errors');
      expect(errorAlarms.map((a) => JSON.stringify(a.Properties.Dimensions)).sort()).toEqual(
        functionNames
          .map((name) => JSON.stringify([{ Name: 'FunctionName', Value: { Ref: fnId(name) } }]))
          .sort(),
      );
      expect(alarms.map(metricOf)).toEqual(
        expect.arrayContaining(['Bounce', 'Complaint', 'EmailRejected', 'EscalationsSent']),
      );
      for (const alarm of alarms) {
        expect(alarm.Properties).toMatchObject({
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
      }
    });

    it('count rejected addresses and escalations from the logs of every function that sends email', () => {
      const filters = Object.values(resourcesOf(template, 'AWS::Logs::MetricFilter'));
      for (const [pattern, metric] of [
        ['{ $.emailRejected IS TRUE }', 'EmailRejected'],
        ['{ $.escalationSent IS TRUE }', 'EscalationsSent'],
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
