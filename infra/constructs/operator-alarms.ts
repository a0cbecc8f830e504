import { Duration, Stack } from 'aws-cdk-lib';
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
 * `emailRejected: true` when SES permanently refuses an address, `escalationSent: true` when a deadline
 * was missed and the escalation went out.
 */
export const EMAIL_REJECTED_FIELD = '$.emailRejected';
export const ESCALATION_SENT_FIELD = '$.escalationSent';

export interface OperatorAlarmsProps {
  council: CouncilConfig;
  key: Key;
  /** The CloudWatch namespace of the metrics counted from the functions' logs. */
  namespace: string;
}

/**
 * The council's operators' topic and every alarm that goes to it. Each alarm fires on the first
 * occurrence: each one means a child's notification or deadline needs a person to look.
 */
export class OperatorAlarms extends Construct {
  readonly topic: Topic;
  private readonly namespace: string;
  private readonly emailRejected: Metric;
  private readonly escalationsSent: Metric;

  constructor(scope: Construct, id: string, props: OperatorAlarmsProps) {
    super(scope, id);
    this.namespace = props.namespace;
    this.topic = new Topic(this, 'Topic', {
      displayName: `${props.council.shortName} missing episodes alarms`,
      masterKey: props.key,
      enforceSSL: true,
    });
    // CloudWatch publishes alarms to the encrypted topic, so it must be able to use the key.
    props.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );

    this.emailRejected = this.logMetric('EmailRejected');
    this.escalationsSent = this.logMetric('EscalationsSent');
    this.alarm(
      'EmailRejected',
      this.emailRejected,
      'SES permanently rejected an agency address: fix the council file',
    );
    this.alarm(
      'OverdueDeadlines',
      this.escalationsSent,
      'A Prevention Interview or Return Home Interview deadline was missed and escalated to managers',
    );
  }

  onDeadLetters(id: string, queue: Queue, what: string): void {
    this.alarm(
      id,
      queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
      `Dead-letter queue holds ${what}: read them and redrive`,
    );
  }

  onErrors(name: string, fn: IFunction): void {
    this.alarm(
      `${name}Errors`,
      fn.metricErrors({ period: Duration.minutes(5) }),
      `The ${name} function failed`,
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

  /** Counts the rejected addresses and escalations a function logs into the alarms' metrics. */
  onEmailOutcomes(name: string, logGroup: ILogGroup): void {
    new MetricFilter(this, `${name}EmailRejected`, {
      logGroup,
      filterPattern: FilterPattern.booleanValue(EMAIL_REJECTED_FIELD, true),
      metricNamespace: this.namespace,
      metricName: this.emailRejected.metricName,
      metricValue: '1',
    });
    new MetricFilter(this, `${name}EscalationsSent`, {
      logGroup,
      filterPattern: FilterPattern.booleanValue(ESCALATION_SENT_FIELD, true),
      metricNamespace: this.namespace,
      metricName: this.escalationsSent.metricName,
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

  private alarm(id: string, metric: IMetric, description: string): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
  }
}
