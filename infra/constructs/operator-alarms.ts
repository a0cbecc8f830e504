import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CouncilConfig } from '../../shared/council/council-schema';
import { CONFIGURATION_SET_DIMENSION } from './council-email';

/**
 * The log fields the alarms count (Powertools Logger writes extra keys at the top level of each JSON line):
 * `emailRejected: true` when SES refused an address (the email went to the fallback inbox),
 * `emailSendingBlocked: true` when SES could not send at all, `escalationSent: true` when a deadline was
 * missed and the escalation went out, `intakeFailed: true` when the intake answered 500, and
 * `deliveryRefused: true` (with `sourceId`) when it refused a delivery; `actionLinksUnavailable: true` when
 * emails went without their buttons (no link key to sign with), `actionLinkRefused: true` when the action page
 * refused a link or a form, `actionPageFailed: true` when it answered 500.
 */
export const EMAIL_REJECTED_FIELD = '$.emailRejected';
export const EMAIL_SENDING_BLOCKED_FIELD = '$.emailSendingBlocked';
export const ESCALATION_SENT_FIELD = '$.escalationSent';
export const INTAKE_FAILED_FIELD = '$.intakeFailed';
export const DELIVERY_REFUSED_FIELD = '$.deliveryRefused';
export const ACTION_LINKS_UNAVAILABLE_FIELD = '$.actionLinksUnavailable';
export const ACTION_LINK_REFUSED_FIELD = '$.actionLinkRefused';
export const ACTION_PAGE_FAILED_FIELD = '$.actionPageFailed';

/**
 * An expired or mistyped link is a person's slip; this many refused within the hour is someone trying links
 * (or a link key dropped before its links expired).
 */
export const LINK_REFUSALS = { count: 20, within: Duration.hours(1) };

/**
 * One refused delivery is one bad event; this many from one source within the hour is a broken integration
 * (a secret rotated on one side only, a schema changed on theirs), and children are not being reported.
 */
export const SOURCE_REFUSALS = { count: 3, within: Duration.hours(1) };

export interface OperatorAlarmsProps {
  council: CouncilConfig;
  key: Key;
  /** The CloudWatch namespace of the metrics counted from the functions' logs. */
  namespace: string;
  /** Every alarm's name starts with it, and CloudWatch may publish to the topic for those alarms only. */
  alarmNamePrefix: string;
}

/**
 * The council's operators' topic and every alarm that goes to it. Each alarm means a child's notification
 * or deadline needs a person to look, so most fire on the first occurrence.
 */
export class OperatorAlarms extends Construct {
  readonly topic: Topic;
  private readonly namespace: string;
  private readonly prefix: string;
  private readonly metrics: Record<
    'emailRejected' | 'emailSendingBlocked' | 'escalationsSent' | 'intakeFailures' | 'actionLinksUnavailable',
    Metric
  >;

