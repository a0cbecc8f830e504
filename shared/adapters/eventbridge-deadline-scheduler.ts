import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { type DeadlineNotice, noticeKey } from '../deadlines/deadline-notices';
import type { DeadlineScheduler, ReminderInvocation } from '../ports';

export interface SchedulerTarget {
  groupName: string;
  /**
   * The deadline queue the reminder function consumes: a schedule puts its payload there, so a failing
   * reminder is retried by the queue and kept by its dead-letter queue (the Scheduler's own retries and
   * dead-letter queue cover only failures to deliver to the target).
   */
  targetArn: string;
  /** The role the Scheduler assumes to send to the queue. */
  roleArn: string;
  /** Where payloads the Scheduler could not deliver after every retry go. */
  deadLetterArn: string;
}

/** Deterministic, so making or cancelling a notice's schedule twice is harmless: `<episodeId>-<noticeKey>`. */
export const scheduleName = (episodeId: string, notice: DeadlineNotice): string => {
  const name = `${episodeId}-${noticeKey(notice)}`;
  if (!/^[0-9a-zA-Z-_.]{1,64}$/.test(name))
    throw new Error(`schedule name "${name}" is not a valid Scheduler name`);
  return name;
};

/** `at(yyyy-mm-ddThh:mm:ss)`, read in UTC (ScheduleExpressionTimezone), to the second. */
export const atExpression = (instant: string): string =>
  `at(${new Date(instant).toISOString().slice(0, 19)})`;

const named = (error: unknown, name: string) => (error as { name?: string } | undefined)?.name === name;

/** One-time EventBridge Scheduler schedules that put ids only on the deadline queue, then delete themselves. */
export class EventBridgeDeadlineScheduler implements DeadlineScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly target: SchedulerTarget,
  ) {}

  async schedule(episodeId: string, notice: DeadlineNotice): Promise<void> {
    const input: ReminderInvocation = { episodeId, noticeKey: noticeKey(notice) };
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: scheduleName(episodeId, notice),
          GroupName: this.target.groupName,
          ScheduleExpression: atExpression(notice.fireAt),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: this.target.targetArn,
            RoleArn: this.target.roleArn,
            Input: JSON.stringify(input),
            // Retries delivery for a day: the reminder is idempotent (it claims the notice); the sweep backs it up.
            RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 86_400 },
            DeadLetterConfig: { Arn: this.target.deadLetterArn },
          },
        }),
      );
    } catch (error) {
      // It exists already: an earlier delivery of the same event made it.
      if (!named(error, 'ConflictException')) throw error;
    }
  }

  async cancel(episodeId: string, notice: DeadlineNotice): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({
          Name: scheduleName(episodeId, notice),
          GroupName: this.target.groupName,
        }),
      );
    } catch (error) {
      // Gone already: it fired (and deleted itself) or was cancelled before.
      if (!named(error, 'ResourceNotFoundException')) throw error;
    }
  }
}
