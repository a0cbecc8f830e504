import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ListSchedulesCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateConfigurationSetCommand, SESClient, VerifyDomainIdentityCommand } from '@aws-sdk/client-ses';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ensureEpisodeTable,
  localDynamoDbClient,
  localStreamsClient,
} from '../../infra/local/local-episode-table';
import { createLocalTableStream, type LocalTableStream } from '../../infra/local/local-table-stream';
import { DynamoNoticeStore } from '../../shared/adapters/dynamo-notice-store';
import { OUTBOX_INSERT_FILTER } from '../../shared/adapters/episode-table';
import { atExpression, scheduleName } from '../../shared/adapters/eventbridge-deadline-scheduler';
import { SesMailer } from '../../shared/adapters/ses-mailer';
import { SqsRequeue } from '../../shared/adapters/sqs-requeue';
import type { DeadlineNotice } from '../../shared/deadlines/deadline-notices';
import { deadlineNotices, noticeKey } from '../../shared/deadlines/deadline-notices';
import { newSecret, signedRequest } from '../functions/intake/signed-request';
import { deployable, towerHamlets } from '../support/councils';
import { useDynamoDbLocal } from '../support/dynamodb-local';
import { reportData, wireEvent } from '../support/events';
import { useMotoServer } from '../support/moto-server';
import { toolAvailable } from '../support/python-tools';

/**
 * The wiring tier: the real handler modules (functions/<name>/handler.ts: their environment parsing, their
 * clients, the real AWS SDK requests) against moto_server for SQS, EventBridge Scheduler, Secrets Manager
 * and SES, and DynamoDB Local for the table and its stream. What moto cannot do is done here as AWS would
 * do it: Lambda's stream mapping (the table's outbox inserts to the dispatch function, as the local runtime
 * reads them), Lambda's SQS poller (receive, invoke, delete what succeeded) and a schedule firing (its
 * Input sent to its target).
 */
// Servers answering over loopback on a loaded 2-core machine: seconds, where a quiet one takes milliseconds.
vi.setConfig({ testTimeout: 60_000 });

const council = deployable(towerHamlets);
const prefix = `missing-episodes-${council.id}-production`;
const region = 'eu-west-2';
const sourceId = 'met-police';
const secret = newSecret();

type Handler<E, R> = (event: E) => Promise<R>;
interface Handlers {
  intake: Handler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
  dispatch: Handler<DynamoDBStreamEvent, DynamoDBBatchResponse>;
  notify: Handler<SQSEvent, SQSBatchResponse>;
  reminder: Handler<SQSEvent, SQSBatchResponse>;
  sweep: () => Promise<{ fired: number; failed: number; due: number }>;
}