  constructor(scope: Construct, id: string, props: OperatorAlarmsProps) {
    super(scope, id);
    this.namespace = props.namespace;
    this.prefix = props.alarmNamePrefix;
    this.topic = new Topic(this, 'Topic', {
      displayName: `${props.council.shortName} missing episodes alarms`,
      masterKey: props.key,
      enforceSSL: true,
    });
    // CloudWatch publishes the alarms to the encrypted topic: it needs the topic and the key, and only for
    // this stack's alarms of this account (no confused deputy).
    const stack = Stack.of(this);
    const forTheseAlarms = {
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: `${this.prefix}-*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    };
    this.topic.addToResourcePolicy(
      new PolicyStatement({ ...forTheseAlarms, actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
    );
    props.key.addToResourcePolicy(
      new PolicyStatement({
        ...forTheseAlarms,
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.metrics = {
      emailRejected: this.logMetric('EmailRejected'),
      emailSendingBlocked: this.logMetric('EmailSendingBlocked'),
      escalationsSent: this.logMetric('EscalationsSent'),
      intakeFailures: this.logMetric('IntakeFailures'),
      actionLinksUnavailable: this.logMetric('ActionLinksUnavailable'),
    };
    this.alarm(
      'EmailRejected',
      this.metrics.emailRejected,
      "SES refused an agency's address: the email went to the council's fallback inbox instead. Fix the address in the council file and redeploy.",
    );
    this.alarm(
      'EmailSendingBlocked',
      this.metrics.emailSendingBlocked,
      'SES cannot send (unverified domain, sandbox, paused sending, daily quota or a missing grant): emails are held and retried. Fix SES, then redrive the dead-letter queues.',
    );
    this.alarm(
      'OverdueDeadlines',
      this.metrics.escalationsSent,
      'A Prevention Interview or Return Home Interview deadline was missed and escalated to managers',
    );
    this.alarm(
      'IntakeFailures',
      this.metrics.intakeFailures,
      "The intake could not store or process deliveries and answered 500: read the intake's log group",
    );
    this.alarm(
      'ActionLinksUnavailable',
      this.metrics.actionLinksUnavailable,
      "Emails went out without their buttons to record a step: the link key could not be read. Check the action-link-key secret, the functions' read grant and the Parameters and Secrets extension layer (the functions' logs say which).",
    );
  }

  onDeadLetters(id: string, queue: Queue, what: string): void {
    this.alarm(
      id,
      queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
      `Dead-letter queue holds ${what}: read them and redrive`,
    );
  }

  /** The oldest message of a queue has waited longer than `after`: its consumer is stuck or failing. */
  onOldestMessage(id: string, queue: Queue, what: string, after: Duration): void {
    this.alarm(
      id,
      queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.minutes(5) }),
      `A ${what} message has waited over ${after.toMinutes()} minutes: its function is failing or stuck`,
      after.toSeconds(),
    );
  }

  onErrors(name: string, fn: IFunction): void {
    this.alarm(
      `${name}Errors`,
      fn.metricErrors({ period: Duration.minutes(5) }),
      `The ${name} function failed`,
    );
  }

  /** The intake and the action page answer their own errors with 500, so Lambda's Errors never count them; the API's 5xx do. */
  onApiServerErrors(stage: IHttpStage): void {
    this.alarm(
      'ApiServerErrors',
      stage.metricServerError({ statistic: 'Sum', period: Duration.minutes(5) }),
      "The API answered 5xx: on the webhook route, deliveries were not stored and sources must retry; on the action page, a worker's step may not be recorded",
    );
  }

  onEmailBounces(configurationSetName: string): void {
    for (const [metricName, what] of [
      ['Bounce', 'An agency inbox bounced an email'],
      ['Complaint', 'An agency inbox marked an email as spam'],
    ] as const) {
      this.alarm(
        `Email${metricName}`,
        new Metric({
          namespace: 'AWS/SES',
          metricName,
          dimensionsMap: { [CONFIGURATION_SET_DIMENSION]: configurationSetName },
          statistic: 'Sum',
          period: Duration.hours(1),
        }),
        `${what}: SES now suppresses that address`,
      );
    }
  }

  /** Counts the refused addresses, blocked sending and escalations a function logs into the alarms' metrics. */
  onEmailOutcomes(name: string, logGroup: ILogGroup): void {
    this.countLogField(`${name}EmailRejected`, logGroup, EMAIL_REJECTED_FIELD, this.metrics.emailRejected);
    this.countLogField(
      `${name}EmailSendingBlocked`,
      logGroup,
      EMAIL_SENDING_BLOCKED_FIELD,
      this.metrics.emailSendingBlocked,
    );
    this.countLogField(
      `${name}EscalationsSent`,
      logGroup,
      ESCALATION_SENT_FIELD,
      this.metrics.escalationsSent,
    );
    this.countLogField(
      `${name}ActionLinksUnavailable`,
      logGroup,
      ACTION_LINKS_UNAVAILABLE_FIELD,
      this.metrics.actionLinksUnavailable,
    );
  }

  /** The action page's failures (it answers its own errors with a page, so Lambda's Errors never count them), and links refused again and again. */
  onActionPage(logGroup: ILogGroup): void {
    const failed = this.logMetric('ActionPageFailures');
    this.countLogField('ActionPageFailed', logGroup, ACTION_PAGE_FAILED_FIELD, failed);
    this.alarm(
      'ActionPageFailures',
      failed,
      "The action page failed and answered 500: a worker's step may not be recorded. Read the actions function's log group.",
    );
    const refused = new Metric({
      namespace: this.namespace,
      metricName: 'ActionLinksRefused',
      statistic: 'Sum',
      period: LINK_REFUSALS.within,
    });
    this.countLogField('ActionLinkRefused', logGroup, ACTION_LINK_REFUSED_FIELD, refused);
    this.alarm(
      'ActionLinksRefused',
      refused,
      `${LINK_REFUSALS.count} or more links or forms refused by the action page within ${LINK_REFUSALS.within.toHumanString()}: someone may be trying links, or the link key lost a key before its links expired. Read the actions function's logs (outcome and status).`,
      LINK_REFUSALS.count,
    );
  }

  /**
   * The intake's failures, and one alarm per source of the council file on its refused deliveries, naming
   * it. Each source's filter matches its own id only, so a path naming no known source adds no metric.
   */
  onIntakeOutcomes(logGroup: ILogGroup, sources: CouncilConfig['sources']): void {
    this.countLogField('IntakeFailed', logGroup, INTAKE_FAILED_FIELD, this.metrics.intakeFailures);
    for (const [sourceId, source] of Object.entries(sources)) {
      const metric = new Metric({
        namespace: this.namespace,
        metricName: 'RefusedDeliveries',
        dimensionsMap: { SourceId: sourceId },
        statistic: 'Sum',
        period: SOURCE_REFUSALS.within,
      });
      new MetricFilter(this, `RefusedDeliveries-${sourceId}`, {
        logGroup,
        filterPattern: FilterPattern.all(
          FilterPattern.booleanValue(DELIVERY_REFUSED_FIELD, true),
          FilterPattern.stringValue('$.sourceId', '=', sourceId),
        ),
        metricNamespace: this.namespace,
        metricName: metric.metricName,
        metricValue: '1',
        dimensions: { SourceId: '$.sourceId' },
      });
      this.alarm(
        `SourceRefused-${sourceId}`,
        metric,
        `Source ${sourceId} (${source.name}): ${SOURCE_REFUSALS.count} or more deliveries refused within ${SOURCE_REFUSALS.within.toHumanString()}. Its reports are not getting in: read the intake's "event refused" logs for this source (status and fields), then check its secret or payload with its integrator.`,
        SOURCE_REFUSALS.count,
      );
    }
  }

  private countLogField(id: string, logGroup: ILogGroup, field: string, metric: Metric): void {
    new MetricFilter(this, id, {
      logGroup,
      filterPattern: FilterPattern.booleanValue(field, true),
      metricNamespace: this.namespace,
      metricName: metric.metricName,
      metricValue: '1',
    });
  }

  private logMetric(metricName: string): Metric {
    return new Metric({
      namespace: this.namespace,
      metricName,
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
  }

  private alarm(id: string, metric: IMetric, description: string, threshold = 1): void {
    const alarm = new Alarm(this, id, {
      alarmName: `${this.prefix}-${id}`,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
  }
}