describe.skipIf(!toolAvailable('moto_server', ['--help']))(
  'the Lambda handlers wired to AWS (moto_server and DynamoDB Local)',
  () => {
    const moto = useMotoServer();
    const dynamo = useDynamoDbLocal();
    const savedEnv = { ...process.env };
    const logLines: Record<string, unknown>[] = [];
    const aws = { region, credentials: { accessKeyId: 'wiring', secretAccessKey: 'wiring' } };
    let sqs: SQSClient;
    let scheduler: SchedulerClient;
    let ses: SESClient;
    let store: DynamoNoticeStore;
    let handlers: Handlers;
    let outboxStream: LocalTableStream | undefined;
    const checkpointDir = mkdtempSync(join(tmpdir(), 'wiring-stream-'));
    const queues: Record<'routing' | 'deadlines' | 'scheduleDeadLetters', { url: string; arn: string }> = {
      routing: { url: '', arn: '' },
      deadlines: { url: '', arn: '' },
      scheduleDeadLetters: { url: '', arn: '' },
    };
    const schedulerRoleArn = `arn:aws:iam::123456789012:role/${prefix}-deadline-scheduler`;

    const createQueue = async (name: string) => {
      const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-${name}` }));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      return { url: QueueUrl, arn: Attributes?.QueueArn ?? '' };
    };

    /** The environment the stack gives the functions, pointing at moto and DynamoDB Local. */
    const functionEnvironment = (tableName: string, stage: string): NodeJS.ProcessEnv => ({
      AWS_ENDPOINT_URL: moto.endpoint(),
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint(),
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: 'wiring',
      AWS_SECRET_ACCESS_KEY: 'wiring',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      STAGE: stage,
      COUNCIL_CONFIG: JSON.stringify(council),
      TABLE_NAME: tableName,
      ROUTING_QUEUE_URL: queues.routing.url,
      DEADLINE_QUEUE_URL: queues.deadlines.url,
      DEADLINE_QUEUE_ARN: queues.deadlines.arn,
      SCHEDULE_GROUP: `${prefix}-deadlines`,
      SCHEDULER_ROLE_ARN: schedulerRoleArn,
      SCHEDULER_DLQ_ARN: queues.scheduleDeadLetters.arn,
      SOURCE_SECRET_PREFIX: `${prefix}/sources/`,
      PSEUDONYM_KEY_SECRET: `${prefix}/pseudonym-key`,
      SES_CONFIGURATION_SET: prefix,
      SES_MAX_SENDS_PER_SECOND: '7',
    });

    /** The handler modules as Lambda loads them: their environment set first, each module imported afresh. */
    const loadHandlers = async (env: NodeJS.ProcessEnv): Promise<Handlers> => {
      Object.assign(process.env, env);
      vi.resetModules();
      const [intake, dispatch, notify, reminder, sweep] = await Promise.all([
        import('../../functions/intake/handler'),
        import('../../functions/dispatch/handler'),
        import('../../functions/notify/handler'),
        import('../../functions/reminder/handler'),
        import('../../functions/sweep/handler'),
      ]);
      return {
        intake: intake.handler,
        dispatch: dispatch.handler,
        notify: notify.handler,
        reminder: reminder.handler,
        sweep: sweep.handler,
      };
    };

    beforeAll(async () => {
      // The functions' JSON log lines, as CloudWatch would get them (Powertools writes errors to stderr).
      const capture = (chunk: string | Uint8Array) => {
        for (const line of String(chunk).split('\n')) {
          if (line.startsWith('{')) logLines.push(JSON.parse(line) as Record<string, unknown>);
        }
        return true;
      };
      vi.spyOn(process.stdout, 'write').mockImplementation(capture);
      vi.spyOn(process.stderr, 'write').mockImplementation(capture);
      const endpoint = moto.endpoint();
      sqs = new SQSClient({ ...aws, endpoint });
      scheduler = new SchedulerClient({ ...aws, endpoint });
      ses = new SESClient({ ...aws, endpoint });
      queues.routing = await createQueue('routing');
      queues.deadlines = await createQueue('deadlines');
      queues.scheduleDeadLetters = await createQueue('schedule-dead-letters');
      await scheduler.send(new CreateScheduleGroupCommand({ Name: `${prefix}-deadlines` }));
      const secretsManager = new SecretsManagerClient({ ...aws, endpoint });
      await secretsManager.send(
        new CreateSecretCommand({
          Name: `${prefix}/sources/${sourceId}`,
          SecretString: JSON.stringify([secret]),
        }),
      );
      // As the stack generates it: 64 random letters and digits.
      await secretsManager.send(
        new CreateSecretCommand({
          Name: `${prefix}/pseudonym-key`,
          SecretString: 'wiringPseudonymKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ',
        }),
      );
      await ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: prefix } }));
      // The sending domain is not verified yet: the first sends meet SES refusing the sender.
      const tableName = await dynamo.createTable();
      store = new DynamoNoticeStore(dynamo.doc(), tableName);
      handlers = await loadHandlers(functionEnvironment(tableName, 'production'));
      const { streamArn } = await ensureEpisodeTable(localDynamoDbClient(dynamo.endpoint()), tableName);
      outboxStream = createLocalTableStream({
        client: localStreamsClient(dynamo.endpoint()),
        streamArn,
        consumer: (event) => handlers.dispatch(event),
        filter: OUTBOX_INSERT_FILTER,
        checkpointFile: join(checkpointDir, 'outbox-stream.json'),
        idleMs: 50,
      });
      outboxStream.start();
    }, 120_000);

    afterAll(async () => {
      await outboxStream?.stop();
      rmSync(checkpointDir, { recursive: true, force: true });
      vi.restoreAllMocks();
      for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
      Object.assign(process.env, savedEnv);
    });

    const toLambdaRecord =
      (arn: string) =>
      (message: Message): SQSRecord => ({
        messageId: message.MessageId ?? '',
        receiptHandle: message.ReceiptHandle ?? '',
        body: message.Body ?? '',
        attributes: message.Attributes as SQSRecord['attributes'],
        messageAttributes: Object.fromEntries(
          Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
            name,
            { stringValue: value.StringValue, dataType: value.DataType ?? 'String' },
          ]),
        ),
        md5OfBody: message.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: arn,
        awsRegion: region,
      });

    /**
     * Lambda's SQS poller, once: receive a batch, invoke the function, delete the records it did not report
     * as failed (none when it threw). Failed records stay on the queue for the next poll.
     */
    const poll = async (
      queue: { url: string; arn: string },
      handler: Handler<SQSEvent, SQSBatchResponse>,
    ) => {
      const { Messages: messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 2,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const event = { Records: messages.map(toLambdaRecord(queue.arn)) };
      const failed = await handler(event).then(
        (answer) => answer.batchItemFailures.map((f) => f.itemIdentifier),
        () => messages.map((m) => m.MessageId ?? ''),
      );
      for (const message of messages) {
        if (failed.includes(message.MessageId ?? '')) continue;
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }),
        );
      }
      return { messages, failed };
    };

    /** A failed message, visible again at once (instead of after its visibility timeout). */
    const makeVisible = (queueUrl: string, messages: Message[]) =>
      Promise.all(
        messages.map((m) =>
          sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: queueUrl,
              ReceiptHandle: m.ReceiptHandle,
              VisibilityTimeout: 0,
            }),
          ),
        ),
      );

    /** A delivery through the intake handler, then its commit's outbox items through the dispatch function. */
    const post = async (event: unknown) => {
      const answer = await handlers.intake(signedRequest(sourceId, event, { secret }));
      outboxStream?.poke();
      const until = Date.now() + 30_000;
      while (!outboxStream?.caughtUp()) {
        if (Date.now() > until) throw new Error('the outbox stream was not dispatched');
        await new Promise((done) => setTimeout(done, 50));
      }
      return answer;
    };
    const logged = (field: string) => logLines.filter((line) => line[field] === true);
    const sentTo = async () => (await moto.sentEmails()).flatMap((e) => e.destinations.ToAddresses ?? []);
    const inbox = (agency: string) => council.agencies[agency]?.inbox.address ?? '';

    const now = Date.now();
    const report = wireEvent(
      'missing.reported',
      reportData('MPS-WIRE-1', { lastSeenAt: new Date(now - 80 * 3_600_000).toISOString() }),
      { id: 'wire-report-1', time: new Date(now - 79 * 3_600_000).toISOString() },
    );
    let episodeId = '';

    it('a signed report through the intake handler is stored, and the dispatcher queues its routing message, ids only', async () => {
      const answer = await post(report);
      expect(answer.statusCode, answer.body).toBe(202);
      episodeId = (JSON.parse(answer.body ?? '{}') as { episodeId: string }).episodeId;
      expect((await store.getEpisode(episodeId))?.events.map((e) => e.event.id)).toEqual(['wire-report-1']);
    });

    it('with the sending domain unverified, notify fails the message for a retry and logs emailSendingBlocked; nothing counts as sent', async () => {
      // The routing message the dispatcher queued from the report's commit.
      const { messages, failed } = await poll(queues.routing, handlers.notify);
      expect(messages.map((m) => JSON.parse(m.Body ?? '{}'))).toEqual([
        { episodeId, eventId: 'wire-report-1', sourceId },
      ]);
      expect(failed).toEqual([messages[0]?.MessageId]);
      expect(logged('emailSendingBlocked').map((l) => l.reason)).toContain('MessageRejected');
      expect(logged('emailRejected')).toEqual([]);
      expect(await moto.sentEmails()).toEqual([]);
      expect(
        (await store.alreadySent([`${sourceId}:wire-report-1:${inbox('met-police')}`])).has(
          `${sourceId}:wire-report-1:${inbox('met-police')}`,
        ),
      ).toBe(false);
      await makeVisible(queues.routing.url, messages);
    });

    it('once SES is fixed (the domain verified), the redriven message emails each agency the routing names', async () => {
      await ses.send(new VerifyDomainIdentityCommand({ Domain: council.email.from.address.split('@')[1] }));
      const { messages, failed } = await poll(queues.routing, handlers.notify);
      expect(messages[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
      expect(failed).toEqual([]);
      expect(await sentTo()).toEqual([inbox('met-police'), inbox('childrens-social-care')]);
      const [first] = await moto.sentEmails();
      expect(first?.source).toBe(council.email.from.address);
    });

    let schedules: GetScheduleCommandOutput[] = [];
    let expected: DeadlineNotice[] = [];

    it('a return reported late: the dispatcher makes a schedule per notice still to come (name, group, time and zone, target queue, role, dead-letter queue, ids-only input) and puts the reminders already due on the deadline queue, which the reminder sends at once', async () => {
      // Reported 60 hours late: both 24-hour reminders are due at once, the 4-hour RHI reminder in 8 hours.
      const foundAt = new Date(Date.now() - 60 * 3_600_000).toISOString();
      const found = wireEvent(
        'missing.found',
        { episodeRef: 'MPS-WIRE-1', foundAt },
        { id: 'wire-found-1', time: foundAt },
      );
      const before = (await sentTo()).length;
      expect((await post(found)).statusCode).toBe(202);
      // Due when the return was committed: the dispatcher put them on the deadline queue, with the same
      // ids-only body as a schedule's, and the reminder fires them through their claims. The while-missing
      // notices the report (80 hours late) found due are there too; the return has cancelled them since.
      const { messages, failed } = await poll(queues.deadlines, handlers.reminder);
      expect(failed).toEqual([]);
      const invocations = messages.map((m) => JSON.parse(m.Body ?? '{}') as Record<string, string>);
      for (const invocation of invocations)
        expect(Object.keys(invocation).sort()).toEqual(['episodeId', 'noticeKey']);
      const kinds = invocations.map((i) => i.noticeKey?.split('-').slice(0, 2).join('-'));
      expect(kinds.filter((kind) => kind === 'pi-r24' || kind === 'rhi-r24').sort()).toEqual([
        'pi-r24',
        'rhi-r24',
      ]);
      expect((await sentTo()).slice(before).sort()).toEqual(
        [inbox('exploitation-service'), inbox('met-police')].sort(),
      );
      const state = (await store.getEpisode(episodeId))?.state;
      if (!state) throw new Error('the episode is stored');
      expected = deadlineNotices(state, council).filter((n) => Date.parse(n.fireAt) > Date.now());
      // The two 24-hour reminders were due already (sent above); the 4-hour RHI reminder and both escalations wait.
      expect(
        expected
          .map(noticeKey)
          .map((key) => key.split('-').slice(0, 2).join('-'))
          .sort(),
      ).toEqual(['pi-esc', 'rhi-esc', 'rhi-r4']);
      const { Schedules = [] } = await scheduler.send(
        new ListSchedulesCommand({ GroupName: `${prefix}-deadlines` }),
      );
      schedules = await Promise.all(
        Schedules.map((s) =>
          scheduler.send(new GetScheduleCommand({ Name: s.Name, GroupName: `${prefix}-deadlines` })),
        ),
      );
      expect(schedules.map((s) => s.Name).sort()).toEqual(
        expected.map((n) => scheduleName(episodeId, n)).sort(),
      );
      for (const notice of expected) {
        const schedule = schedules.find((s) => s.Name === scheduleName(episodeId, notice));
        expect(schedule).toMatchObject({
          GroupName: `${prefix}-deadlines`,
          ScheduleExpression: atExpression(notice.fireAt),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: queues.deadlines.arn,
            RoleArn: schedulerRoleArn,
            DeadLetterConfig: { Arn: queues.scheduleDeadLetters.arn },
            RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 86_400 },
          },
        });
        expect(JSON.parse(schedule?.Target?.Input ?? '')).toEqual({
          episodeId,
          noticeKey: noticeKey(notice),
        });
      }
    });

    it('notify routes the return to the RHI provider, the police, social care and the schools', async () => {
      const before = (await sentTo()).length;
      const { messages, failed } = await poll(queues.routing, handlers.notify);
      expect(messages.map((m) => JSON.parse(m.Body ?? '{}').eventId)).toEqual(['wire-found-1']);
      expect(failed).toEqual([]);
      expect((await sentTo()).slice(before)).toEqual([
        inbox('exploitation-service'),
        inbox('met-police'),
        inbox('childrens-social-care'),
        inbox('education-safeguarding'),
      ]);
    });

    it('a schedule firing (its input on the deadline queue) runs the reminder, which sends once however often it comes', async () => {
      const reminder = expected.find((n) => n.notice === 'reminder');
      const schedule = schedules.find((s) => reminder && s.Name === scheduleName(episodeId, reminder));
      if (!reminder || !schedule?.Target?.Input) throw new Error('the 4-hour RHI reminder is scheduled');
      const before = (await moto.sentEmails()).length;
      // As the Scheduler delivers to its target, at least once: here twice.
      for (let i = 0; i < 2; i++) {
        await sqs.send(
          new SendMessageCommand({ QueueUrl: queues.deadlines.url, MessageBody: schedule.Target.Input }),
        );
      }
      // Eight hours on, for the functions' clock only (moto and DynamoDB Local check no request times).
      vi.useFakeTimers({ toFake: ['Date'], now: Date.parse(reminder.fireAt) + 60_000 });
      const { messages, failed } = await poll(queues.deadlines, handlers.reminder).finally(() =>
        vi.useRealTimers(),
      );
      expect(messages).toHaveLength(2);
      expect(failed).toEqual([]);
      const sent = (await moto.sentEmails()).slice(before);
      expect(sent.map((e) => e.destinations.ToAddresses)).toEqual([[inbox('exploitation-service')]]);
      expect(sent[0]?.subject).toContain('Reminder: Return Home Interview due');
      expect((await store.getNotice(episodeId, noticeKey(reminder)))?.state).toBe('sent');
    });

    it('the sweep finds nothing left: the reminders already due went out when the return was committed', async () => {
      const before = (await sentTo()).length;
      const result = await handlers.sweep();
      expect(result).toMatchObject({ fired: 0, failed: 0 });
      expect((await sentTo()).slice(before)).toEqual([]);
    });

    it('SES refusing an address itself is a refused recipient, as moto answers it; a refused sender blocks sending', async () => {
      const mailer = new SesMailer(new SESClient({ ...aws, endpoint: moto.endpoint() }), {
        from: council.email.from.address,
      });
      const email = { cc: [], subject: 's', text: 't', html: '<p>h</p>' };
      expect(await mailer.send({ ...email, to: ['no-domain'] })).toEqual({
        ok: false,
        failure: 'recipient-rejected',
        reason: 'InvalidParameterValue',
      });
      const unverified = new SesMailer(new SESClient({ ...aws, endpoint: moto.endpoint() }), {
        from: 'missing-episodes@unverified.example.org',
      });
      expect(await unverified.send({ ...email, to: [inbox('met-police')] })).toEqual({
        ok: false,
        failure: 'sending-blocked',
        reason: 'MessageRejected',
      });
    });

    it('a throttled message sent back for later arrives as a new message carrying its throttled count', async () => {
      await new SqsRequeue(sqs, queues.deadlines.url).later('{"episodeId":"e","noticeKey":"k"}', {
        delaySeconds: 1,
        throttledRetries: 3,
      });
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queues.deadlines.url,
          WaitTimeSeconds: 5,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      expect(Messages[0]?.MessageAttributes?.throttledRetries?.StringValue).toBe('3');
      expect(Messages[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    });

    it("a staging stage sends every email to the operators' test inbox, naming the agencies it was meant for", async () => {
      const staging = await loadHandlers({ STAGE: 'staging' });
      // Last seen an hour ago: no deadline of it is due yet, so its commit routes it and nothing more.
      const second = wireEvent(
        'missing.reported',
        reportData('MPS-WIRE-2', { lastSeenAt: new Date(Date.now() - 3_600_000).toISOString() }),
        { id: 'wire-report-2' },
      );
      expect((await post(second)).statusCode).toBe(202);
      const before = (await moto.sentEmails()).length;
      const { failed } = await poll(queues.routing, staging.notify);
      expect(failed).toEqual([]);
      const sent = (await moto.sentEmails()).slice(before);
      expect(sent.map((e) => e.destinations.ToAddresses)).toEqual([
        [council.email.testInbox?.address],
        [council.email.testInbox?.address],
      ]);
      expect(sent.map((e) => e.subject.startsWith('[Staging] '))).toEqual([true, true]);
      expect(sent[0]?.body).toContain(`Meant for: ${inbox('met-police')}`);
      expect(sent[1]?.body).toContain(`Meant for: ${inbox('childrens-social-care')}`);
    });
  },
);
